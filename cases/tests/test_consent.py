"""Consent as a record: recording, scope, withdrawal effective at once, the scanned form."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.policy import PolicyDenied
from agencies.tests.factories import AgencyFactory
from audit.models import AuditEvent
from cases.choices import InfoKind
from cases.models import Consent
from cases.policy.persons import person_access, visible_sections
from cases.services.persons import (
    consent_attach_document,
    consent_document_open,
    consent_record,
    consent_withdraw,
    sniff_document,
)
from cases.tests.factories import (
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdMemberFactory,
    PersonFactory,
    SupportCaseFactory,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def person(agency, caseworker):
    return PersonFactory(registered_by_agency=agency, created_by=caseworker)


def record(actor, person, **kw):
    args = dict(
        given_on=timezone.localdate(),
        method=Consent.Method.WRITTEN,
        agencies=[AgencyFactory()],
        info_kinds=[InfoKind.BASIC],
    )
    args.update(kw)
    return consent_record(actor=actor, person=person, **args)


def test_caseworker_records_consent_with_scope(person, caseworker, other_agency):
    consent = record(caseworker, person, agencies=[other_agency], info_kinds=["household", "basic"])
    assert consent.recorded_by_agency == person.registered_by_agency
    assert consent.explained_by == caseworker
    assert list(consent.agencies.all()) == [other_agency]
    assert consent.info_kinds == ["basic", "household"]
    assert consent.is_in_force()
    event = AuditEvent.objects.get(action="consent.create")
    assert event.object_repr == f"consent:{consent.public_id}"


def test_outsider_cannot_record_consent(person, outsider):
    with pytest.raises(PolicyDenied):
        record(outsider, person)


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        (
            {"given_on": timezone.localdate() + dt.timedelta(days=1)},
            "given_on",
            "同意日が未来の日付です。",
        ),
        (
            {
                "given_on": timezone.localdate(),
                "valid_until": timezone.localdate() - dt.timedelta(days=1),
            },
            "valid_until",
            "有効期限が同意日より前になっています。",
        ),
        (
            {"method": Consent.Method.PROXY},
            "proxy_name",
            "代理人による同意では代理人の氏名を入力してください。",
        ),
        ({"info_kinds": []}, "info_kinds", "共有する情報の種類を1つ以上選んでください。"),
        ({"agencies": []}, "agencies", "情報を共有する機関を1つ以上選んでください。"),
    ],
)
def test_invalid_consent_gets_japanese_errors(person, caseworker, kw, field, message):
    with pytest.raises(ValidationError) as exc:
        record(caseworker, person, **kw)
    assert message in exc.value.message_dict[field]


def test_inactive_agency_cannot_be_in_scope(person, caseworker):
    with pytest.raises(ValidationError) as exc:
        record(caseworker, person, agencies=[AgencyFactory(active=False)])
    assert "無効になった機関は選べません。" in exc.value.message_dict["agencies"]


def receiving_team(person, agency):
    member = HouseholdMemberFactory(person=person)
    CaseTeamMemberFactory(case=SupportCaseFactory(household=member.household), agency=agency)


def test_without_consent_receiving_agency_sees_nothing_personal(person, other_agency, outsider):
    receiving_team(person, other_agency)
    assert not person_access(outsider, person)
    assert visible_sections(outsider, person) == set()


def test_withdrawal_ends_access_immediately(person, caseworker, other_agency, outsider):
    receiving_team(person, other_agency)
    consent = record(caseworker, person, agencies=[other_agency], info_kinds=["basic"])
    assert person_access(outsider, person)
    consent_withdraw(actor=caseworker, consent=consent, note="電話で撤回の申し出")
    consent.refresh_from_db()
    assert consent.withdrawn_at <= timezone.now()
    assert consent.withdrawn_by == caseworker
    assert not consent.is_in_force()
    assert not person_access(outsider, person)
    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 1


def test_receiving_agency_may_record_withdrawal_and_then_loses_access(
    person, other_agency, outsider
):
    receiving_team(person, other_agency)
    consent = ConsentFactory(person=person, agencies=[other_agency])
    consent_withdraw(actor=outsider, consent=consent)
    assert not person_access(outsider, person)


def test_withdrawing_twice_is_refused(person, caseworker):
    consent = ConsentFactory(person=person)
    consent_withdraw(actor=caseworker, consent=consent)
    with pytest.raises(ValidationError) as exc:
        consent_withdraw(actor=caseworker, consent=consent)
    assert "既に撤回" in str(exc.value)


def test_info_kinds_limit_sections(person, caseworker, other_agency, outsider):
    receiving_team(person, other_agency)
    record(caseworker, person, agencies=[other_agency], info_kinds=["health"])
    assert visible_sections(outsider, person) == {"health"}


@pytest.mark.parametrize(
    ("content", "ctype"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_document_type_is_checked_by_magic_bytes(content, ctype):
    upload = SimpleUploadedFile("scan.bin", content, content_type="application/octet-stream")
    assert sniff_document(upload)[0] == ctype


def test_document_with_wrong_content_is_refused_whatever_its_name():
    upload = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        sniff_document(upload)
    assert "PDF・JPEG・PNG" in exc.value.message_dict["document"][0]


def test_document_over_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        sniff_document(SimpleUploadedFile("a.pdf", PDF))
    assert "大きすぎます" in exc.value.message_dict["document"][0]


def test_document_is_stored_outside_web_root_with_random_name(person, caseworker, media):
    consent = record(caseworker, person, document=SimpleUploadedFile("山田太郎 同意書.pdf", PDF))
    assert consent.document_content_type == "application/pdf"
    assert "山田" not in consent.document.name
    assert consent.document.name.endswith(".pdf")
    assert str(consent.document.path).startswith(str(media))
    with consent_document_open(actor=caseworker, consent=consent) as fh:
        assert fh.read() == PDF
    assert AuditEvent.objects.filter(action="consent.document_view", kind="view").count() == 1


def test_outsider_cannot_open_document(person, caseworker, outsider):
    consent = record(caseworker, person, document=SimpleUploadedFile("x.png", PNG))
    with pytest.raises(PolicyDenied):
        consent_document_open(actor=outsider, consent=consent)


def test_document_can_be_attached_later(person, caseworker):
    consent = ConsentFactory(person=person)
    consent_attach_document(
        actor=caseworker, consent=consent, document=SimpleUploadedFile("x.jpg", JPEG)
    )
    consent.refresh_from_db()
    assert consent.document_content_type == "image/jpeg"

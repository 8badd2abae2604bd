"""Bodies, members, recurrence and confidentiality pledges."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from agencies.choices import OperatorType
from agencies.tests.factories import AgencyFactory
from audit.models import AuditEvent
from meetings import services
from meetings.choices import BodyKind, Recurrence
from meetings.models import ConfidentialityPledge, MeetingBody

from .conftest import make_body

pytestmark = pytest.mark.django_db


def test_shien_kaigi_must_be_convened_by_a_municipal_section(supervisor, partner):
    from agencies.models import Membership

    Membership.objects.create(
        user=supervisor, agency=partner, role="supervisor", start_date=dt.date(2020, 4, 1)
    )
    with pytest.raises(ValidationError) as exc:
        make_body(supervisor, partner, BodyKind.SHIEN_KAIGI, "委託先の支援会議")
    assert "市町村" in str(exc.value)
    assert not MeetingBody.objects.exists()
    # The same contracted agency may convene a 重層的支援会議.
    body = make_body(supervisor, partner, BodyKind.JUSO_KAIGI, "委託先の重層的支援会議")
    assert body.kind == BodyKind.JUSO_KAIGI


def test_only_managers_of_the_convenor_create_bodies(partner_worker, city):
    from agencies.policy import PolicyDenied

    with pytest.raises(PolicyDenied):
        make_body(partner_worker, city, BodyKind.JUSO_KAIGI, "勝手な会議")


def test_designated_meeting_keeps_its_own_basis(supervisor, city):
    body = services.body_create(
        actor=supervisor,
        name="地域ケア会議(北部)",
        kind=BodyKind.SHIEN_KAIGI,
        convenor=city,
        designated_from="chiiki_care",
    )
    assert "社会福祉法第106条の6" in body.legal_basis
    assert "介護保険法第115条の48" in body.legal_basis


def test_third_wednesday_recurrence_moves_off_holidays(supervisor, city):
    body = make_body(
        supervisor, city, BodyKind.JUSO_KAIGI, "定例会議", recur_week=3, recur_weekday=2
    )
    dates = body.occurrences(dt.date(2026, 4, 1), 6)
    assert dates[0] == dt.date(2026, 4, 15)
    assert all(d.weekday() == 2 for d in dates)
    # 2026-09-16 is the 3rd Wednesday; 2027-01 third Wednesday 01-20 is a business day.
    assert dt.date(2026, 9, 16) in dates
    # A body on the 1st weekday of the month that hits 2027-01-01 (閉庁日) moves to 01-04.
    jan = make_body(
        supervisor,
        city,
        BodyKind.JUSO_KAIGI,
        "1日開催",
        recurrence=Recurrence.MONTHLY_DAY,
        recur_week=None,
        recur_weekday=None,
        recur_day=1,
    )
    assert jan.occurrences(dt.date(2026, 12, 15), 1) == [dt.date(2027, 1, 4)]


def test_generate_creates_next_meetings_once(supervisor, juso):
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        first = services.meetings_generate(body=juso, actor=supervisor, count=3)
        again = services.meetings_generate(body=juso, actor=supervisor, count=2)
    assert [m.date for m in first] == [
        dt.date(2026, 4, 15),
        dt.date(2026, 5, 20),
        dt.date(2026, 6, 17),
    ]
    assert [m.date for m in again] == [dt.date(2026, 7, 15), dt.date(2026, 8, 19)]
    assert timezone.localtime(first[0].starts_at).hour == 14


def test_recurrence_needs_its_fields(supervisor, city):
    with pytest.raises(ValidationError) as exc:
        services.body_create(
            actor=supervisor,
            name="x",
            kind=BodyKind.JUSO_KAIGI,
            convenor=city,
            recurrence=Recurrence.MONTHLY_WEEKDAY,
        )
    assert "第N週" in str(exc.value)


def test_member_external_needs_organisation(supervisor, juso):
    with pytest.raises(ValidationError):
        services.member_add(body=juso, actor=supervisor, external_name="民生 和子")
    member = services.member_add(
        body=juso,
        actor=supervisor,
        external_name="民生 和子",
        external_organisation="北部地区民生委員児童委員協議会",
    )
    assert member.is_external and member.organisation == "北部地区民生委員児童委員協議会"


def test_member_twice_is_refused(supervisor, juso, partner_worker):
    services.member_add(body=juso, actor=supervisor, user=partner_worker)
    with pytest.raises(ValidationError):
        services.member_add(body=juso, actor=supervisor, user=partner_worker)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_pledge_per_fiscal_year_with_checked_document(
    supervisor, shien, partner_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    member = services.member_add(body=shien, actor=supervisor, user=partner_worker)
    with pytest.raises(ValidationError) as exc:
        services.pledge_record(
            member=member,
            actor=supervisor,
            signed_on=timezone.localdate(),
            document=SimpleUploadedFile("pledge.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert "PDF・JPEG・PNG" in str(exc.value)
    p = services.pledge_record(
        member=member,
        actor=supervisor,
        signed_on=timezone.localdate(),
        document=SimpleUploadedFile("山田太郎_誓約書.pdf", PDF),
    )
    assert p.document_type == "application/pdf"
    assert "山田" not in p.document.name and p.document.name.startswith("pledges/")
    assert str(tmp_path) in p.document.path  # under MEDIA_ROOT, outside the static web root
    with pytest.raises(ValidationError) as exc:
        services.pledge_record(member=member, actor=supervisor, signed_on=timezone.localdate())
    assert "すでに登録" in str(exc.value)
    assert ConfidentialityPledge.objects.current().filter(member=member).count() == 1
    assert AuditEvent.objects.filter(action="pledge.create").count() == 1


@override_settings(UPLOAD_MAX_BYTES=10)
def test_pledge_document_size_limit(supervisor, shien, partner_worker):
    member = services.member_add(body=shien, actor=supervisor, user=partner_worker)
    with pytest.raises(ValidationError) as exc:
        services.pledge_record(
            member=member,
            actor=supervisor,
            signed_on=timezone.localdate(),
            document=SimpleUploadedFile("p.pdf", PDF),
        )
    assert "大きすぎ" in str(exc.value)
    assert not ConfidentialityPledge.objects.exists()


def test_last_years_pledge_is_not_current(supervisor, shien, partner_worker):
    member = services.member_add(
        body=shien, actor=supervisor, user=partner_worker, joined_on=dt.date(2024, 4, 1)
    )
    services.pledge_record(member=member, actor=supervisor, signed_on=dt.date(2025, 4, 3))
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC), tick=False):
        assert not ConfidentialityPledge.objects.current().filter(member=member).exists()
    with time_machine.travel(dt.datetime(2026, 3, 31, 9, tzinfo=dt.UTC), tick=False):
        assert ConfidentialityPledge.objects.current().filter(member=member).exists()


def test_member_removal_ends_the_seat(supervisor, shien, partner_worker):
    from meetings import policy

    member = services.member_add(body=shien, actor=supervisor, user=partner_worker)
    services.member_remove(member=member, actor=supervisor)
    partner_worker.__dict__.pop("_meeting_cache", None)
    assert not policy.is_member(partner_worker, shien)


def test_municipal_operator_is_the_rule_not_the_kind(supervisor):
    other_city = AgencyFactory(operator_type=OperatorType.MUNICIPAL)
    from agencies.models import Membership

    Membership.objects.create(
        user=supervisor, agency=other_city, role="coordinator", start_date=dt.date(2020, 4, 1)
    )
    body = make_body(supervisor, other_city, BodyKind.SHIEN_KAIGI, "保健センター支援会議")
    assert body.is_shien_kaigi

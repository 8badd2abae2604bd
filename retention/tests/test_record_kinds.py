"""Retention of the record kinds that end without a support case: consultations not linked to a
case, ended つなぐシート not linked to a case, outreach targets that reached 終結. Each is listed
when its period has run out, held back while its person has an open case, and anonymised on
approval with the figures of its year unchanged."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Consultation, Person, Referral, SupportCase
from cases.tests.factories import ConsultationFactory, HouseholdFactory, PersonFactory
from meetings.tests.conftest import verified
from outreach.models import OutreachTarget
from retention import kinds, services
from retention.models import RECORD_FIELDS, Anonymisation, RecordKind, RetentionRule
from retention.services import ANONYMISED, PERSON_NAME
from retention.tests.test_retention import TODAY, _figures

JST = dt.timezone(dt.timedelta(hours=9))
ENDED = dt.datetime(2026, 7, 1, 10, tzinfo=JST)  # FY2026; past a one-year period in June 2028
SECRET = "長男が夜中に大声を出すと近所の佐藤さんから連絡"


@pytest.fixture(autouse=True)
def _in_june_2028():
    when = dt.datetime(2028, 6, 1, 10, tzinfo=JST)
    with time_machine.travel(when, tick=False):
        yield


@pytest.fixture
def rules(db):
    for kind in RecordKind.values:
        RetentionRule.objects.update_or_create(
            kind=kind,
            defaults={"years_after_closure": 1, "legal_basis": "個人情報保護法 第61条第2項"},
        )


def make_record(kind, city, person, household):
    if kind == RecordKind.CONSULTATION:
        return ConsultationFactory(
            agency=city.houkatsu,
            staff=city.worker,
            received_at=ENDED,
            person=person,
            household=household,
            summary=SECRET,
            response=SECRET,
            outcome="own",
        )
    if kind == RecordKind.REFERRAL:
        return Referral.objects.create(
            number=f"T-TEST-{person.pk}",
            fiscal_year=2026,
            from_agency=city.houkatsu,
            from_worker=city.worker,
            to_agency=city.body,
            person=person,
            household=household,
            person_says=SECRET,
            status=Referral.Status.WITHDRAWN,
            sent_at=ENDED - dt.timedelta(days=2),
            withdrawn_at=ENDED,
            withdraw_reason=SECRET,
            created_by=city.worker,
        )
    return OutreachTarget.objects.create(
        number=f"O-TEST-{person.pk}",
        agency=city.shakyo,
        source="minsei",
        informant="民生委員 鈴木",
        known_on=dt.date(2026, 5, 1),
        approx_name="山田 さん",
        approx_address="北町2丁目の角",
        worry=SECRET,
        stage="closed",
        closure_reason="stable",
        stage_changed_on=ENDED.date(),
        person=person,
        created_by=city.csw,
    )


def _item_of(kind, record):
    return Anonymisation.objects.filter(kind=kind, **{RECORD_FIELDS[kind]: record}).first()


@pytest.fixture
def open_case(city_db):
    case = SupportCase.objects.open().exclude(principal=None).first()
    assert case is not None, "the city has open cases"
    return case


@pytest.mark.parametrize("kind", kinds.RECORD_KINDS)
def test_listed_when_due_held_back_for_an_open_case_and_anonymised_on_approval(
    city_db, rules, open_case, kind
):
    person, household = PersonFactory(family_name="山田"), HouseholdFactory()
    record = make_record(kind, city_db, person, household)
    held = make_record(kind, city_db, open_case.principal, open_case.household)
    before = _figures()

    # Not yet due with the seeded five years; due with one.
    RetentionRule.objects.filter(kind=kind).update(years_after_closure=5)
    services.retention_list_due(TODAY)
    assert _item_of(kind, record) is None
    RetentionRule.objects.filter(kind=kind).update(years_after_closure=1)
    services.retention_list_due(TODAY)
    item = _item_of(kind, record)
    assert item is not None and item.status == Anonymisation.Status.DUE
    assert item.closed_on == ENDED.date() and item.due_on == dt.date(2027, 7, 1)
    assert "山田" not in item.record_label
    # Held back: the other record's person belongs to an open case.
    assert _item_of(kind, held) is None
    # Listing changed nothing.
    record.refresh_from_db()
    assert SECRET in {
        getattr(record, f) for f in ("summary", "person_says", "worry") if hasattr(record, f)
    }

    services.anonymisation_approve(item=item, actor=city_db.admin)

    item.refresh_from_db()
    assert item.status == Anonymisation.Status.DONE and item.persons == 1 and item.texts >= 1
    record.refresh_from_db()
    texts = [
        getattr(record, f.name)
        for f in record._meta.concrete_fields
        if f.get_internal_type() == "TextField"
    ]
    assert SECRET not in texts and ANONYMISED in texts
    person.refresh_from_db()
    assert (person.family_name, person.given_name, person.family_name_kana) == (PERSON_NAME, "", "")
    assert person.birth_date == dt.date(1950, 1, 1)
    if kind != RecordKind.OUTREACH_TARGET:
        household.refresh_from_db()
        assert household.address == "" and item.households == 1
    else:
        assert record.approx_name == ANONYMISED and record.informant == ANONYMISED
    # The held-back record and the open case's person keep everything.
    held.refresh_from_db()
    assert SECRET in {
        getattr(held, f) for f in ("summary", "person_says", "worry") if hasattr(held, f)
    }
    principal = Person.objects.get(pk=open_case.principal_id)
    assert principal.family_name != PERSON_NAME
    # Links and counts stay: every figure of FY2026 is what it was.
    after = _figures()
    assert {c: (before[c], after[c]) for c in before if before[c] != after[c]} == {}
    assert type(record).objects.filter(pk=record.pk).exists()
    event = AuditEvent.objects.get(action="anonymisation.approve", object_id=str(item.pk))
    assert event.actor == city_db.admin


def test_approval_is_refused_when_the_person_has_a_new_open_record(city_db, rules):
    person = PersonFactory()
    consultation = make_record(RecordKind.CONSULTATION, city_db, person, None)
    services.retention_list_due(TODAY)
    item = _item_of(RecordKind.CONSULTATION, consultation)
    assert item is not None
    # The person is found again by outreach: an open target needs them.
    target = make_record(RecordKind.OUTREACH_TARGET, city_db, person, None)
    OutreachTarget.objects.filter(pk=target.pk).update(stage="discovered", closure_reason="")
    with pytest.raises(Exception, match="終結していないか"):
        services.anonymisation_approve(item=item, actor=city_db.admin)
    item.refresh_from_db()
    consultation.refresh_from_db()
    assert item.status == Anonymisation.Status.DUE and consultation.summary == SECRET


def test_a_consultation_that_led_to_a_case_belongs_to_the_case(city_db, rules):
    """Its sheet was accepted into a case: the case's retention decides, not its own."""
    consultation = make_record(RecordKind.CONSULTATION, city_db, PersonFactory(), None)
    assert kinds.due(RecordKind.CONSULTATION, TODAY).filter(pk=consultation.pk).exists()
    sheet = Referral.objects.filter(case__isnull=False).first()
    Referral.objects.filter(pk=sheet.pk).update(consultation=consultation)
    due = kinds.due(RecordKind.CONSULTATION, TODAY)
    assert not due.filter(pk=consultation.pk).exists()


def test_the_page_and_the_api_show_the_kind(city_db, rules, client):
    consultation = make_record(RecordKind.CONSULTATION, city_db, PersonFactory(), None)
    services.retention_list_due(TODAY)
    item = _item_of(RecordKind.CONSULTATION, consultation)
    verified(client, city_db.admin)
    html = client.get(reverse("retention:index")).content.decode()
    assert "相談受付(ケースにつながらなかったもの)" in html and "<td>相談受付(ケース" in html
    assert "アウトリーチ対象者(終結したもの)" in html and "つなぐシート(終了し" in html
    assert item.record_label in html
    listing = client.get("/api/v1/anonymisations/?kind=consultation").json()
    assert {r["kind"] for r in listing["results"]} == {"consultation"}
    assert str(item.public_id) in {r["id"] for r in listing["results"]}
    done = client.post(f"/api/v1/anonymisations/{item.public_id}/approve/")
    assert done.status_code == 200 and done.json()["persons"] == 1
    assert Consultation.objects.get(pk=consultation.pk).summary == ANONYMISED


def test_the_seeded_rules_are_five_years_with_their_basis(db):
    seeded = {r.kind: r for r in RetentionRule.objects.all()}
    assert set(seeded) == set(RecordKind.values)
    for kind in kinds.RECORD_KINDS:
        assert seeded[kind].years_after_closure == 5
        assert "第61条第2項" in seeded[kind].legal_basis

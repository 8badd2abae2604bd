"""Retention and anonymisation (issue 17 item 3), on the reports' fixture city: the monthly task
lists closed cases past their retention period, an administrator approves, personal fields and
files go, links and counts stay — the figures of the past year are unchanged — and the ledger
and the audit log keep that it happened."""

import datetime as dt

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.models import Consent, HouseholdMember, Person, SupportCase
from meetings.tests.conftest import verified
from notifications.models import Notification
from reports.figures import Period, all_figures
from reports.tests.city import AS_OF, EXPECTED, FY
from retention import services
from retention.models import Anonymisation, RecordKind, RetentionRule
from retention.services import ANONYMISED, PERSON_NAME

TODAY = dt.date(2028, 6, 1)  # with a one-year period: everything ended before 2027-06-01


@pytest.fixture(autouse=True)
def _in_june_2028():
    when = dt.datetime(2028, 6, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    with time_machine.travel(when, tick=False):
        yield


@pytest.fixture
def rule(db):
    """One year for every kind: a FY2026 consultation or sheet no longer holds its person."""
    for kind in RecordKind.values:
        RetentionRule.objects.update_or_create(
            kind=kind,
            defaults={"years_after_closure": 1, "legal_basis": "個人情報保護法 第61条第2項"},
        )
    return RetentionRule.objects.get(kind=RecordKind.SUPPORT_CASE)


def _figures() -> dict:
    period = Period.of(FY, AS_OF)
    return {f.code: f.value(period) for f in all_figures()}


def _persons_of(case) -> set[int]:
    return (
        set(case.persons.values_list("pk", flat=True))
        | {case.principal_id}
        | set(
            HouseholdMember.objects.filter(household_id=case.household_id).values_list(
                "person_id", flat=True
            )
        )
    ) - {None}


def test_due_cases_are_listed_once_and_anonymised_only_on_approval(
    city_db, rule, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    admin = city_db.admin
    before = _figures()
    # The city as the reports know it (shares come back as Decimal).
    assert {code: float(before[code]) for code in EXPECTED} == EXPECTED

    # Nothing is due with the default-length period the day after the year.
    rule.years_after_closure = 5
    rule.save()
    assert services.retention_list_due(dt.date(2027, 4, 1)) == []
    rule.years_after_closure = 1
    rule.save()

    with django_capture_on_commit_callbacks(execute=True):
        listed = services.retention_list_due(TODAY)
    assert services.retention_list_due(TODAY) == []  # idempotent
    cases = [item for item in listed if item.kind == RecordKind.SUPPORT_CASE]
    assert cases, "the city has cases that ended in FY2026"
    ended = set(SupportCase.objects.closed().values_list("number", flat=True))
    assert {item.record_label for item in cases} <= ended
    open_households = set(SupportCase.objects.open().values_list("household_id", flat=True))
    assert not {item.case.household_id for item in cases} & open_households
    [due] = Notification.objects.filter(rule="retention.due", recipient=admin)
    assert due.message_code == "retention.due.title" and due.body_codes == ["retention.due.body"]

    # Listing changed nothing personal.
    item = cases[0]
    case = item.case
    person_ids = _persons_of(case)
    names_before = {p.pk: p.family_name for p in Person.objects.filter(pk__in=person_ids)}
    assert PERSON_NAME not in names_before.values()
    # A scanned consent form of one of the persons: it must go.
    consent = Consent.objects.filter(person_id__in=person_ids).first()
    assert consent is not None
    consent.document.save("consent.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    path = consent.document.path

    for due in Anonymisation.objects.filter(status=Anonymisation.Status.DUE):
        services.anonymisation_approve(item=due, actor=admin)

    item.refresh_from_db()
    assert item.status == Anonymisation.Status.DONE and item.approved_by == admin
    assert item.persons == len(person_ids) and item.households == 1
    # The scan went with whichever approval reached its person first (a consultation of the
    # same person may be due before the case).
    assert sum(Anonymisation.objects.values_list("files", flat=True)) >= 1
    for person in Person.objects.filter(pk__in=person_ids):
        assert person.family_name == PERSON_NAME
        assert (person.given_name, person.family_name_kana, person.address, person.phone) == (
            "",
            "",
            "",
            "",
        )
        assert person.birth_date is None or (person.birth_date.month, person.birth_date.day) == (
            1,
            1,
        )
    case.refresh_from_db()
    assert case.summary == ANONYMISED and case.number == item.record_label  # links stay
    assert all(n.content == ANONYMISED for n in case.notes.all())
    from cases.models import Assessment, Consultation

    assessments = {a.chief_complaint for a in Assessment.objects.filter(case=case)}
    consultations = {c.summary for c in Consultation.objects.filter(person_id__in=person_ids)}
    assert assessments | consultations == {ANONYMISED}
    consent.refresh_from_db()
    assert not consent.document and not __import__("os").path.exists(path)
    # Links and counts stay: every figure of the past year is what it was.
    after = _figures()
    changed = {code: (before[code], after[code]) for code in before if before[code] != after[code]}
    assert changed == {}
    # Never silent: the ledger row and one audit event per approval.
    done = Anonymisation.objects.filter(status=Anonymisation.Status.DONE).count()
    assert AuditEvent.objects.filter(action="anonymisation.approve").count() == done
    event = AuditEvent.objects.get(action="anonymisation.approve", object_id=str(item.pk))
    assert event.actor == admin and f"persons:{item.persons}" in event.changes
    assert AuditEvent.objects.filter(action="anonymisation.list").count() == len(listed)
    with pytest.raises(Exception, match="すでに匿名化"):
        services.anonymisation_approve(item=item, actor=admin)


def test_a_reopened_case_is_not_anonymised(city_db, rule):
    services.retention_list_due(TODAY)
    item = Anonymisation.objects.filter(kind=RecordKind.SUPPORT_CASE).first()
    SupportCase.objects.filter(pk=item.case_id).update(status=SupportCase.Status.SUPPORTING)
    with pytest.raises(Exception, match="終結していないか"):
        services.anonymisation_approve(item=item, actor=city_db.admin)
    item.refresh_from_db()
    assert item.status == Anonymisation.Status.DUE


@pytest.fixture
def due_item(city_db, rule):
    services.retention_list_due(TODAY)
    return Anonymisation.objects.filter(kind=RecordKind.SUPPORT_CASE).first()


def test_admin_sees_the_page_and_approves_there(city_db, due_item, client):
    verified(client, city_db.admin)
    page = client.get(reverse("retention:index"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "保存期間と匿名化" in html and due_item.record_label in html and "匿名化を承認" in html
    response = client.post(reverse("retention:approve", args=[due_item.public_id]), follow=True)
    assert response.status_code == 200 and "匿名化しました" in response.content.decode()
    due_item.refresh_from_db()
    assert due_item.status == Anonymisation.Status.DONE


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.COORDINATOR])
def test_care_roles_cannot_see_or_approve(city_db, due_item, client, role):
    user = staff(AgencyFactory(), role)
    verified(client, user)
    assert client.get(reverse("retention:index")).status_code == 403
    post = client.post(reverse("retention:approve", args=[due_item.public_id]))
    assert post.status_code == 403
    api = client.get("/api/v1/anonymisations/")
    assert api.status_code == 403
    due_item.refresh_from_db()
    assert due_item.status == Anonymisation.Status.DUE


def test_api_lists_and_approves_for_the_admin(city_db, due_item, client):
    verified(client, city_db.admin)
    listing = client.get("/api/v1/anonymisations/?status=due").json()
    assert listing["count"] >= 1
    row = next(r for r in listing["results"] if r["id"] == str(due_item.public_id))
    assert row["record"] == due_item.record_label and row["approved_by"] is None
    done = client.post(f"/api/v1/anonymisations/{due_item.public_id}/approve/")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["persons"] >= 1
    again = client.post(f"/api/v1/anonymisations/{due_item.public_id}/approve/")
    assert again.status_code == 400 and again.json()["error"]["message"]
    assert client.get("/api/v1/anonymisations/not-a-uuid/").status_code == 404


def test_admin_changes_the_period_with_its_basis_and_it_is_audited(city_db, rule, client):
    verified(client, city_db.admin)
    url = reverse("retention:rule_edit", args=[rule.kind])
    bad = client.post(url, {"years_after_closure": 0, "legal_basis": ""})
    assert bad.status_code == 400
    assert "根拠" in bad.content.decode()
    ok = client.post(
        url, {"years_after_closure": 7, "legal_basis": "市文書管理規程 別表", "enabled": "on"}
    )
    assert ok.status_code == 302
    rule.refresh_from_db()
    assert (rule.years_after_closure, rule.legal_basis) == (7, "市文書管理規程 別表")
    event = AuditEvent.objects.get(action="retention_rule.update")
    assert event.actor == city_db.admin
    assert set(event.changes) == {"years_after_closure", "legal_basis"}
    caseworker = staff(AgencyFactory(), Role.CASEWORKER)
    client.force_login(caseworker)
    assert client.get(url).status_code == 403
    assert client.post(url, {"years_after_closure": 1, "legal_basis": "x"}).status_code == 403


def test_api_answers_its_contract_for_bad_input(city_db, due_item, client):
    verified(client, city_db.admin)
    unknown = client.get("/api/v1/anonymisations/?bogus=1")
    assert unknown.status_code == 400 and "bogus" in unknown.content.decode()
    bad_status = client.get("/api/v1/anonymisations/?status=nonsense")
    assert bad_status.status_code == 400
    missing = client.get("/api/v1/anonymisations/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404 and missing.json()["error"]

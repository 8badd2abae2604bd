"""Break-the-glass (issue 17 item 2): reason required, short personal grant, banner, notified,
reviewed; unreviewed uses on the reviewer's dashboard and in the ledger."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access.emergency import emergency_access_open, emergency_access_review
from access.models import Disclosure, EmergencyAccess
from agencies.choices import Role
from agencies.policy import can
from agencies.tests.factories import AgencyFactory, staff
from cases.models import SupportCase
from cases.tests.factories import open_case
from meetings.tests.conftest import verified
from notifications.models import Notification

pytestmark = pytest.mark.django_db

REASON = "自宅で倒れているとの通報、家族構成と緊急連絡先の確認が必要"


@pytest.fixture
def scene(coordinator, city):
    case = open_case(coordinator=coordinator, agency=city)
    agency = AgencyFactory()
    worker = staff(agency, Role.CASEWORKER)
    boss = staff(agency, Role.SUPERVISOR)
    officer = staff(AgencyFactory(), Role.PRIVACY_OFFICER)
    return case, worker, boss, officer


def test_reason_is_required(scene):
    case, worker, _boss, _officer = scene
    with pytest.raises(ValidationError):
        emergency_access_open(actor=worker, case=case, reason="急ぎ")
    assert not can(worker, "case.view", case)


def test_emergency_opens_for_hours_notifies_and_is_in_the_ledger(
    scene, django_capture_on_commit_callbacks
):
    case, worker, boss, officer = scene
    with django_capture_on_commit_callbacks(execute=True):
        access = emergency_access_open(actor=worker, case=case, reason=REASON)
    assert can(worker, "case.view", case)
    assert not can(
        staff(worker.current_memberships()[0].agency, Role.CASEWORKER), "case.view", case
    )
    notified = set(
        Notification.objects.filter(rule="access.emergency").values_list("recipient_id", flat=True)
    )
    assert notified == {boss.pk, officer.pk}
    assert set(
        Notification.objects.filter(rule="access.emergency").values_list("message_code", flat=True)
    ) == {"access.emergency.title"}
    assert Disclosure.objects.filter(channel="emergency", person=case.principal).exists()
    with time_machine.travel(access.expires_at + dt.timedelta(minutes=1)):
        fresh = type(worker).objects.get(pk=worker.pk)
        assert not can(fresh, "case.view", SupportCase.objects.get(pk=case.pk))


def test_banner_on_every_page_while_it_lasts(client, scene):
    case, worker, _boss, _officer = scene
    verified(client, worker)
    client.post(reverse("access:emergency_open"), {"case_number": case.number, "reason": REASON})
    for url in (reverse("dashboard"), reverse("cases:case_list")):
        page = client.get(url).content.decode()
        assert 'data-testid="emergency-banner"' in page and case.number in page


def test_review_by_supervisor_or_officer_not_by_self(client, scene):
    case, worker, boss, officer = scene
    access = emergency_access_open(actor=worker, case=case, reason=REASON)
    assert not can(worker, "emergency.review", access)
    assert can(officer, "emergency.review", access)
    verified(client, boss)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert case.number in dashboard
    response = client.post(
        reverse("access:emergency_review", args=[access.public_id]),
        {"outcome": "not_justified", "review_note": "救急搬送済みで開く必要はなかった"},
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.outcome == EmergencyAccess.Outcome.NOT_JUSTIFIED
    assert not can(type(worker).objects.get(pk=worker.pk), "case.view", case)  # ended at once
    with pytest.raises(ValidationError):
        emergency_access_review(access=access, actor=officer, outcome="justified", note="再")


def test_outsider_cannot_open_a_review(client, scene):
    case, worker, _boss, _officer = scene
    access = emergency_access_open(actor=worker, case=case, reason=REASON)
    verified(client, staff(AgencyFactory(), Role.CASEWORKER))
    assert (
        client.get(reverse("access:emergency_review", args=[access.public_id])).status_code == 404
    )


def test_open_through_the_form(client, scene):
    case, worker, _boss, _officer = scene
    verified(client, worker)
    url = reverse("access:emergency_open")
    bad = client.post(url, {"case_number": case.number, "reason": ""})
    assert bad.status_code == 200 and "緊急の理由" in bad.content.decode()
    ok = client.post(url, {"case_number": case.number, "reason": REASON})
    assert ok.status_code == 302
    assert client.get(ok["Location"]).status_code == 200
    assert timezone.now() < EmergencyAccess.objects.get().expires_at

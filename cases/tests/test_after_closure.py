"""After 終結: no monitoring date stays, a post-closure check is set for the 主担当, and the
主担当 — care staff of the lead agency, not only the coordinators — can re-open the case (policy,
page and audit); an outsider cannot."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import can
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.choices import ClosureReason
from cases.models import Plan, SupportCase
from cases.services import support as s
from cases.tests.factories import ConsentFactory, login_verified, multiagency_agency, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed():
    body = multiagency_agency()
    lead = AgencyFactory(name="北部地域包括支援センター(終結後)")
    coordinator = staff(body, Role.COORDINATOR)
    lead_worker = staff(lead, Role.CASEWORKER)
    case = open_case(coordinator=coordinator, agency=body)
    SupportCase.objects.filter(pk=case.pk).update(
        opened_on=timezone.localdate() - dt.timedelta(days=100),
        next_monitoring_on=timezone.localdate() + dt.timedelta(days=5),
    )
    case.refresh_from_db()
    ConsentFactory(person=case.principal, agencies=[body, lead])
    s.case_set_lead_agency(case=case, actor=coordinator, agency=lead)
    s.case_close_exceptional(
        case=case,
        actor=coordinator,
        reason=ClosureReason.MOVED,
        closed_on=timezone.localdate(),
    )
    case.refresh_from_db()
    return case, coordinator, lead_worker


def test_closure_clears_monitoring_dates(closed):
    case, _c, _w = closed
    assert case.next_monitoring_on is None
    assert not Plan.objects.filter(case=case, next_monitoring_on__isnull=False).exists()


def test_the_lead_agency_worker_reopens_and_an_outsider_cannot(closed):
    case, coordinator, lead_worker = closed
    outsider = staff(AgencyFactory(), Role.CASEWORKER)
    assert can(lead_worker, "case.reopen", case)
    assert not can(lead_worker, "case.manage", case)
    assert not can(outsider, "case.reopen", case)
    with pytest.raises(PermissionDenied):
        s.case_reopen(case=case, actor=outsider, reason="x")
    s.case_reopen(case=case, actor=lead_worker, reason="再び困りごとが生じた")
    case.refresh_from_db()
    assert case.status == SupportCase.Status.ASSESSMENT
    assert case.followup_on is None and case.reopen_count == 1
    assert AuditEvent.objects.filter(actor=lead_worker, action="case.transition").count() == 1
    assert not can(lead_worker, "case.reopen", case)  # open again: nothing to re-open


def test_reopen_button_and_page_for_the_lead_worker(closed, client):
    case, coordinator, lead_worker = closed
    login_verified(client, lead_worker)
    page = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert reverse("cases:case_transition", args=[case.public_id, "reopen"]) in page
    answer = client.post(
        reverse("cases:case_transition", args=[case.public_id, "reopen"]),
        {"reason": "家族から再び相談"},
    )
    assert answer.status_code == 302
    assert SupportCase.objects.get(pk=case.pk).status == SupportCase.Status.ASSESSMENT

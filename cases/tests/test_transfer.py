"""The April transfer (異動) of a worker who still holds work: refused while anything is left
unassigned (the message lists it), then handed over — one successor for all or per item, with
notes — and from the transfer date the worker reaches none of the old agency's cases (HTML 404,
API 404, policy denies). Who may do it: the agency's supervisor and the administrator (who sees
no case content); the page and the API answer the same."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services as agency_services
from agencies.choices import Programme, Role
from agencies.jpdates import format_date
from agencies.models import Membership
from agencies.policy import PolicyDenied, can
from agencies.tests.factories import AgencyFactory, MembershipFactory, staff
from audit.models import AuditEvent
from cases.models import CaseHandover, CaseTeamMember, Referral, SupportCase, WorkHandover
from cases.services import transfer as t
from cases.services.intake import referral_assign
from cases.tests.factories import IntakeWorld, login_verified, open_case
from meetings import services as meeting_services
from meetings.choices import AgendaKind, BodyKind, DecisionKind
from meetings.tests.conftest import hold, make_body, schedule
from notifications.models import Notification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


class April:
    """福祉相談課 (多機関協働 and アウトリーチ) where the coordinator `worker` — there for a year —
    holds two open cases, a meeting role, an unanswered つなぐシート and an outreach target."""

    def __init__(self):
        self.world = IntakeWorld()
        self.city = self.world.receiver
        self.city.programmes = [*self.city.programmes, Programme.OUTREACH.value]
        self.city.save(update_fields=["programmes"])
        self.worker = self.world.coordinator
        self.supervisor = staff(self.city, Role.SUPERVISOR)
        self.successor = staff(self.city, Role.COORDINATOR)
        self.colleague = self.world.receiver_staff
        self.admin = staff(AgencyFactory(), Role.ADMIN)
        year_ago = TODAY() - dt.timedelta(days=365)
        Membership.objects.filter(agency=self.city).update(start_date=year_ago)
        self.membership = Membership.objects.get(user=self.worker, agency=self.city)
        self.case_a = open_case(coordinator=self.worker, agency=self.city, summary="父の退院調整")
        self.case_b = open_case(coordinator=self.worker, agency=self.city, summary="子の不登校")
        CaseTeamMember.objects.filter(user=self.worker).update(joined_on=year_ago)
        self.referral = referral_assign(
            actor=self.worker, referral=self.world.opened(), assignee=self.worker
        )
        body = make_body(self.supervisor, self.city, BodyKind.JUSO_KAIGI, "重層的支援会議")
        meeting = schedule(body, self.supervisor, days=-1)
        item = meeting_services.agenda_item_add(
            meeting=meeting, actor=self.supervisor, kind=AgendaKind.INFO_SHARING, title="見守り"
        )
        hold(meeting, self.supervisor)
        decision = meeting_services.item_record_decision(
            item=item,
            actor=self.supervisor,
            kind=DecisionKind.SHARED,
            roles=[
                {
                    "owner_agency": self.city,
                    "owner_user": self.worker,
                    "task": "民生委員と訪問日程を調整",
                    "due_on": TODAY() + dt.timedelta(days=10),
                }
            ],
        )
        self.role = decision.roles.get()
        from outreach.tests.factories import make_target

        self.target = make_target(self.worker, self.city, lead_worker=None)
        self.target.lead_worker = self.worker
        self.target.save(update_fields=["lead_worker"])


@pytest.fixture
def april():
    return April()


def _refs(items):
    return {i.ref for i in items}


def test_pending_work_lists_cases_roles_referrals_and_outreach(april):
    items = t.pending_work(april.membership)
    kinds = sorted(i.kind for i in items)
    assert kinds == ["case", "case", "outreach", "referral", "role"]
    case_item = next(i for i in items if i.label == april.case_a.number)
    assert "担当推進員" in case_item.as_what


def test_transfer_is_refused_while_work_is_left_and_nothing_changes(april):
    with pytest.raises(ValidationError) as exc:
        t.staff_transfer(actor=april.supervisor, membership=april.membership, transfer_date=TODAY())
    message = " ".join(exc.value.messages)
    assert "引継ぎが済んでいない業務が5件" in message
    assert april.case_a.number in message and april.referral.number in message
    april.membership.refresh_from_db()
    assert april.membership.end_date is None
    assert SupportCase.objects.get(pk=april.case_a.pk).coordinator == april.worker
    # Only one item given a successor: still refused, the rest listed
    with pytest.raises(ValidationError) as exc:
        t.staff_transfer(
            actor=april.supervisor,
            membership=april.membership,
            transfer_date=TODAY(),
            assignments={f"case:{april.case_a.public_id}": april.successor},
        )
    assert "4件" in " ".join(exc.value.messages)
    assert not CaseHandover.objects.exists()


def test_plain_membership_end_and_transfer_are_refused_too(april):
    with pytest.raises(ValidationError):
        agency_services.membership_end(
            actor=april.admin, membership=april.membership, end_date=TODAY()
        )
    with pytest.raises(ValidationError):
        agency_services.membership_transfer(
            actor=april.admin,
            membership=april.membership,
            to_agency=AgencyFactory(),
            transfer_date=TODAY(),
        )
    april.membership.refresh_from_db()
    assert april.membership.end_date is None


def test_april_transfer_hands_everything_over_and_access_ends(
    april, client, django_capture_on_commit_callbacks
):
    per_item = {f"case:{april.case_b.public_id}": april.colleague}
    with django_capture_on_commit_callbacks(execute=True):
        result = t.staff_transfer(
            actor=april.supervisor,
            membership=april.membership,
            transfer_date=TODAY(),
            successor=april.successor,
            assignments=per_item,
            notes={f"case:{april.case_a.public_id}": "退院は来週"},
            note="4月1日付で異動",
        )
    assert len(result.handed_over) == 5
    april.membership.refresh_from_db()
    assert april.membership.end_date == TODAY() - dt.timedelta(days=1)
    case_a = SupportCase.objects.get(pk=april.case_a.pk)
    case_b = SupportCase.objects.get(pk=april.case_b.pk)
    assert case_a.coordinator == april.successor
    assert case_b.coordinator == april.colleague
    assert CaseHandover.objects.get(case=case_a).note == "4月1日付で異動\n退院は来週"
    # The predecessor left the current team the day before: not shown, not offered again
    assert not case_a.team.current().filter(user=april.worker).exists()
    assert case_a.team.filter(user=april.worker, left_on=TODAY() - dt.timedelta(days=1)).exists()
    assert t.pending_work(april.membership) == []
    assert Referral.objects.get(pk=april.referral.pk).assignee == april.successor
    april.role.refresh_from_db()
    assert april.role.owner_user == april.successor
    april.target.refresh_from_db()
    assert april.target.lead_worker == april.successor
    assert set(WorkHandover.objects.values_list("kind", flat=True)) == {
        "role",
        "referral",
        "outreach",
    }
    handover = Notification.objects.get(recipient=april.successor, rule=t.HANDOVER_RULE)
    assert handover.message_code == "caseload_handover.title" and handover.params["n"] >= 1
    # Stored text carries dates in the one style (和暦), never 2026-04-01.
    assert handover.params["date"] == format_date(TODAY(), seireki=False)
    role_label = WorkHandover.objects.get(kind="role").label
    assert role_label.startswith(format_date(TODAY() - dt.timedelta(days=1), seireki=False))
    assert AuditEvent.objects.filter(action="staff.transfer").exists()

    # April: the worker starts at another agency and reaches nothing of the old one
    MembershipFactory(user=april.worker, agency=AgencyFactory(), role=Role.CASEWORKER)
    worker = type(april.worker).objects.get(pk=april.worker.pk)
    assert not can(worker, "case.view", case_a)
    assert not can(worker, "case.edit", case_a)
    assert not can(worker, "referral.view", Referral.objects.get(pk=april.referral.pk))
    client.force_login(worker)
    assert client.get(reverse("cases:case_detail", args=[case_a.public_id])).status_code == 404
    api = APIClient()
    api.force_authenticate(worker)
    assert api.get(f"/api/v1/support-cases/{case_a.public_id}/").status_code == 404
    assert can(april.successor, "case.manage", case_a)


def test_a_coordinator_moved_away_without_handover_sees_nothing(april):
    """The name on the case alone opens nothing once the worker no longer works there."""
    Membership.objects.filter(pk=april.membership.pk).update(
        end_date=TODAY() - dt.timedelta(days=1)
    )
    MembershipFactory(user=april.worker, agency=AgencyFactory(), role=Role.COORDINATOR)
    worker = type(april.worker).objects.get(pk=april.worker.pk)
    assert not can(worker, "case.view", SupportCase.objects.get(pk=april.case_a.pk))
    assert not SupportCase.objects.filter(pk=april.case_a.pk).filter(
        __import__("cases.policy.support", fromlist=["x"]).visible_case_filter(worker)
    )


def test_a_successor_from_another_agency_is_refused(april):
    outsider = staff(AgencyFactory(), Role.COORDINATOR)
    with pytest.raises(ValidationError):
        t.staff_transfer(
            actor=april.supervisor,
            membership=april.membership,
            transfer_date=TODAY(),
            successor=outsider,
        )
    assert Membership.objects.get(pk=april.membership.pk).end_date is None


def test_who_may_transfer(april):
    other_supervisor = staff(AgencyFactory(), Role.SUPERVISOR)
    for actor in (april.worker, april.colleague, other_supervisor):
        with pytest.raises(PolicyDenied):
            t.staff_transfer(
                actor=actor,
                membership=april.membership,
                transfer_date=TODAY(),
                successor=april.successor,
            )
    result = t.staff_transfer(
        actor=april.admin,
        membership=april.membership,
        transfer_date=TODAY(),
        successor=april.successor,
    )
    assert len(result.handed_over) == 5


def test_nothing_to_hand_over_when_the_worker_stays_in_the_agency(april):
    MembershipFactory(
        user=april.worker,
        agency=april.city,
        role=Role.SUPERVISOR,
        start_date=TODAY(),
    )
    assert t.pending_work(april.membership, on=TODAY()) == []


# --- page and API ---------------------------------------------------------------------------------


def test_page_lists_work_refuses_then_completes(april, client):
    login_verified(client, april.supervisor)
    url = reverse("cases:transfer")
    page = client.get(url, {"membership": april.membership.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert april.case_a.number in body and "父の退院調整" in body
    assert april.referral.number in body
    refused = client.post(
        url, {"membership": april.membership.pk, "transfer_date": TODAY().isoformat()}
    )
    assert refused.status_code == 200
    assert "引継ぎが済んでいない業務が5件" in refused.content.decode()
    assert Membership.objects.get(pk=april.membership.pk).end_date is None
    done = client.post(
        url,
        {
            "membership": april.membership.pk,
            "transfer_date": TODAY().isoformat(),
            "successor": april.successor.pk,
        },
    )
    assert done.status_code == 302
    assert Membership.objects.get(pk=april.membership.pk).end_date == TODAY() - dt.timedelta(days=1)


def test_page_three_users_and_admin_sees_no_content(april, client):
    url = reverse("cases:transfer")
    login_verified(client, april.admin)
    page = client.get(url, {"membership": april.membership.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert april.case_a.number in body
    assert "父の退院調整" not in body and "民生委員と訪問日程を調整" not in body
    other_supervisor = staff(AgencyFactory(), Role.SUPERVISOR)
    login_verified(client, other_supervisor)
    assert client.get(url, {"membership": april.membership.pk}).status_code == 404
    assert client.get(url, {"membership": "x1"}).status_code == 404
    client.force_login(april.colleague)
    assert client.get(url).status_code == 403


def test_api_lists_refuses_with_400_then_completes(april):
    api = APIClient()
    api.force_authenticate(april.supervisor)
    url = f"/api/v1/staff-transfers/{april.membership.pk}/"
    listed = api.get(url)
    assert listed.status_code == 200
    assert {i["kind"] for i in listed.json()["items"]} == {"case", "role", "referral", "outreach"}
    refused = api.post(url + "complete/", {"transfer_date": TODAY().isoformat()}, format="json")
    assert refused.status_code == 400
    assert "引継ぎが済んでいない業務" in refused.json()["error"]["fields"]["assignments"][0]
    done = api.post(
        url + "complete/",
        {
            "transfer_date": TODAY().isoformat(),
            "successor": str(april.successor.public_id),
            "assignments": [
                {"ref": f"case:{april.case_b.public_id}", "to": str(april.colleague.public_id)}
            ],
        },
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["end_date"] == (TODAY() - dt.timedelta(days=1)).isoformat()
    assert SupportCase.objects.get(pk=april.case_b.pk).coordinator == april.colleague


def test_api_outsider_gets_404_and_admin_gets_labels_only(april):
    api = APIClient()
    api.force_authenticate(staff(AgencyFactory(), Role.SUPERVISOR))
    url = f"/api/v1/staff-transfers/{april.membership.pk}/"
    assert api.get(url).status_code == 404
    api.force_authenticate(april.admin)
    listed = api.get(url).json()
    assert all(i["detail"] == "" for i in listed["items"])


def test_a_transfer_planned_for_april_first_is_handed_over_in_march(april):
    """Recorded ahead: the worker keeps the team rows until the day before, the successor's
    start on the transfer date, and the membership ends on 31 March."""
    april_first = TODAY() + dt.timedelta(days=10)
    t.staff_transfer(
        actor=april.supervisor,
        membership=april.membership,
        transfer_date=april_first,
        successor=april.successor,
    )
    april.membership.refresh_from_db()
    assert april.membership.end_date == april_first - dt.timedelta(days=1)
    case = SupportCase.objects.get(pk=april.case_a.pk)
    assert case.team.current().filter(user=april.worker).exists()  # still working until then
    assert case.team.current(april_first).filter(user=april.successor).exists()
    assert not case.team.current(april_first).filter(user=april.worker).exists()
    assert t.pending_work(april.membership, on=april_first) == []


def test_page_costs_the_same_whatever_the_number_of_cases(
    april, client, django_assert_max_num_queries
):
    login_verified(client, april.supervisor)
    url = reverse("cases:transfer")
    for _ in range(6):
        open_case(coordinator=april.worker, agency=april.city)
    with django_assert_max_num_queries(25):  # 21 with 2 cases or 8
        page = client.get(url, {"membership": april.membership.pk})
    assert page.content.decode().count('data-ref="case:') == 8


def test_retiring_a_worker_with_open_work_is_refused_until_handed_over(april):
    with pytest.raises(ValidationError):
        agency_services.staff_set_active(
            actor=april.admin,
            staff=april.worker,
            active=False,
            expected_version=None,
            end_memberships_on=TODAY(),
        )
    assert Membership.objects.get(pk=april.membership.pk).end_date is None
    assert type(april.worker).objects.get(pk=april.worker.pk).is_active
    # Deactivating alone (a lost password, a leave) is never blocked
    agency_services.staff_set_active(
        actor=april.admin, staff=april.worker, active=False, expected_version=None
    )

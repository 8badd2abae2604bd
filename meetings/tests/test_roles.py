"""Role assignments (役割分担) agreed at meetings: on a plan decision they become rows of the
approved plan, atomically; otherwise they are tasks their owner marks done (screens, API,
dashboard, case timeline) and the reminders stop."""

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.jpdates import format_date
from agencies.tests.factories import staff
from audit.models import AuditEvent
from cases.models import CaseTeamMember, Plan, PlanItem, SupportCase
from cases.services import support as s
from meetings import selectors, services
from meetings.choices import AgendaKind, DecisionKind
from meetings.models import Decision, RoleAssignment

from .conftest import hold, schedule, seat, submitted_plan, verified

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def plan_agenda(supervisor, coordinator, city, partner, juso, partner_worker):
    """Yesterday's 重層的支援会議 with one submitted plan (consent covers the partner too)."""
    seat(juso, coordinator, supervisor)
    case, plan = submitted_plan(coordinator, city, partners=[partner])
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    hold(meeting, supervisor)
    return meeting, item, case, plan


@pytest.fixture
def shared(supervisor, juso, partner, partner_worker):
    """An information-sharing item (no case) decided yesterday with one role for the partner's
    worker: a task, not a plan item."""
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="北地区の見守り"
    )
    hold(meeting, supervisor)
    decision = services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.SHARED,
        roles=[
            {
                "owner_agency": partner,
                "owner_user": partner_worker,
                "task": "民生委員と訪問日程を調整",
                "due_on": _today() + dt.timedelta(days=2),
            }
        ],
    )
    return item, decision.roles.get()


def _two_roles(city, partner, partner_worker):
    return [
        {"owner_agency": city, "task": "初回訪問の調整", "due_on": _today() + dt.timedelta(days=7)},
        {
            "owner_agency": partner,
            "owner_user": partner_worker,
            "task": "就労体験先の見学同行",
            "due_on": _today() + dt.timedelta(days=30),
        },
    ]


# --- plan decisions: roles become plan items ---------------------------------------------------


def test_approving_a_plan_adds_each_role_as_a_plan_item(
    plan_agenda, supervisor, city, partner, partner_worker
):
    meeting, item, case, plan = plan_agenda
    before = plan.items.count()
    decision = services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.PLAN_APPROVED,
        roles=_two_roles(city, partner, partner_worker),
    )
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED
    added = list(plan.items.exclude(via_item="").order_by("order"))
    assert plan.items.count() == before + 2 and len(added) == 2
    first, second = added
    assert (first.agency, first.staff, first.action) == (city, None, "初回訪問の調整")
    assert first.due_on == _today() + dt.timedelta(days=7)
    assert (second.agency, second.staff) == (partner, partner_worker)
    assert second.due_on == _today() + dt.timedelta(days=30)
    assert first.order > before and second.order == first.order + 1
    assert {i.via_item for i in added} == {item.ref}
    assert meeting.body.name in first.via_label
    roles = {r.task: r for r in decision.roles.all()}
    assert roles["初回訪問の調整"].plan_item == first
    assert roles["就労体験先の見学同行"].plan_item == second
    # Followed by the plan, not as tasks; the partner is on the team from the decision on.
    assert not selectors.roles_owned_by(partner_worker).exists()
    assert CaseTeamMember.objects.current().filter(case=case, agency=partner).exists()
    assert AuditEvent.objects.filter(action="planitem.create").count() == 2


def test_approved_with_changes_also_adds_the_roles(plan_agenda, supervisor, city):
    meeting, item, case, plan = plan_agenda
    services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.PLAN_APPROVED_WITH_CHANGES,
        changes="訪問の頻度を週1回に",
        roles=[{"owner_agency": city, "task": "週1回の訪問", "due_on": timezone.localdate()}],
    )
    row = PlanItem.objects.get(plan=plan, via_item=item.ref)
    assert row.action == "週1回の訪問" and row.due_on == timezone.localdate()


def test_a_failure_while_adding_plan_items_leaves_none(
    plan_agenda, supervisor, city, partner, partner_worker, monkeypatch
):
    meeting, item, case, plan = plan_agenda
    before = set(plan.items.values_list("pk", flat=True))
    real = s.plan_item_add_from_assignment
    calls = []

    def add_then_fail(**kwargs):
        calls.append(real(**kwargs))  # the first row is written inside the transaction ...
        if len(calls) == 2:
            raise ValidationError("途中で失敗")  # ... and the second fails

    monkeypatch.setattr(s, "plan_item_add_from_assignment", add_then_fail)
    with pytest.raises(ValidationError):
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.PLAN_APPROVED,
            roles=_two_roles(city, partner, partner_worker),
        )
    assert len(calls) == 2
    plan.refresh_from_db()
    case.refresh_from_db()
    assert set(plan.items.values_list("pk", flat=True)) == before
    assert not PlanItem.objects.filter(via_item=item.ref).exists()
    assert plan.status == Plan.Status.SUBMITTED
    assert case.status == SupportCase.Status.IN_MEETING
    assert not Decision.objects.exists() and not RoleAssignment.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["planitem.create", "decision.create"]).exists()


def test_continuing_after_an_evaluation_adds_roles_to_the_approved_plan(
    plan_agenda, supervisor, coordinator, city, juso
):
    meeting, item, case, plan = plan_agenda
    services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    services.minutes_approve(meeting=meeting, actor=supervisor)
    case.refresh_from_db()
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    s.evaluation_update(
        evaluation=evaluation,
        actor=coordinator,
        lock_version=evaluation.lock_version,
        data={"overall": "継続が必要", "proposed_decision": "continue"},
        items=[{"id": i.pk, "achievement": "partial", "note": ""} for i in evaluation.items.all()],
    )
    s.evaluation_ready(evaluation=evaluation, actor=coordinator)
    second = schedule(juso, supervisor, days=0)
    ev_item = services.agenda_item_add(
        meeting=second, actor=supervisor, source=f"evaluation:{evaluation.public_id}"
    )
    hold(second, supervisor)
    services.item_record_decision(
        item=ev_item,
        actor=supervisor,
        kind=DecisionKind.CONTINUE,
        roles=[{"owner_agency": city, "task": "家計の見直しに同行", "due_on": _today()}],
    )
    row = PlanItem.objects.get(via_item=ev_item.ref)
    assert row.plan == plan and row.action == "家計の見直しに同行"
    assert RoleAssignment.objects.get(decision__item=ev_item).plan_item == row


def test_a_new_plan_version_keeps_where_meeting_rows_came_from(
    plan_agenda, supervisor, coordinator, city
):
    meeting, item, case, plan = plan_agenda
    services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.PLAN_APPROVED,
        roles=[{"owner_agency": city, "task": "初回訪問の調整", "due_on": _today()}],
    )
    case.refresh_from_db()
    draft = s.plan_create(case=case, actor=coordinator)
    copied = draft.items.get(action="初回訪問の調整")
    assert copied.via_item == item.ref and copied.via_label


def test_plan_item_from_assignment_needs_a_meeting_and_an_approved_plan(
    plan_agenda, supervisor, city
):
    meeting, item, case, plan = plan_agenda
    kwargs = {"actor": supervisor, "agency": city, "action": "訪問", "decided_on": _today()}
    with pytest.raises(ValidationError):  # still only submitted
        s.plan_item_add_from_assignment(plan=plan, via_item=item.ref, **kwargs)
    services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    with pytest.raises(ValidationError):  # not from a meeting: a new version instead
        s.plan_item_add_from_assignment(plan=plan, via_item="", **kwargs)


# --- tasks: roles that are not plan items ---------------------------------------------------


def test_info_sharing_roles_are_open_tasks_of_their_owner(shared, partner, partner_worker):
    item, role = shared
    assert role.plan_item is None and role.is_open
    colleague = staff(partner, Role.CSW)
    assert list(selectors.roles_owned_by(partner_worker)) == [role]
    assert list(selectors.roles_owned_by(colleague)) == [role]  # care staff of the agency


def test_owner_completes_a_task_once_and_it_is_audited(shared, partner_worker):
    item, role = shared
    services.role_assignment_complete(assignment=role, actor=partner_worker)
    role.refresh_from_db()
    assert role.done_on == _today() and role.done_by == partner_worker
    assert not selectors.roles_owned_by(partner_worker).exists()
    assert list(selectors.roles_owned_by(partner_worker, status="done")) == [role]
    event = AuditEvent.objects.get(action="roleassignment.complete")
    assert event.actor == partner_worker and event.object_id == str(role.pk)
    with pytest.raises(ValidationError) as exc:
        services.role_assignment_complete(assignment=role, actor=partner_worker)
    assert "すでに完了" in str(exc.value)


def test_agency_colleague_with_a_care_role_may_complete(shared, partner):
    item, role = shared
    colleague = staff(partner, Role.COORDINATOR)
    services.role_assignment_complete(assignment=role, actor=colleague)
    role.refresh_from_db()
    assert role.done_by == colleague


def test_outsider_and_convenor_cannot_complete(shared, stranger, supervisor, partner):
    item, role = shared
    admin_clerk = staff(partner, Role.ADMIN)  # no care role at the owner agency
    for user in (stranger, supervisor, admin_clerk):
        with pytest.raises(PermissionDenied):
            services.role_assignment_complete(assignment=role, actor=user)
    role.refresh_from_db()
    assert role.done_on is None
    assert not selectors.roles_owned_by(stranger).exists()


def test_completion_date_must_lie_between_the_decision_and_today(shared, partner_worker):
    item, role = shared
    for day in (_today() + dt.timedelta(days=1), role.decision.decided_on - dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.role_assignment_complete(assignment=role, actor=partner_worker, done_on=day)


def test_a_plan_item_role_is_not_completed_as_a_task(
    plan_agenda, supervisor, city, partner, partner_worker
):
    meeting, item, case, plan = plan_agenda
    decision = services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.PLAN_APPROVED,
        roles=_two_roles(city, partner, partner_worker),
    )
    role = decision.roles.get(owner_user=partner_worker)
    with pytest.raises(ValidationError) as exc:
        services.role_assignment_complete(assignment=role, actor=partner_worker)
    assert "モニタリング" in str(exc.value)


def test_named_owner_must_work_at_the_owner_agency(supervisor, juso, city, partner_worker):
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="共有"
    )
    hold(meeting, supervisor)
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.SHARED,
            roles=[
                {
                    "owner_agency": city,
                    "owner_user": partner_worker,
                    "task": "確認",
                    "due_on": timezone.localdate(),
                }
            ],
        )
    assert "担当機関の相談支援の職員" in str(exc.value)
    assert not Decision.objects.exists()


# --- screens ------------------------------------------------------------------------------------


def test_owner_sees_and_completes_the_role_on_the_roles_page(client, shared, partner_worker):
    item, role = shared
    client.force_login(partner_worker)
    url = reverse("meetings:my_roles")
    page = client.get(url).content.decode()
    assert "民生委員と訪問日程を調整" in page and f"role-{role.public_id}" in page
    r = client.post(
        reverse("meetings:role_complete", args=[role.public_id]), {"next": url}, follow=True
    )
    assert r.redirect_chain[-1][0] == url
    assert "完了として記録しました" in r.content.decode()
    role.refresh_from_db()
    assert role.done_by == partner_worker
    assert "民生委員と訪問日程を調整" not in client.get(url).content.decode()
    assert "民生委員と訪問日程を調整" in client.get(url + "?status=done").content.decode()


def test_a_refused_completion_date_shows_at_its_row_as_typed(client, shared, partner_worker):
    """A date the service refuses (after today, before the decision) is shown at the row with
    the date typed, not as a banner above a field reset to today; nothing is recorded."""
    item, role = shared
    client.force_login(partner_worker)
    url = reverse("meetings:my_roles") + "?status=open"
    for typed in ("2030-01-01", "abc"):
        r = client.post(
            reverse("meetings:role_complete", args=[role.public_id]),
            {"next": url, "done_on": typed},
        )
        # Back to the list's own address (its chips and pager are relative links there).
        assert r.status_code == 302 and r["Location"] == f"{url}#role-{role.public_id}"
        page = client.get(url).content.decode()
        row = page[page.index(f'id="role-{role.public_id}"') :]
        row = row[: row.index("</tr>")]
        assert 'data-testid="role-error"' in row and f'value="{typed}"' in row
        assert 'aria-invalid="true"' in row
    role.refresh_from_db()
    assert role.done_on is None


def test_finishing_a_role_after_a_refused_date_returns_to_the_list(client, shared, partner_worker):
    """After a refused 完了日 the list is shown at its own address (not the POST-only one, where
    its relative chips and pager answered 405), and the corrected 完了 lands on it."""
    item, role = shared
    client.force_login(partner_worker)
    complete = reverse("meetings:role_complete", args=[role.public_id])
    list_url = reverse("meetings:my_roles") + "?status=open"
    refused = client.post(complete, {"next": list_url, "done_on": "2030-01-01"}, follow=True)
    assert refused.request["PATH_INFO"] == reverse("meetings:my_roles")
    page = refused.content.decode()
    next_value = html.unescape(re.search(r'name="next" value="([^"]*)"', page).group(1))
    assert next_value == list_url
    r = client.post(complete, {"next": next_value, "done_on": _today().isoformat()})
    assert r.status_code == 302 and r["Location"] == list_url
    landed = client.get(r["Location"])
    assert landed.status_code == 200 and "完了として記録しました" in landed.content.decode()
    role.refresh_from_db()
    assert role.done_by == partner_worker


@pytest.mark.parametrize("elsewhere", ["post-only", "other-site"])
def test_a_completion_returns_only_to_the_roles_list(client, shared, partner_worker, elsewhere):
    item, role = shared
    client.force_login(partner_worker)
    complete = reverse("meetings:role_complete", args=[role.public_id])
    roles_list = reverse("meetings:my_roles")
    next_value = complete if elsewhere == "post-only" else f"https://evil.example{roles_list}"
    r = client.post(complete, {"next": next_value})
    assert r.status_code == 302 and r["Location"] == roles_list


def test_a_role_due_before_the_decision_is_refused_at_its_row(
    client, supervisor, juso, partner, partner_worker
):
    """A 期限 before the decision date: the error at that row's 期限, the input kept — not the
    access grant's 「アクセスの終了は開始より後に」 above the form."""
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="北地区の見守り"
    )
    hold(meeting, supervisor)
    due = meeting.date - dt.timedelta(days=40)
    verified(client, supervisor)
    r = client.post(
        reverse("meetings:item_decide", args=[item.public_id]),
        {
            "kind": DecisionKind.SHARED,
            "decided_on": meeting.date.isoformat(),
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-owner_agency": partner.pk,
            "roles-0-owner_user": partner_worker.pk,
            "roles-0-task": "訪問日程の調整",
            "roles-0-due_on": due.isoformat(),
        },
    )
    assert r.status_code == 200
    page = r.content.decode()
    cell = page[page.index('name="roles-0-due_on"') :]
    cell = cell[: cell.index("</td>")]
    message = f"期限は決定日({format_date(meeting.date)})以降にしてください。"
    assert message in cell and f'value="{due.isoformat()}"' in cell
    assert "訪問日程の調整" in page and "アクセスの終了" not in page
    assert not Decision.objects.filter(item=item).exists()
    # The service (and so the API) refuses it too, before anything is written.
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.SHARED,
            roles=[
                {
                    "owner_agency": partner,
                    "owner_user": partner_worker,
                    "task": "訪問日程の調整",
                    "due_on": due,
                }
            ],
        )
    assert exc.value.message_dict == {"roles": [message]}
    assert not Decision.objects.filter(item=item).exists()


def test_colleague_completes_from_the_item_page_outsider_is_refused(
    client, shared, partner, stranger
):
    item, role = shared
    colleague = staff(partner, Role.CASEWORKER)
    client.force_login(stranger)
    assert "民生委員" not in client.get(reverse("meetings:my_roles")).content.decode()
    r = client.post(reverse("meetings:role_complete", args=[role.public_id]))
    assert r.status_code == 404  # not allowed answers as not found
    assert client.get(reverse("meetings:role_open", args=[role.public_id])).status_code == 404
    role.refresh_from_db()
    assert role.done_on is None
    client.force_login(colleague)
    r = client.get(reverse("meetings:role_open", args=[role.public_id]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("meetings:my_roles"))
    client.post(
        reverse("meetings:role_complete", args=[role.public_id]),
        {"next": "https://evil.example/"},
    )
    role.refresh_from_db()
    assert role.done_by == colleague


def test_item_page_shows_role_status_and_complete_button_to_the_convenor(
    client, shared, supervisor
):
    item, role = shared
    verified(client, supervisor)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "未完了" in page and "民生委員と訪問日程を調整" in page
    # The convenor sees the role but does not complete it for the owner.
    assert reverse("meetings:role_complete", args=[role.public_id]) not in page


def test_roles_page_costs_a_fixed_number_of_queries(
    client, supervisor, juso, partner, partner_worker, django_assert_max_num_queries
):
    meeting = schedule(juso, supervisor, days=-1)
    items = [
        services.agenda_item_add(
            meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title=f"共有{n}"
        )
        for n in range(6)
    ]
    hold(meeting, supervisor)
    for n, item in enumerate(items):
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.SHARED,
            roles=[
                {
                    "owner_agency": partner,
                    "owner_user": partner_worker,
                    "task": f"役割{n}a",
                    "due_on": timezone.localdate(),
                },
                {"owner_agency": partner, "task": f"役割{n}b", "due_on": timezone.localdate()},
            ],
        )
    client.force_login(partner_worker)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("meetings:my_roles")).content.decode()
    assert page.count('data-testid="role-row"') == 12


def test_dashboard_panel_lists_open_roles_until_done(client, shared, partner_worker, stranger):
    item, role = shared
    client.force_login(partner_worker)
    page = client.get(reverse("dashboard")).content.decode()
    assert "会議で割り当てられた役割" in page and "民生委員と訪問日程を調整" in page
    services.role_assignment_complete(assignment=role, actor=partner_worker)
    page = client.get(reverse("dashboard")).content.decode()
    assert "会議で割り当てられた役割" in page and "民生委員と訪問日程を調整" not in page
    client.force_login(stranger)
    assert "民生委員と訪問日程を調整" not in client.get(reverse("dashboard")).content.decode()


def test_plan_page_and_case_timeline_show_the_meeting_behind_plan_rows(
    client, plan_agenda, supervisor, coordinator, city
):
    meeting, item, case, plan = plan_agenda
    services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.PLAN_APPROVED,
        roles=[{"owner_agency": city, "task": "初回訪問の調整", "due_on": _today()}],
    )
    client.force_login(coordinator)
    page = client.get(
        reverse("cases:plan_detail", args=[case.public_id, plan.number])
    ).content.decode()
    assert 'data-testid="plan-item-origin"' in page and meeting.body.name in page
    assert item.get_absolute_url() in page
    case_page = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert "役割分担: 初回訪問の調整" in case_page
    assert f"プラン第{plan.number}版の項目として管理" in case_page


def test_case_timeline_lists_open_and_done_tasks(
    client, supervisor, coordinator, city, juso, partner_worker
):
    """A re-assessment decision follows no plan: its roles are tasks on the case timeline."""
    seat(juso, coordinator, supervisor)
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    hold(meeting, supervisor)
    decision = services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.REASSESS,
        roles=[
            {
                "owner_agency": city,
                "owner_user": coordinator,
                "task": "家計の再確認",
                "due_on": timezone.localdate(),
            }
        ],
    )
    role = decision.roles.get()
    assert role.plan_item is None
    client.force_login(coordinator)
    url = reverse("cases:case_detail", args=[case.public_id])
    assert "役割分担: 家計の再確認" in client.get(url).content.decode()
    services.role_assignment_complete(assignment=role, actor=coordinator)
    assert "役割分担の完了: 家計の再確認" in client.get(url).content.decode()


# --- API ----------------------------------------------------------------------------------------


def test_api_lists_and_completes_the_owners_roles(client, shared, partner_worker, stranger):
    item, role = shared
    client.force_login(partner_worker)
    rows = client.get("/api/v1/meeting-roles/").json()["results"]
    assert [r["id"] for r in rows] == [str(role.public_id)]
    assert rows[0]["task"] == "民生委員と訪問日程を調整" and rows[0]["done_on"] is None
    detail = client.get(f"/api/v1/meeting-roles/{role.public_id}/")
    assert detail.status_code == 200
    assert AuditEvent.objects.filter(action="roleassignment.view", actor=partner_worker).exists()
    r = client.post(f"/api/v1/meeting-roles/{role.public_id}/complete/", {}, "application/json")
    assert r.status_code == 200 and r.json()["done_on"] == _today().isoformat()
    r = client.post(f"/api/v1/meeting-roles/{role.public_id}/complete/", {}, "application/json")
    assert r.status_code == 400 and "すでに完了" in r.content.decode()
    assert client.get("/api/v1/meeting-roles/").json()["results"] == []
    done = client.get("/api/v1/meeting-roles/?status=done").json()["results"]
    assert [r["id"] for r in done] == [str(role.public_id)]


def test_api_refuses_outsiders(client, shared, stranger):
    item, role = shared
    client.force_login(stranger)
    assert client.get("/api/v1/meeting-roles/").json()["results"] == []
    assert client.get(f"/api/v1/meeting-roles/{role.public_id}/").status_code == 404
    r = client.post(f"/api/v1/meeting-roles/{role.public_id}/complete/", {}, "application/json")
    assert r.status_code == 404
    role.refresh_from_db()
    assert role.done_on is None


def test_api_decision_shows_role_state(client, shared, supervisor):
    item, role = shared
    verified(client, supervisor)
    data = client.get(f"/api/v1/meeting-decisions/{role.decision.public_id}/").json()
    assert data["roles"][0]["id"] == str(role.public_id)
    assert data["roles"][0]["plan_number"] is None and data["roles"][0]["done_on"] is None


# --- reminders -----------------------------------------------------------------------------------


def test_role_reminder_stops_once_the_owner_marks_it_done(shared, partner_worker):
    from notifications.models import Notification
    from notifications.services import sweep

    item, role = shared
    sweep(_today())
    [note] = Notification.objects.filter(rule="role_assignment_due", recipient=partner_worker)
    assert note.url == reverse("meetings:role_open", args=[role.public_id])
    assert note.resolved_at is None
    services.role_assignment_complete(assignment=role, actor=partner_worker)
    sweep(_today())
    note.refresh_from_db()
    assert note.resolved_at is not None


def test_roles_that_became_plan_items_are_not_reminded_as_tasks(
    plan_agenda, supervisor, city, partner, partner_worker
):
    from notifications.models import Notification
    from notifications.services import sweep

    meeting, item, case, plan = plan_agenda
    roles = _two_roles(city, partner, partner_worker)
    roles[1]["due_on"] = _today()
    services.item_record_decision(
        item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED, roles=roles
    )
    sweep(_today())
    assert not Notification.objects.filter(rule="role_assignment_due").exists()


def test_role_assignment_is_work_notified_with_due_date_and_case_link(
    client,
    supervisor,
    juso,
    city,
    coordinator,
    partner,
    partner_worker,
    django_capture_on_commit_callbacks,
):
    """Issue 10 item 3: the owner is told at once (in-app, so also in the digest), the notice and
    the owner's list lead to the case, and the owner list offers care staff only."""
    from meetings.forms import RoleForm
    from notifications.models import Notification

    resident = staff(partner, Role.RESIDENT)
    admin = staff(partner, Role.ADMIN)
    choices = set(RoleForm().fields["owner_user"].queryset)
    assert partner_worker in choices and resident not in choices and admin not in choices
    assert "due_on" in RoleForm({"owner_agency": partner.pk, "task": "x"}).errors

    seat(juso, coordinator, supervisor)
    case, plan = submitted_plan(coordinator, city, partners=[partner])
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="共有", case=case
    )
    hold(meeting, supervisor)
    due = timezone.localdate() + dt.timedelta(days=7)
    for owner in (resident, admin):
        with pytest.raises(ValidationError):
            services.item_record_decision(
                item=item,
                actor=supervisor,
                kind=DecisionKind.SHARED,
                roles=[{"owner_agency": partner, "owner_user": owner, "task": "x", "due_on": due}],
            )
    with pytest.raises(ValidationError, match="期限"):
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.SHARED,
            roles=[{"owner_agency": partner, "task": "x"}],
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.SHARED,
            roles=[
                {
                    "owner_agency": partner,
                    "owner_user": partner_worker,
                    "task": "家計の確認",
                    "due_on": due,
                }
            ],
        )
    role = RoleAssignment.objects.get(decision__item=item)
    note = Notification.objects.get(recipient=partner_worker, rule="role_assignment_new")
    assert case.number in note.title and format_date(due, seireki=False) in note.title
    assert (
        note.message_code == "role_assignment_new.title" and note.params["subject"] == case.number
    )
    assert note.url == role.get_absolute_url() and note.due_date == due
    services.role_assignments_notify(role_ids=[role.pk])  # safe to run twice
    assert Notification.objects.filter(rule="role_assignment_new").count() == 1
    client.force_login(partner_worker)
    page = client.get(reverse("meetings:my_roles"))
    assert 'data-testid="role-case"' in page.content.decode()
    assert case.number in page.content.decode()


def test_dashboard_panel_reads_its_rows_in_one_query_with_everything_it_shows(
    supervisor, coordinator, city, juso, partner, partner_worker, django_assert_num_queries
):
    """The panel selects only the columns it prints: a column it prints but did not select would
    cost a query per row (deferred field), so the row count must not change the queries."""
    from meetings import panels

    seat(juso, coordinator, supervisor)
    case, _plan = submitted_plan(coordinator, city, partners=[partner])
    meeting = schedule(juso, supervisor, days=-1)
    with_case = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="共有", case=case
    )
    general = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="地域の共有"
    )
    hold(meeting, supervisor)
    due = _today() + dt.timedelta(days=3)
    for item, task in ((with_case, "家計の確認"), (general, "見守りの調整")):
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.SHARED,
            roles=[{"owner_agency": partner, "task": task, "due_on": due}],
        )
    partner_worker.current_memberships()  # the request's memberships, read by the middleware
    with django_assert_num_queries(1):  # the rows; no COUNT, they fit on the panel
        panel = panels.my_roles(partner_worker)
    labels = sorted(i.label for i in panel.items)
    assert labels == [f"{case.number}: 家計の確認", f"{juso.name}: 見守りの調整"]
    agency = partner.short_name or partner.name
    assert all(agency in i.meta and juso.name in i.meta for i in panel.items)
    assert panel.count == 2


def test_a_consent_meeting_gives_no_role_to_an_agency_the_consent_does_not_name(
    client, supervisor, juso, city, coordinator, partner, partner_worker
):
    """A role on a 重層的支援会議 opens the case only to an agency a consent in force names: one
    given to any other agency would send its owner to pages that refuse them. Refused at the
    decision, with the reason at the roles; nothing is recorded."""
    seat(juso, coordinator, supervisor)
    case, _plan = submitted_plan(coordinator, city)  # the consent names the city only
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="共有", case=case
    )
    hold(meeting, supervisor)
    role = {"owner_agency": partner, "owner_user": partner_worker, "task": "家計の確認"}
    role["due_on"] = _today() + dt.timedelta(days=7)
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(
            item=item, actor=supervisor, kind=DecisionKind.SHARED, roles=[role]
        )
    assert "本人同意の共有先に含まれていない" in str(exc.value)
    assert partner.name in str(exc.value)
    assert not Decision.objects.filter(item=item).exists()

    # The form shows it and keeps the decision typed; the running agency may take the role.
    verified(client, supervisor)
    page = client.post(
        reverse("meetings:item_decide", args=[item.public_id]),
        {
            "kind": DecisionKind.SHARED,
            "text": "見守りを続ける",
            "decided_on": meeting.date.isoformat(),
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-owner_agency": partner.pk,
            "roles-0-owner_user": partner_worker.pk,
            "roles-0-task": "家計の確認",
            "roles-0-due_on": role["due_on"].isoformat(),
        },
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "本人同意の共有先に含まれていない" in body and "見守りを続ける" in body
    decision = services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.SHARED,
        roles=[{**role, "owner_agency": city, "owner_user": None}],
    )
    assert decision.roles.get().owner_agency == city


def test_a_decision_is_not_dated_before_its_meeting(supervisor, juso, city, coordinator):
    seat(juso, coordinator, supervisor)
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="地域の共有"
    )
    hold(meeting, supervisor)
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.SHARED,
            decided_on=meeting.date - dt.timedelta(days=1),
        )
    assert "decided_on" in exc.value.message_dict
    assert not Decision.objects.filter(item=item).exists()
    decision = services.item_record_decision(
        item=item, actor=supervisor, kind=DecisionKind.SHARED, decided_on=meeting.date
    )
    assert decision.decided_on == meeting.date

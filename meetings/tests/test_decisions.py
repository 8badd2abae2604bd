"""Decisions drive the case lifecycle atomically; minutes become immutable once approved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.jpdates import format_date
from agencies.tests.factories import staff
from audit.models import AuditEvent
from cases.models import CaseTransition, Evaluation, Plan, SupportCase
from cases.services import support as s
from community.models import CommunityIssue
from meetings import lifecycle, services
from meetings.choices import AgendaKind, DecisionKind, MeetingStatus
from meetings.models import Decision, MinutesAddendum, RoleAssignment

from .conftest import hold, schedule, seat, submitted_plan, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(supervisor, coordinator, city, juso, partner_worker):
    """Yesterday's 重層的支援会議 with one plan on the agenda (the case team includes the city)."""
    seat(juso, coordinator, supervisor)
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    return meeting, item, case, plan


def test_decision_on_a_meeting_not_held_is_refused(agenda, supervisor):
    meeting, item, case, plan = agenda
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    assert "まだ開催されていない" in str(exc.value)
    assert not Decision.objects.exists()
    case.refresh_from_db()
    assert case.status == SupportCase.Status.IN_MEETING


def test_no_attendance_and_not_held_before_the_meeting_day(client, supervisor, juso):
    """Eight days ahead: attendance is refused (screen and API: 400) and the meeting cannot be
    marked held; the messages give the date in the house style."""
    meeting = schedule(juso, supervisor, days=8)
    services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="a"
    )
    meeting.refresh_from_db()
    services.agenda_fix(meeting=meeting, actor=supervisor, expected_version=meeting.version)
    on = format_date(meeting.date)
    verified(client, supervisor)
    r = client.post(reverse("meetings:attendance", args=[meeting.public_id]), {"externals": "a/b"})
    assert r.status_code == 200 and f"出欠は開催日({on})から記録できます。" in r.content.decode()
    r = client.post(
        f"/api/v1/meetings/{meeting.public_id}/attendance/",
        {"members": [], "externals": [{"name": "a", "organisation": "b"}]},
        content_type="application/json",
    )
    assert r.status_code == 400 and "出欠は開催日" in str(r.json())
    assert not meeting.attendance.exists()
    with pytest.raises(ValidationError) as exc:
        services.meeting_mark_held(meeting=meeting, actor=supervisor)
    assert exc.value.messages == [f"開催日({on})より前に開催済みにはできません。"]
    assert meeting.date.isoformat() not in str(exc.value)


def test_decision_dates_are_refused_in_the_future_and_review_before_the_decision(
    client, agenda, supervisor
):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(
            item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED, decided_on=tomorrow
        )
    assert exc.value.message_dict == {"decided_on": ["決定日に未来の日付は指定できません。"]}
    before = meeting.date - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(
            item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED, next_review_on=before
        )
    review_message = f"次回確認日は決定日({format_date(meeting.date)})以降にしてください。"
    assert exc.value.message_dict == {"next_review_on": [review_message]}
    # The screen shows it at the field with the input kept; the API answers 400.
    verified(client, supervisor)
    r = client.post(
        reverse("meetings:item_decide", args=[item.public_id]),
        {
            "kind": "plan_approved",
            "decided_on": meeting.date.isoformat(),
            "next_review_on": before.isoformat(),
            "roles-TOTAL_FORMS": 0,
            "roles-INITIAL_FORMS": 0,
        },
    )
    page = r.content.decode()
    assert r.status_code == 200 and review_message in page and before.isoformat() in page
    r = client.post(
        f"/api/v1/agenda-items/{item.public_id}/decision/",
        {"kind": "plan_approved", "decided_on": tomorrow.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and "未来の日付" in str(r.json())
    assert not Decision.objects.exists()
    case.refresh_from_db()
    assert case.status == SupportCase.Status.IN_MEETING


def test_plan_approval_moves_the_case_to_supporting(agenda, supervisor, city, partner):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    decision = services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.PLAN_APPROVED,
        text="プランのとおり支援を開始",
        roles=[{"owner_agency": city, "task": "初回訪問の調整", "due_on": timezone.localdate()}],
        next_review_on=timezone.localdate() + timezone.timedelta(days=90),
    )
    case.refresh_from_db()
    plan.refresh_from_db()
    assert case.status == SupportCase.Status.SUPPORTING
    assert plan.status == Plan.Status.APPROVED and plan.meeting_on == meeting.date
    last = case.transitions.order_by("-at", "-pk").first()
    assert last.via == CaseTransition.Via.MEETING and last.via_item == item.ref
    assert decision.transition == "plan_approve"
    assert RoleAssignment.objects.get(decision=decision).task == "初回訪問の調整"
    assert AuditEvent.objects.filter(action="decision.create", object_id=str(decision.pk)).exists()
    with pytest.raises(ValidationError):
        services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)


def test_approved_with_changes_needs_the_changes(agenda, supervisor):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    with pytest.raises(ValidationError):
        services.item_record_decision(
            item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED_WITH_CHANGES
        )
    services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.PLAN_APPROVED_WITH_CHANGES,
        changes="就労支援の期限を3か月延ばす",
    )
    plan.refresh_from_db()
    assert plan.decision_note == "就労支援の期限を3か月延ばす"


def test_reassessment_sends_the_case_back(agenda, supervisor):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    services.item_record_decision(
        item=item, actor=supervisor, kind=DecisionKind.REASSESS, text="家計の状況を再確認"
    )
    case.refresh_from_db()
    plan.refresh_from_db()
    assert case.status == SupportCase.Status.ASSESSMENT and plan.status == Plan.Status.DRAFT


def test_failure_midway_leaves_nothing(agenda, supervisor, monkeypatch):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    real = s.plan_approve

    def approve_then_fail(**kwargs):
        real(**kwargs)  # the case has moved inside the transaction ...
        raise ValidationError("途中で失敗")  # ... and then something fails

    monkeypatch.setattr(s, "plan_approve", approve_then_fail)
    with pytest.raises(ValidationError):
        services.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.PLAN_APPROVED,
            roles=[
                {
                    "owner_agency": meeting.body.convenor,
                    "task": "訪問",
                    "due_on": timezone.localdate(),
                }
            ],
        )
    case.refresh_from_db()
    plan.refresh_from_db()
    assert case.status == SupportCase.Status.IN_MEETING
    assert plan.status == Plan.Status.SUBMITTED
    assert not Decision.objects.exists() and not RoleAssignment.objects.exists()
    assert not CaseTransition.objects.filter(via_item=item.ref).exists()
    assert not AuditEvent.objects.filter(action__in=["decision.create", "plan.approve"]).exists()


def test_lifecycle_refusal_is_a_clear_message_and_rolls_back(
    agenda, supervisor, partner_worker, monkeypatch
):
    from agencies.policy import PolicyDenied

    meeting, item, case, plan = agenda
    hold(meeting, supervisor)

    def deny(**kwargs):
        raise PolicyDenied("plan.approve", __import__("agencies.policy", fromlist=["DENY"]).DENY)

    monkeypatch.setattr(s, "plan_approve", deny)
    with pytest.raises(ValidationError) as exc:
        services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    assert "権限がありません" in str(exc.value)
    assert not Decision.objects.exists()


def _ready_evaluation(case, coordinator):
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    items = [{"id": i.pk, "achievement": "achieved", "note": "ok"} for i in evaluation.items.all()]
    s.evaluation_update(
        evaluation=evaluation,
        actor=coordinator,
        lock_version=evaluation.lock_version,
        data={"overall": "見通しがついた", "proposed_decision": "close"},
        items=items,
    )
    return s.evaluation_ready(evaluation=evaluation, actor=coordinator)


def test_closure_approved_closes_the_case_with_a_lead_agency(
    agenda, supervisor, coordinator, partner, juso
):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    services.minutes_approve(meeting=meeting, actor=supervisor)
    case.refresh_from_db()
    evaluation = _ready_evaluation(case, coordinator)
    second = schedule(juso, supervisor, days=0)
    ev_item = services.agenda_item_add(
        meeting=second, actor=supervisor, source=f"evaluation:{evaluation.public_id}"
    )
    assert ev_item.kind == AgendaKind.EVALUATION and "【評価】" in ev_item.paper
    hold(second, supervisor)
    with pytest.raises(ValidationError):
        services.item_record_decision(
            item=ev_item, actor=supervisor, kind=DecisionKind.CLOSURE_APPROVED
        )
    services.item_record_decision(
        item=ev_item,
        actor=supervisor,
        kind=DecisionKind.CLOSURE_APPROVED,
        lead_agency=partner,
        closure_reason="roles_agreed",
    )
    case.refresh_from_db()
    evaluation.refresh_from_db()
    assert case.status == SupportCase.Status.CLOSED and case.lead_agency == partner
    assert evaluation.status == Evaluation.Status.DECIDED


def test_a_hand_back_tells_the_receiving_agency(
    agenda, supervisor, coordinator, partner, juso, django_capture_on_commit_callbacks
):
    """つなぎもどし at a meeting: the agency the case goes back to hears of it at once (its
    coordinator here), with the case number and the date — no person's name."""
    from notifications.models import Notification

    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    services.minutes_approve(meeting=meeting, actor=supervisor)
    case.refresh_from_db()
    evaluation = _ready_evaluation(case, coordinator)
    second = schedule(juso, supervisor, days=0)
    ev_item = services.agenda_item_add(
        meeting=second, actor=supervisor, source=f"evaluation:{evaluation.public_id}"
    )
    hold(second, supervisor)
    receiver = staff(partner, Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.item_record_decision(
            item=ev_item, actor=supervisor, kind=DecisionKind.HAND_BACK, lead_agency=partner
        )
    case.refresh_from_db()
    assert case.status == SupportCase.Status.HANDED_BACK and case.lead_agency == partner
    [note] = Notification.objects.filter(rule=services.HAND_BACK_RULE)
    assert note.recipient == receiver
    assert case.number in note.title and "つなぎもどされました" in note.title
    assert format_date(decision.decided_on, seireki=False) in note.title
    assert case.principal.family_name not in note.title + note.body
    assert note.url == reverse("cases:case_detail", args=[case.public_id])
    assert services.hand_back_notify(decision_id=decision.pk) == 0  # safe to run twice


def test_resource_gap_becomes_a_community_issue(supervisor, juso):
    meeting = schedule(juso, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.RESOURCE_GAP, title="夜間の居場所がない"
    )
    hold(meeting, supervisor)
    services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.RESOURCE_GAP,
        issue_title="若者の夜間の居場所",
        issue_description="地域づくりで検討",
    )
    issue = CommunityIssue.objects.get()
    assert issue.raised_from == item and issue.status == CommunityIssue.Status.RAISED


def test_minutes_are_immutable_after_approval(agenda, supervisor):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    services.minutes_update(meeting=meeting, actor=supervisor, minutes="全体の議事録")
    with pytest.raises(ValidationError) as exc:
        services.minutes_approve(meeting=meeting, actor=supervisor)
    assert "決定が記録されていない議題" in str(exc.value)
    services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    services.minutes_approve(meeting=meeting, actor=supervisor)
    meeting.refresh_from_db()
    assert (
        meeting.status == MeetingStatus.MINUTES_APPROVED
        and meeting.minutes_approved_by == supervisor
    )
    for attempt in (
        lambda: services.minutes_update(meeting=meeting, actor=supervisor, minutes="書き換え"),
        lambda: services.item_update_notes(item=item, actor=supervisor, notes="書き換え"),
        lambda: services.paper_update(item=item, actor=supervisor, paper="書き換え"),
        lambda: services.attendance_record(meeting=meeting, actor=supervisor, members={}),
    ):
        with pytest.raises(ValidationError):
            attempt()
    meeting.refresh_from_db()
    assert meeting.minutes == "全体の議事録"
    addendum = services.addendum_add(
        meeting=meeting, actor=supervisor, item=item, text="役割分担の期限を訂正", reason="記載誤り"
    )
    assert MinutesAddendum.objects.get() == addendum


def test_only_a_supervisor_approves_minutes(agenda, supervisor, coordinator):
    from agencies.policy import PolicyDenied

    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    with pytest.raises(PolicyDenied):
        services.minutes_approve(meeting=meeting, actor=coordinator)


def test_decision_kinds_match_the_item(agenda, supervisor):
    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    with pytest.raises(ValidationError):
        services.item_record_decision(
            item=item, actor=supervisor, kind=DecisionKind.CLOSURE_APPROVED
        )
    assert lifecycle.EVALUATION_DECISIONS[DecisionKind.CLOSURE_APPROVED] == "close"


def test_case_timeline_shows_the_meeting_for_the_team_only(
    agenda, supervisor, coordinator, stranger
):
    from cases.timeline import timeline_for

    meeting, item, case, plan = agenda
    hold(meeting, supervisor)
    services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.PLAN_APPROVED)
    case.refresh_from_db()
    entries = [e for e in timeline_for(case, coordinator) if e.kind == "meeting"]
    assert (
        len(entries) == 1
        and entries[0].detail == "プラン承認"
        and entries[0].url == item.get_absolute_url()
    )
    assert not [e for e in timeline_for(case, stranger) if e.kind == "meeting"]

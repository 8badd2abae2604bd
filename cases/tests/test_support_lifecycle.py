"""Transitions of the 多機関協働 case and their guards."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import PolicyDenied
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.choices import ClosureReason
from cases.models import CaseTransition, Evaluation, LeadAgencyHistory, Plan, SupportCase
from cases.services import support as s
from cases.tests.factories import (
    MEETING_ITEM,
    ConsentFactory,
    case_with_approved_plan,
    drafted_plan,
    multiagency_agency,
    open_case,
)

pytestmark = pytest.mark.django_db
Status = SupportCase.Status


@pytest.fixture
def coordinator(body):
    return staff(body, Role.COORDINATOR)


@pytest.fixture
def supervisor(body):
    return staff(body, Role.SUPERVISOR)


def test_case_numbers_run_per_fiscal_year(body, coordinator):
    from django.db import transaction

    with transaction.atomic():
        first = s.support_case_next_number(2026)
        second = s.support_case_next_number(2026)
        other_year = s.support_case_next_number(2027)
    assert (first, second, other_year) == ("R8-0001", "R8-0002", "R9-0001")


def test_case_create_names_lead_and_team(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    assert case.status == Status.RECEIVED
    assert case.number.startswith("R")
    assert case.team.get().role == "coordinator"
    assert LeadAgencyHistory.objects.get(case=case).agency == body
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).exists()


def test_assessment_moves_received_case_to_assessment(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    s.assessment_create(case=case, actor=coordinator)
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT
    t = CaseTransition.objects.get(case=case)
    assert (t.from_status, t.to_status, t.actor) == (
        Status.RECEIVED,
        Status.ASSESSMENT,
        coordinator,
    )


def test_no_supporting_without_an_approved_plan(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    s.assessment_create(case=case, actor=coordinator)
    s.plan_create(case=case, actor=coordinator)
    case.refresh_from_db()
    assert case.status == Status.PLANNING
    with pytest.raises(ValidationError, match="承認されたプランがない"):
        s._move(case, actor=coordinator, to=Status.SUPPORTING)
    case.refresh_from_db()
    assert case.status == Status.PLANNING


def test_plan_cannot_be_approved_before_submission(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    s.assessment_create(case=case, actor=coordinator)
    plan = s.plan_create(case=case, actor=coordinator)
    with pytest.raises(ValidationError):
        s.plan_approve(
            via_item=MEETING_ITEM, plan=plan, actor=coordinator, decided_on=timezone.localdate()
        )


def test_submit_requires_goal_period_and_items(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    s.assessment_create(case=case, actor=coordinator)
    plan = s.plan_create(case=case, actor=coordinator)
    with pytest.raises(ValidationError, match="総合的な目標"):
        s.plan_submit(plan=plan, actor=coordinator)


def test_submit_refuses_an_item_agency_the_consent_does_not_name(body, coordinator):
    """Approval puts every item's agency on the team; an agency no consent in force names
    would be given work on a case it cannot open, so the plan is not submitted until the
    consent names it."""
    partner = AgencyFactory(name="くらし相談センター")
    case, plan = drafted_plan(coordinator=coordinator, agency=body, item_agencies=[partner])
    ConsentFactory(person=case.principal, agencies=[body])
    with pytest.raises(ValidationError, match="本人同意の共有先に含まれていない担当機関"):
        s.plan_submit(plan=plan, actor=coordinator)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    ConsentFactory(person=case.principal, agencies=[partner])
    s.plan_submit(plan=plan, actor=coordinator)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED


def test_approval_supersedes_previous_plan_and_starts_support(body, coordinator, supervisor):
    partner = AgencyFactory()
    case, plan = case_with_approved_plan(
        coordinator=coordinator, agency=body, partner_agencies=[partner]
    )
    assert case.status == Status.SUPPORTING
    assert plan.status == Plan.Status.APPROVED
    assert case.team.current().filter(agency=partner).exists()
    t = case.transitions.get(to_status=Status.SUPPORTING)
    assert t.via == CaseTransition.Via.MEETING and t.decided_on == timezone.localdate()
    assert t.via_item == MEETING_ITEM
    # 再プラン: a new version, approved by the supervisor through a meeting item
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    _complete(evaluation, coordinator, decision="replan")
    s.evaluation_decide(
        via_item=MEETING_ITEM,
        evaluation=evaluation,
        actor=supervisor,
        decided_on=timezone.localdate(),
        decision="replan",
    )
    case.refresh_from_db()
    assert case.status == Status.REPLAN
    plan2 = s.plan_create(case=case, actor=coordinator)
    assert plan2.number == 2 and plan2.items.count() == 2
    s.plan_submit(plan=plan2, actor=coordinator)
    s.plan_approve(
        plan=plan2,
        actor=supervisor,
        decided_on=timezone.localdate(),
        via_item="meetings.agendaitem:abc",
    )
    plan.refresh_from_db()
    case.refresh_from_db()
    assert plan.status == Plan.Status.SUPERSEDED
    assert case.status == Status.SUPPORTING
    last = case.transitions.order_by("-at", "-pk").first()
    assert last.via == CaseTransition.Via.MEETING and last.via_item == "meetings.agendaitem:abc"


def _complete(evaluation, actor, decision="close", lead=None):
    items = [{"id": i.pk, "achievement": "achieved", "note": "ok"} for i in evaluation.items.all()]
    s.evaluation_update(
        evaluation=evaluation,
        actor=actor,
        lock_version=evaluation.lock_version,
        data={
            "overall": "見通しがついた",
            "proposed_decision": decision,
            "proposed_lead_agency": lead,
        },
        items=items,
    )
    return s.evaluation_ready(evaluation=evaluation, actor=actor)


def test_no_closure_without_evaluation(body, coordinator):
    case, _plan = case_with_approved_plan(coordinator=coordinator, agency=body)
    with pytest.raises(ValidationError, match="評価シート"):
        s._move(case, actor=coordinator, to=Status.EVALUATION)  # allowed
        s._move(case, actor=coordinator, to=Status.CLOSED)
    case.refresh_from_db()
    assert case.status == Status.EVALUATION


def test_no_closure_without_a_named_lead_agency(body, coordinator):
    case, _plan = case_with_approved_plan(coordinator=coordinator, agency=body)
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    _complete(evaluation, coordinator)
    with pytest.raises(ValidationError, match="主担当"):
        s.evaluation_decide(
            via_item=MEETING_ITEM,
            evaluation=evaluation,
            actor=coordinator,
            decided_on=timezone.localdate(),
            decision="close",
        )
    case.refresh_from_db()
    evaluation.refresh_from_db()
    assert case.status == Status.EVALUATION and evaluation.status == Evaluation.Status.READY


def test_evaluation_must_be_ready_before_a_decision(body, coordinator):
    case, _plan = case_with_approved_plan(coordinator=coordinator, agency=body)
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    with pytest.raises(ValidationError, match="会議に提出された評価シート"):
        s.evaluation_decide(
            via_item=MEETING_ITEM,
            evaluation=evaluation,
            actor=coordinator,
            decided_on=timezone.localdate(),
            decision="close",
            lead_agency=body,
        )
    with pytest.raises(ValidationError, match="達成度"):
        s.evaluation_ready(evaluation=evaluation, actor=coordinator)


def test_closure_sets_lead_agency_history_and_reopen_keeps_history(body, coordinator, supervisor):
    houkatsu = AgencyFactory()
    case, _plan = case_with_approved_plan(coordinator=coordinator, agency=body)
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    _complete(evaluation, coordinator, lead=houkatsu)
    s.evaluation_decide(
        via_item=MEETING_ITEM,
        evaluation=evaluation,
        actor=supervisor,
        decided_on=timezone.localdate(),
        decision="close",
        lead_agency=houkatsu,
        closure_reason=ClosureReason.CONNECTED,
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.lead_agency == houkatsu
    assert case.closure_reason == ClosureReason.CONNECTED and case.closed_on == timezone.localdate()
    history = list(case.lead_history.order_by("pk"))
    assert [h.agency for h in history] == [body, houkatsu] and history[0].ended_on is not None
    # 終結 clears the monitoring dates and sets the post-closure check (見守り継続).
    assert case.next_monitoring_on is None
    assert not case.plans.filter(next_monitoring_on__isnull=False).exists()
    assert case.followup_on == timezone.localdate() + dt.timedelta(days=s.FOLLOWUP_DAYS)
    assert case.followup_note
    n_transitions = case.transitions.count()
    s.case_reopen(case=case, actor=coordinator, reason="再び困りごとが生じた")
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT and case.reopen_count == 1 and case.closed_on is None
    assert case.followup_on is None
    assert case.transitions.count() == n_transitions + 1
    assert case.evaluations.count() == 1 and case.plans.count() == 1


def test_hand_back_names_the_agency(body, coordinator):
    houkatsu = AgencyFactory()
    case, _plan = case_with_approved_plan(coordinator=coordinator, agency=body)
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    _complete(evaluation, coordinator, decision="hand_back")
    s.evaluation_decide(
        via_item=MEETING_ITEM,
        evaluation=evaluation,
        actor=coordinator,
        decided_on=timezone.localdate(),
        decision="hand_back",
        lead_agency=houkatsu,
    )
    case.refresh_from_db()
    assert case.status == Status.HANDED_BACK and case.lead_agency == houkatsu


def test_continue_returns_to_support(body, coordinator):
    case, _plan = case_with_approved_plan(coordinator=coordinator, agency=body)
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    _complete(evaluation, coordinator, decision="continue")
    s.evaluation_decide(
        via_item=MEETING_ITEM,
        evaluation=evaluation,
        actor=coordinator,
        decided_on=timezone.localdate(),
        decision="continue",
    )
    case.refresh_from_db()
    assert case.status == Status.SUPPORTING


def test_death_closes_with_coded_reason_without_evaluation(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    s.case_close_exceptional(
        case=case, actor=coordinator, reason=ClosureReason.DIED, closed_on=timezone.localdate()
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closure_reason == ClosureReason.DIED
    case2 = open_case(coordinator=coordinator, agency=body)
    with pytest.raises(ValidationError):
        s.case_close_exceptional(
            case=case2,
            actor=coordinator,
            reason=ClosureReason.STABLE,
            closed_on=timezone.localdate(),
        )


def test_meeting_decisions_need_the_meeting_date(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    s.assessment_create(case=case, actor=coordinator)
    plan = s.plan_create(case=case, actor=coordinator)
    with pytest.raises(ValidationError, match="会議の日付"):
        s.plan_approve(via_item=MEETING_ITEM, plan=plan, actor=coordinator, decided_on=None)
    with pytest.raises(ValidationError, match="未来"):
        s.case_request_reassessment(
            via_item=MEETING_ITEM,
            case=case,
            actor=coordinator,
            reason="x",
            decided_on=timezone.localdate() + dt.timedelta(days=3),
        )


def test_request_reassessment_returns_submitted_plan_to_draft(body, coordinator, supervisor):
    case = open_case(coordinator=coordinator, agency=body)
    ConsentFactory(person=case.principal, agencies=[case.coordinating_agency])
    s.assessment_create(case=case, actor=coordinator)
    plan = s.plan_create(case=case, actor=coordinator)
    s.plan_update(
        plan=plan,
        actor=coordinator,
        lock_version=plan.lock_version,
        data={
            "overall_goal": "g",
            "period_start": timezone.localdate(),
            "period_end": timezone.localdate() + dt.timedelta(days=30),
        },
        items=[{"issue": "i", "goal": "g", "action": "a", "agency": body}],
    )
    s.plan_submit(plan=plan, actor=coordinator)
    case.refresh_from_db()
    assert case.status == Status.IN_MEETING
    assert list(Plan.objects.submitted()) == [plan]
    s.case_request_reassessment(
        case=case,
        actor=supervisor,
        reason="情報が不足",
        decided_on=timezone.localdate(),
        via_item="meetings.agendaitem:1",
    )
    case.refresh_from_db()
    plan.refresh_from_db()
    assert case.status == Status.ASSESSMENT and plan.status == Plan.Status.DRAFT
    assert AuditEvent.objects.filter(
        action="plan.update", object_id=str(plan.pk), actor=supervisor
    ).exists()


def test_only_team_members_edit(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    outsider = staff(AgencyFactory(), Role.COORDINATOR)
    with pytest.raises(PolicyDenied):
        s.assessment_create(case=case, actor=outsider)
    with pytest.raises(PolicyDenied):
        s.note_create(case=case, actor=outsider, kind="phone", content="x")
    # joining the team is not enough without the person's consent naming the agency
    partner = AgencyFactory()
    worker = staff(partner, Role.CASEWORKER)
    s.team_add(case=case, actor=coordinator, agency=partner)
    with pytest.raises(PolicyDenied):
        s.note_create(case=case, actor=worker, kind="phone", content="x")
    ConsentFactory(person=case.principal, agencies=[partner])
    case = SupportCase.objects.get(pk=case.pk)
    note = s.note_create(case=case, actor=worker, kind="phone", content="電話で状況確認")
    assert note.agency == partner
    # a caseworker of the team agency cannot manage transitions
    with pytest.raises(PolicyDenied):
        s.case_start_planning(case=case, actor=worker)


def test_information_only_team_members_read_but_do_not_write(body, coordinator):
    case = open_case(coordinator=coordinator, agency=body)
    watcher_agency = AgencyFactory()
    watcher = staff(watcher_agency, Role.CASEWORKER)
    s.team_add(case=case, actor=coordinator, agency=watcher_agency, role="information")
    ConsentFactory(person=case.principal, agencies=[watcher_agency])
    from agencies.policy import can

    case = SupportCase.objects.get(pk=case.pk)
    assert can(watcher, "case.view", case)
    assert not can(watcher, "note.create", case)


def test_caseworker_of_the_body_cannot_record_decisions(body, coordinator):
    case, _plan = case_with_approved_plan(coordinator=coordinator, agency=body)
    colleague = staff(body, Role.CASEWORKER)
    evaluation = s.evaluation_create(case=case, actor=coordinator)
    _complete(evaluation, coordinator)
    with pytest.raises(PolicyDenied):
        s.evaluation_decide(
            via_item=MEETING_ITEM,
            evaluation=evaluation,
            actor=colleague,
            decided_on=timezone.localdate(),
            decision="close",
            lead_agency=body,
        )


def test_list_and_single_checks_agree_across_agencies(body, coordinator):
    """The list filter and the per-case rule are the same rule (no stray correlation)."""
    from agencies.policy import can
    from cases.selectors.support import cases_visible_to

    other_body = multiagency_agency()
    other_coordinator = staff(other_body, Role.COORDINATOR)
    mine = open_case(coordinator=coordinator, agency=body)
    theirs = open_case(coordinator=other_coordinator, agency=other_body)
    s.team_add(
        case=mine, actor=coordinator, agency=other_body
    )  # on the team, but no consent names them
    partner = AgencyFactory()
    s.team_add(case=theirs, actor=other_coordinator, agency=partner)
    ConsentFactory(person=theirs.principal, agencies=[partner])
    partner_worker = staff(partner, Role.CASEWORKER)
    for user in (coordinator, other_coordinator, partner_worker):
        listed = set(cases_visible_to(user))
        for case in (mine, theirs):
            fresh = SupportCase.objects.get(pk=case.pk)
            assert (fresh in listed) == can(user, "case.view", fresh), (user, case)
    assert set(cases_visible_to(other_coordinator)) == {theirs}
    assert set(cases_visible_to(partner_worker)) == {theirs}


def test_no_decision_without_a_meeting_record(body, coordinator, supervisor):
    """Plan approval, re-assessment and evaluation decisions exist only as meeting decisions:
    without the agenda item's reference every one of them is refused (also for the supervisor
    and for the coordinator approving their own plan)."""
    case = open_case(coordinator=coordinator, agency=body)
    s.assessment_create(case=case, actor=coordinator)
    plan = s.plan_create(case=case, actor=coordinator)
    for actor in (coordinator, supervisor):
        with pytest.raises(ValidationError, match="会議の記録からのみ"):
            s.plan_approve(plan=plan, actor=actor, decided_on=timezone.localdate())
        with pytest.raises(ValidationError, match="会議の記録からのみ"):
            s.case_request_reassessment(
                case=case, actor=actor, reason="x", decided_on=timezone.localdate()
            )
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    assert not case.transitions.filter(via=CaseTransition.Via.SUPERVISOR_RECORD).exists()


def test_a_case_at_the_meeting_goes_back_to_planning_only_with_its_plan(body, coordinator):
    """From 会議付議 the way back is the plan's 「作成中に戻す」: the case alone back to プラン作成
    would leave its plan on the meeting's queue."""
    case, plan = drafted_plan(coordinator=coordinator, agency=body)
    ConsentFactory(person=case.principal, agencies=[body])
    s.plan_submit(plan=plan, actor=coordinator)
    case.refresh_from_db()
    assert case.status == Status.IN_MEETING
    from cases.views.support import _available_actions

    assert "start_planning" not in dict(_available_actions(coordinator, case))
    with pytest.raises(ValidationError, match="作成中に戻す"):
        s.case_start_planning(case=case, actor=coordinator)
    plan.refresh_from_db()
    s.plan_return(plan=plan, actor=coordinator, reason="会議前に内容を見直す")
    case.refresh_from_db()
    assert case.status == Status.PLANNING
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT

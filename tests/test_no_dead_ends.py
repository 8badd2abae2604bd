"""No dead ends (issue 10): walk every state of the workflows for every agency kind of the demo
city and fail when a state that is not terminal has nobody who can move it on.

The workflows are the tables the HTML views and the API read (agencies.workflow), so what this
test proves is what users get.
"""

import random

import pytest

from agencies.choices import AgencyKind
from agencies.models import Agency, User
from cases.models import ConcernSlip, Referral
from cases.services import intake as s
from cases.tests.factories import household_with_members
from cases.workflows import REFERRAL_WORKFLOW, SLIP_WORKFLOW

R = Referral.Status


@pytest.fixture
def demo(db):
    from agencies import demo as agencies_demo

    agencies_demo.seed({"rng": random.Random(1)})
    return list(User.objects.filter(is_active=True).prefetch_related("memberships"))


def _staff_at(agency, users):
    return [
        u
        for u in users
        if agency.pk in u.agency_ids()
        and u.has_role("caseworker", "coordinator", "csw", "participation_worker", "supervisor")
    ]


def _assert_movable(workflow, obj, users, *, side_of=None):
    state = obj.status
    if state in workflow.terminal:
        return
    movers = workflow.movers(obj, users)
    assert movers, f"{workflow.name} in {state} at {obj}: nobody can move it on"
    if side_of is not None:
        assert set(movers) & set(side_of), (
            f"{workflow.name} in {state}: only {sorted(u.username for u in movers)} can act"
        )


def test_every_workflow_state_is_declared(demo):
    for workflow in (REFERRAL_WORKFLOW, SLIP_WORKFLOW):
        reachable: set[str] = set()
        for step in workflow.steps:
            reachable |= set(step.sources) | ({step.target} if step.target else set())
        assert reachable == set(workflow.states), workflow.name
        for state in set(workflow.states) - workflow.terminal:
            assert workflow.steps_from(state), f"{workflow.name}: no step leaves {state}"


def test_referral_to_every_demo_agency_kind_can_be_answered(demo):
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert len(kinds) >= 10
    houkatsu = Agency.objects.get(code="houkatsu-north")
    sender = User.objects.get(username="houkatsu-n1")
    household, (person, _mother) = household_with_members(houkatsu)
    for agency in Agency.objects.exclude(pk=houkatsu.pk).order_by("code"):
        receivers = _staff_at(agency, demo)
        assert receivers, f"{agency.code} ({agency.get_kind_display()}): nobody can receive"
        data = {
            "to_agency": agency,
            "variant": "without_consent",
            "person": person,
            "household": household,
            "triggers": ["complex"],
            "meeting_summary": "概要",
        }
        # draft → sent → opened → info_requested → sent → opened → accepted into own work
        r = s.referral_create(actor=sender, from_agency=houkatsu, **data)
        _assert_movable(REFERRAL_WORKFLOW, r, demo, side_of=[sender])
        r = s.referral_send(actor=sender, referral=r)
        _assert_movable(REFERRAL_WORKFLOW, r, demo, side_of=receivers)
        r = s.referral_open(actor=receivers[0], referral=r)
        _assert_movable(REFERRAL_WORKFLOW, r, demo, side_of=receivers)
        r = s.referral_request_info(actor=receivers[0], referral=r, question="経過は?")
        _assert_movable(REFERRAL_WORKFLOW, r, demo, side_of=[sender])
        r = s.referral_answer_info(actor=sender, referral=r, answer="別紙のとおり")
        _assert_movable(REFERRAL_WORKFLOW, r, demo, side_of=receivers)
        s.referral_accept_own(actor=receivers[0], referral=r, categories=["other"])
        r.refresh_from_db()
        assert r.status == R.ACCEPTED and r.outcome == "own"
    covered = set(Agency.objects.exclude(pk=houkatsu.pk).values_list("kind", flat=True))
    assert covered | {AgencyKind.HOUKATSU} == kinds


def test_concern_slip_to_every_destination_can_be_moved_on(demo):
    resident = User.objects.get(username="minsei1")
    for agency in s.concern_slip_destinations():
        receivers = _staff_at(agency, demo)
        slip = s.concern_slip_submit(
            actor=resident,
            to_agency=agency,
            subject_description="角の家",
            noticed="新聞がたまっている",
        )
        for target in (ConcernSlip.Status.RECEIVED, ConcernSlip.Status.HANDLING):
            _assert_movable(SLIP_WORKFLOW, slip, demo, side_of=receivers)
            slip = s.concern_slip_set_status(actor=receivers[0], slip=slip, status=target)
        _assert_movable(SLIP_WORKFLOW, slip, demo, side_of=receivers)
        slip = s.concern_slip_set_status(actor=receivers[0], slip=slip, status="closed")
        assert slip.status in SLIP_WORKFLOW.terminal


# --- case, plan, evaluation and meeting (多機関協働 through the 重層的支援会議) --------------------


def _movers(users, action, obj):
    """Users the policy lets take `action` on a fresh copy of `obj` (the policy caches a user's
    case access on the instance)."""
    from agencies.policy import check

    obj = type(obj).objects.get(pk=obj.pk)
    return [u for u in users if check(u, action, obj)]


def _plan_for(case, coordinator, partner):
    import datetime as dt

    from django.utils import timezone

    from cases.services import support as cs
    from cases.tests.factories import plan_items_for

    cs.case_start_assessment(case=case, actor=coordinator)
    assessment = cs.assessment_create(case=case, actor=coordinator)
    cs.assessment_update(
        assessment=assessment,
        actor=coordinator,
        lock_version=assessment.lock_version,
        data={"view": "世帯全体の課題を整理する", "wishes": "家で暮らしたい"},
    )
    plan = cs.plan_create(case=case, actor=coordinator)
    cs.plan_update(
        plan=plan,
        actor=coordinator,
        lock_version=plan.lock_version,
        data={
            "overall_goal": "安心して暮らせる",
            "period_start": timezone.localdate(),
            "period_end": timezone.localdate() + dt.timedelta(days=180),
        },
        items=plan_items_for([case.coordinating_agency, partner]),
    )
    return plan


def test_case_plan_evaluation_and_meeting_have_movers_for_every_lead_agency_kind(demo):
    """For one agency of every demo kind as the partner and, at 終結, the 主担当: every state of
    the case, its plan, its evaluation and the meetings that decide them has someone who can move
    it on — and the partner's own care staff can work the case, own its roles and re-open it."""
    import datetime as dt

    from django.utils import timezone

    from agencies.selectors import care_staff_of
    from cases.models import Evaluation, Plan, SupportCase
    from cases.services import support as cs
    from cases.tests.factories import ConsentFactory, open_case
    from meetings import services as ms
    from meetings.choices import BodyKind, DecisionKind, MeetingStatus
    from meetings.tests.conftest import hold, make_body, schedule

    C = SupportCase.Status
    body_agency = Agency.objects.get(code="fukushi-soudan")
    coordinator = User.objects.get(username="suishin1")
    supervisor = User.objects.get(username="kakaricho")
    juso = make_body(supervisor, body_agency, BodyKind.JUSO_KAIGI, "重層的支援会議(検証)")
    seen_kinds = set()
    partners = [
        a
        for a in Agency.objects.exclude(pk=body_agency.pk).order_by("code")
        if a.kind not in seen_kinds and not seen_kinds.add(a.kind)
    ]
    assert len(partners) >= 9
    for n, partner in enumerate(partners):
        where = f"{partner.code} ({partner.get_kind_display()})"
        care = _staff_at(partner, demo)
        assert care, f"{where}: no care staff"
        # Role owners offered: care staff only, never the resident or the admin
        offered = set(care_staff_of(partner.pk))
        assert offered and all(not u.has_role("resident", "admin") or u in care for u in offered)
        case = open_case(coordinator=coordinator, agency=body_agency)
        ConsentFactory(person=case.principal, agencies=[body_agency, partner])
        assert _movers(demo, "case.manage", case), f"{where}: 受付 has no mover"
        plan = _plan_for(case, coordinator, partner)
        assert _movers(demo, "plan.submit", plan), f"{where}: draft plan has no mover"
        cs.plan_submit(plan=plan, actor=coordinator)
        case.refresh_from_db()
        assert case.status == C.IN_MEETING

        # 会議付議: a 重層的支援会議 takes it; each meeting state has someone to move it on
        meeting = schedule(juso, supervisor, days=-(2 * n + 2))
        assert _movers(demo, "meeting.manage", meeting), f"{where}: planned meeting"
        item = ms.agenda_item_add(
            meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
        )
        hold(meeting, supervisor)
        assert meeting.status == MeetingStatus.HELD
        assert _movers(demo, "plan.approve", case), f"{where}: nobody decides the plan"
        ms.item_record_decision(
            item=item,
            actor=supervisor,
            kind=DecisionKind.PLAN_APPROVED,
            roles=[
                {
                    "owner_agency": partner,
                    "owner_user": care[0],
                    "task": "初回の同行訪問",
                    "due_on": timezone.localdate() + dt.timedelta(days=14),
                }
            ],
        )
        assert _movers(demo, "meeting.approve_minutes", meeting), f"{where}: minutes"
        ms.minutes_approve(meeting=meeting, actor=supervisor)
        case.refresh_from_db()
        plan.refresh_from_db()
        assert case.status == C.SUPPORTING and plan.status == Plan.Status.APPROVED
        assert set(care) & set(_movers(demo, "case.edit", case)), f"{where}: partner cannot work"

        # 評価 → 終結 at a second meeting, with the partner as 主担当
        evaluation = cs.evaluation_create(case=case, actor=coordinator)
        cs.evaluation_update(
            evaluation=evaluation,
            actor=coordinator,
            lock_version=evaluation.lock_version,
            data={"overall": "見通しがついた", "proposed_decision": "close"},
            items=[
                {"id": i.pk, "achievement": "achieved", "note": "ok"}
                for i in evaluation.items.all()
            ],
        )
        assert _movers(demo, "evaluation.ready", evaluation), f"{where}: draft evaluation"
        evaluation = cs.evaluation_ready(evaluation=evaluation, actor=coordinator)
        second = schedule(juso, supervisor, days=-(2 * n + 1))
        ev_item = ms.agenda_item_add(
            meeting=second, actor=supervisor, source=f"evaluation:{evaluation.public_id}"
        )
        hold(second, supervisor)
        assert _movers(demo, "evaluation.decide", case), f"{where}: nobody decides closure"
        ms.item_record_decision(
            item=ev_item,
            actor=supervisor,
            kind=DecisionKind.CLOSURE_APPROVED,
            lead_agency=partner,
            closure_reason="roles_agreed",
        )
        case.refresh_from_db()
        evaluation.refresh_from_db()
        assert case.status == C.CLOSED and evaluation.status == Evaluation.Status.DECIDED
        assert case.next_monitoring_on is None and case.followup_on is not None
        # 終結 is not a dead end: the 主担当's own staff can re-open
        assert set(care) & set(_movers(demo, "case.reopen", case)), f"{where}: cannot re-open"

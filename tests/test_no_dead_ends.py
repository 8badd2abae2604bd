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

"""Who sees and works on a target, by basis: outreach agency, assignee, 支援会議 member,
outsider, admin."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import PolicyDenied, can, check
from agencies.tests.factories import staff
from cases.tests.factories import multiagency_agency
from meetings import services as meeting_services
from meetings.choices import BodyKind
from meetings.tests.conftest import make_body, schedule, seat
from outreach import policy, services
from outreach.selectors import targets_visible_to

from .factories import log_contact


@pytest.fixture
def city(db):
    from agencies.choices import OperatorType

    return multiagency_agency(operator_type=OperatorType.MUNICIPAL, name="みどり市 福祉相談課")


@pytest.fixture
def secretariat(city):
    return staff(city, Role.COORDINATOR)


@pytest.fixture
def shien(secretariat, city):
    body = make_body(secretariat, city, BodyKind.SHIEN_KAIGI, "支援会議(北部)")
    seat(body, secretariat, secretariat)  # the secretariat reads papers under a pledge too
    return body


@pytest.fixture
def member(shien, secretariat, db):
    """A pledged member of the 支援会議 from the 地域包括 (no other basis)."""
    from agencies.tests.factories import AgencyFactory

    user = staff(AgencyFactory(name="北部地域包括支援センター"), Role.CASEWORKER)
    seat(shien, user, secretariat)
    return user


def _place_on_agenda(target, csw, shien, secretariat):
    link = services.target_request_agenda(
        actor=csw, target=target, body=shien, description="新聞がたまり姿が見えない高齢者"
    )
    meeting = schedule(shien, secretariat)
    item = meeting_services.agenda_item_add(
        meeting=meeting, actor=secretariat, source=f"request:{link.request.public_id}"
    )
    return item


def test_outreach_agency_staff_see_and_work(target, csw2):
    assert check(csw2, "outreach_target.view", target).basis == policy.OUTREACH_AGENCY
    assert can(csw2, "outreach_target.work", target)
    assert target in targets_visible_to(csw2)


def test_assignee_at_another_agency_sees_and_works(target, assignee):
    assert check(assignee, "outreach_target.view", target).basis == policy.ASSIGNEE
    assert can(assignee, "outreach_target.work", target)
    assert not can(assignee, "outreach_target.assign", target)
    assert list(targets_visible_to(assignee)) == [target]


def test_outsider_sees_nothing(target, outsider):
    assert not can(outsider, "outreach_target.view", target)
    assert not can(outsider, "outreach_target.work", target)
    assert not targets_visible_to(outsider).exists()
    with pytest.raises(PolicyDenied):
        log_contact(outsider, target)


def test_admin_sees_counts_not_targets(target, admin_user):
    assert not can(admin_user, "outreach_target.view", target)
    assert not targets_visible_to(admin_user).exists()
    assert can(admin_user, "outreach.workload")


def test_only_outreach_agencies_register_targets(outsider, csw, shakyo):
    assert can(csw, "outreach_target.create", shakyo)
    assert not can(outsider, "outreach_target.create", shakyo)
    assert not can(outsider, "outreach_target.create")


def test_shien_kaigi_member_reads_once_on_the_agenda(target, csw, member, shien, secretariat):
    assert not can(member, "outreach_target.view", target)
    link = services.target_request_agenda(
        actor=csw, target=target, body=shien, description="新聞がたまり姿が見えない高齢者"
    )
    # A request alone shares nothing: the secretariat places it on an agenda first.
    assert not can(member, "outreach_target.view", target)
    meeting = schedule(shien, secretariat)
    meeting_services.agenda_item_add(
        meeting=meeting, actor=secretariat, source=f"request:{link.request.public_id}"
    )
    member.__dict__.pop("_outreach_cache", None)
    member.__dict__.pop("_meeting_cache", None)
    assert check(member, "outreach_target.view", target).basis == "shien_kaigi"
    assert list(targets_visible_to(member)) == [target]
    # Read only: work stays with the outreach agency and the assignees.
    decision = check(member, "outreach_target.work", target)
    assert not decision.allowed and decision.reason


def test_unpledged_member_sees_nothing(target, csw, shien, secretariat):
    from agencies.tests.factories import AgencyFactory

    unpledged = staff(AgencyFactory(), Role.CASEWORKER)
    seat(shien, unpledged, secretariat, pledged=False)
    _place_on_agenda(target, csw, shien, secretariat)
    assert not can(unpledged, "outreach_target.view", target)
    assert not targets_visible_to(unpledged).exists()


def test_plan_owners_from_the_meeting_become_workers(target, csw, member, shien, secretariat):
    item = _place_on_agenda(target, csw, shien, secretariat)
    plan = services.plan_record(
        actor=secretariat,
        target=target,
        agenda_item=item,
        decided_on=timezone.localdate(),
        approach="まず手紙を置き、民生委員と一緒に訪問する",
        owners=[member],
        next_review_on=timezone.localdate() + dt.timedelta(days=60),
    )
    assert list(plan.owners.all()) == [member]
    member.__dict__.pop("_outreach_cache", None)
    assert check(member, "outreach_target.work", target).basis == policy.ASSIGNEE


def test_secretariat_cannot_record_a_plan_for_another_target(
    target, csw, shakyo, shien, secretariat
):
    from .factories import make_target

    other = make_target(csw, shakyo)
    item = _place_on_agenda(target, csw, shien, secretariat)
    with pytest.raises(ValidationError):
        services.plan_record(
            actor=secretariat,
            target=other,
            agenda_item=item,
            decided_on=timezone.localdate(),
            approach="x",
            owners=[csw],
        )


def test_agenda_request_only_to_a_shien_kaigi(target, csw, secretariat, city):
    juso = make_body(secretariat, city, BodyKind.JUSO_KAIGI, "重層的支援会議")
    with pytest.raises(ValidationError):
        services.target_request_agenda(actor=csw, target=target, body=juso, description="x")

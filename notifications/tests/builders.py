"""Small builders for the rows the rules read. Plain ORM on purpose: the rules must work on any
state the data can be in (back-dated plans, transfers), not only on what today's services write.
Memberships start in 2020 so that time travel to any test date finds them current."""

import datetime as dt
import itertools

from django.utils import timezone

from agencies.choices import AgencyKind, Programme, Role
from agencies.models import Membership
from agencies.tests.factories import AgencyFactory, UserFactory

START = dt.date(2020, 1, 1)
_seq = itertools.count(1)


def at(d: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour), tzinfo=timezone.get_current_timezone())


def agency(**kwargs):
    kwargs.setdefault("kind", AgencyKind.CITY_SECTION)
    kwargs.setdefault("programmes", [Programme.CONSULTATION.value, Programme.MULTIAGENCY.value])
    return AgencyFactory(**kwargs)


def member(agency, role=Role.CASEWORKER, user=None, **user_kwargs):
    user = user or UserFactory(**user_kwargs)
    Membership.objects.create(user=user, agency=agency, role=role, start_date=START)
    return user


class World:
    """A 多機関協働 body with a coordinator and a supervisor, and a partner agency with staff."""

    def __init__(self):
        self.hub = agency(name=f"福祉相談課{next(_seq)}")
        self.coordinator = member(self.hub, Role.COORDINATOR)
        self.supervisor = member(self.hub, Role.SUPERVISOR)
        self.partner = agency(name=f"地域包括{next(_seq)}", kind=AgencyKind.HOUKATSU)
        self.worker = member(self.partner, Role.CASEWORKER)
        self.partner_coordinator = member(self.partner, Role.COORDINATOR)
        self.partner_supervisor = member(self.partner, Role.SUPERVISOR)
        self.sender_agency = agency(name=f"生活福祉課{next(_seq)}")
        self.sender = member(self.sender_agency, Role.CASEWORKER)


# --- cases ------------------------------------------------------------------------------------


def household(agency, user):
    from cases.models import Household

    return Household.objects.create(registered_by_agency=agency, created_by=user)


def person(agency, user):
    from cases.models import Person

    return Person.objects.create(
        family_name="山田",
        given_name=f"花子{next(_seq)}",
        registered_by_agency=agency,
        created_by=user,
    )


def case(
    world: World,
    *,
    status="supporting",
    opened_on=START,
    coordinator="default",
    lead=None,
    **kwargs,
):
    from cases.models import SupportCase

    n = next(_seq)
    return SupportCase.objects.create(
        number=f"R8-{n:05d}",
        fiscal_year=2026,
        household=household(world.hub, world.coordinator),
        coordinating_agency=world.hub,
        lead_agency=lead or world.hub,
        coordinator=world.coordinator if coordinator == "default" else coordinator,
        status=status,
        opened_on=opened_on,
        status_changed_at=at(opened_on),
        **kwargs,
    )


def referral(
    world: World, *, sent_on: dt.date, status="sent", assignee=None, urgency="normal", hour=10
):
    from cases.models import Referral

    n = next(_seq)
    return Referral.objects.create(
        number=f"T-R8-{n:05d}",
        fiscal_year=2026,
        from_agency=world.sender_agency,
        from_worker=world.sender,
        to_agency=world.hub,
        assignee=assignee,
        status=status,
        sent_at=at(sent_on, hour),
        urgency=urgency,
        created_by=world.sender,
    )


def assessment(case, *, assessed_on, author=None):
    from cases.models import Assessment

    author = author or case.coordinator
    return Assessment.objects.create(
        case=case, assessed_on=assessed_on, author=author, agency=case.coordinating_agency
    )


def plan(
    case,
    *,
    status="approved",
    period_end=None,
    next_monitoring_on=None,
    drafted_on=START,
    assessment=None,
):
    from cases.models import Plan

    number = case.plans.count() + 1
    return Plan.objects.create(
        case=case,
        number=number,
        status=status,
        author=case.coordinator,
        agency=case.coordinating_agency,
        drafted_on=drafted_on,
        period_start=drafted_on,
        period_end=period_end,
        next_monitoring_on=next_monitoring_on,
        assessment=assessment,
    )


def plan_item(plan, *, agency, staff=None, order=1):
    from cases.models import PlanItem

    return PlanItem.objects.create(
        plan=plan,
        order=order,
        issue="課題",
        goal="目標",
        action="支援内容",
        agency=agency,
        staff=staff,
    )


def monitoring(item, *, monitored_on, next_on, author):
    from cases.models import Monitoring

    return Monitoring.objects.create(
        item=item,
        monitored_on=monitored_on,
        progress="on_track",
        next_on=next_on,
        author=author,
        agency=item.agency,
    )


def note(case, *, on: dt.date, author=None):
    from cases.models import ActivityNote

    author = author or case.coordinator
    return ActivityNote.objects.create(
        case=case,
        kind="phone",
        occurred_at=at(on),
        content="電話で状況確認",
        author=author,
        agency=case.coordinating_agency,
    )


def consent(world: World, *, person_, household_=None, valid_until, given_on=START):
    from cases.models import Consent

    return Consent.objects.create(
        person=person_,
        household=household_,
        explained_by=world.worker,
        recorded_by_agency=world.partner,
        given_on=given_on,
        method="written",
        info_kinds=["basic"],
        valid_until=valid_until,
    )


# --- meetings ---------------------------------------------------------------------------------


def body(world: World, *, kind="shien_kaigi", deadline_days=7):
    from meetings.models import MeetingBody

    return MeetingBody.objects.create(
        name=f"会議体{next(_seq)}",
        kind=kind,
        convenor=world.hub,
        created_by=world.supervisor,
        submission_deadline_days=deadline_days,
    )


def meeting(body_, *, on: dt.date, status="planned"):
    from meetings.models import Meeting

    return Meeting.objects.create(
        body=body_, starts_at=at(on, 14), status=status, created_by=body_.created_by
    )


def seat(body_, *, user=None, agency=None, role="member", external_name="", joined_on=START):
    from meetings.models import BodyMember

    return BodyMember.objects.create(
        body=body_,
        user=user,
        agency=agency,
        role=role,
        external_name=external_name,
        external_organisation="民生委員協議会" if external_name else "",
        joined_on=joined_on,
    )


def pledge(member_, *, fiscal_year: int, signed_on: dt.date, recorded_by):
    from meetings.models import ConfidentialityPledge

    return ConfidentialityPledge.objects.create(
        member=member_, fiscal_year=fiscal_year, signed_on=signed_on, recorded_by=recorded_by
    )


def role_assignment(meeting_, *, owner_agency, owner_user=None, due_on, case_=None, recorder):
    from meetings.models import AgendaItem, Decision, RoleAssignment

    item = AgendaItem.objects.create(
        meeting=meeting_, kind="plan_approval", title="プランの協議", case=case_, added_by=recorder
    )
    decision = Decision.objects.create(
        item=item, kind="plan_approved", decided_on=meeting_.starts_at.date(), recorded_by=recorder
    )
    return RoleAssignment.objects.create(
        decision=decision,
        owner_agency=owner_agency,
        owner_user=owner_user,
        task="家庭訪問",
        due_on=due_on,
    )

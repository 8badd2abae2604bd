"""A small city for meeting tests: the municipal 多機関協働 section convenes both bodies; a
contracted partner agency sits on them; an outsider agency does not."""

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.choices import OperatorType, Role
from agencies.tests.factories import AgencyFactory, staff
from cases.services import support as s
from cases.tests.factories import ConsentFactory, multiagency_agency, open_case, plan_items_for
from meetings import services
from meetings.choices import BodyKind, MeetingStatus, Recurrence

try:
    from django_otp import DEVICE_ID_SESSION_KEY
except ImportError:  # pragma: no cover
    DEVICE_ID_SESSION_KEY = "otp_device_id"


@pytest.fixture
def city(db):
    return multiagency_agency(operator_type=OperatorType.MUNICIPAL, name="みどり市 福祉相談課")


@pytest.fixture
def partner(db):
    return AgencyFactory(operator_type=OperatorType.CONTRACTED)


@pytest.fixture
def supervisor(city):
    return staff(city, Role.SUPERVISOR)


@pytest.fixture
def coordinator(city):
    return staff(city, Role.COORDINATOR)


@pytest.fixture
def partner_worker(partner):
    return staff(partner, Role.CASEWORKER)


@pytest.fixture
def stranger(db):
    return staff(AgencyFactory(), Role.CASEWORKER)


def make_body(actor, convenor, kind, name, **kw):
    return services.body_create(
        actor=actor,
        name=name,
        kind=kind,
        convenor=convenor,
        recurrence=kw.pop("recurrence", Recurrence.MONTHLY_WEEKDAY),
        recur_week=kw.pop("recur_week", 3),
        recur_weekday=kw.pop("recur_weekday", 2),
        **kw,
    )


@pytest.fixture
def juso(supervisor, city):
    return make_body(supervisor, city, BodyKind.JUSO_KAIGI, "重層的支援会議(全体)")


@pytest.fixture
def shien(supervisor, city):
    return make_body(supervisor, city, BodyKind.SHIEN_KAIGI, "支援会議(北部)")


def pledge(member, actor, on=None):
    return services.pledge_record(member=member, actor=actor, signed_on=on or timezone.localdate())


def seat(body, user, actor, *, pledged=True):
    member = services.member_add(body=body, actor=actor, user=user)
    if pledged:
        pledge(member, actor)
    return member


def schedule(body, actor, *, days=14):
    starts = timezone.localtime().replace(
        hour=14, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=days)
    return services.meeting_schedule(body=body, actor=actor, starts_at=starts)


def submitted_plan(coordinator, agency, *, consent=True, partners=()):
    """A case at 会議付議 with a submitted plan; consent of the principal in force if asked."""
    case = open_case(coordinator=coordinator, agency=agency)
    # A plan is submitted only with consent in force; `consent=False` is a consent withdrawn
    # after the plan went to the queue.
    given = ConsentFactory(person=case.principal, agencies=[agency, *partners])
    assessment = s.assessment_create(case=case, actor=coordinator)
    s.assessment_update(
        assessment=assessment,
        actor=coordinator,
        lock_version=assessment.lock_version,
        data={"view": "世帯全体の課題を整理する必要がある", "wishes": "家で暮らしたい"},
    )
    plan = s.plan_create(case=case, actor=coordinator)
    today = timezone.localdate()
    s.plan_update(
        plan=plan,
        actor=coordinator,
        lock_version=plan.lock_version,
        data={
            "overall_goal": "父子が安心して暮らせる",
            "period_start": today,
            "period_end": today + dt.timedelta(days=180),
        },
        items=plan_items_for([agency, *partners]),
    )
    s.plan_submit(plan=plan, actor=coordinator)
    if not consent:
        given.withdrawn_at = timezone.now() - dt.timedelta(minutes=1)
        given.save(update_fields=["withdrawn_at"])
    case.refresh_from_db()
    plan.refresh_from_db()
    return case, plan


def hold(meeting, actor):
    """Fix the agenda, take attendance (everyone present) and mark held (on the meeting day)."""
    import time_machine

    meeting.refresh_from_db()
    if meeting.status == MeetingStatus.PLANNED:
        services.agenda_fix(meeting=meeting, actor=actor, expected_version=meeting.version)
    members = {m: ("present", "", "") for m in meeting.body.members.current()}
    with time_machine.travel(meeting.starts_at + dt.timedelta(hours=1), tick=False):
        services.attendance_record(
            meeting=meeting,
            actor=actor,
            members=members,
            externals=[] if members else [{"name": "来賓", "organisation": "市議会"}],
        )
        services.meeting_mark_held(meeting=meeting, actor=actor)
    meeting.refresh_from_db()
    return meeting


def verified(client, user):
    """Log in `user` with a passed second factor (supervisors must use TOTP)."""
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client

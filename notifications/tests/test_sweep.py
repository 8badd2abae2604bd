"""The sweep's guarantees: once per key (by the database), self-healing, failure isolation,
concurrency safety, and a query count per rule that does not grow with the rows."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, Reminder
from notifications.rules import RuleContext, get_rule
from notifications.services import effective_settings, run_rule, sweep

from . import builders
from .conftest import notes_for

D = dt.date


@pytest.mark.django_db
def test_reminder_unique_constraint_is_enforced_by_the_database(world):
    from django.db import IntegrityError, transaction

    kw = dict(
        rule="x",
        object_ref="cases.referral:1",
        due_date=D(2026, 1, 5),
        step=0,
        recipient=world.coordinator,
    )
    Reminder.objects.create(**kw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**kw)


@pytest.mark.django_db
def test_a_crashed_run_is_completed_by_the_next_one(world, sweep_on):
    builders.referral(world, sent_on=D(2026, 11, 20))
    sweep_on(D(2026, 11, 27))
    # Simulate a run that inserted the reminder but died before the notification.
    Notification.objects.all().delete()
    assert Reminder.objects.count() == 1
    sweep_on(D(2026, 11, 27))
    assert len(notes_for(world.coordinator)) == 1


@pytest.mark.django_db
def test_a_failing_rule_does_not_stop_the_others(world, sweep_on, monkeypatch):
    from notifications.rules import registry

    spec = registry._RULES["assessment_overdue"]

    def boom(ctx, setting):
        raise ValueError("broken rule")

    monkeypatch.setitem(
        registry._RULES, "assessment_overdue", spec.__class__(**{**spec.__dict__, "evaluate": boom})
    )
    builders.referral(world, sent_on=D(2026, 11, 20))
    result = sweep_on(D(2026, 11, 27))
    assert result.failed == ["assessment_overdue"]
    assert len(notes_for(world.coordinator, "referral_unopened")) == 1


@pytest.mark.django_db
def test_sweep_with_explicit_date_matches_the_clock(world):
    builders.referral(world, sent_on=D(2026, 11, 20))
    assert sweep(D(2026, 11, 26)).notifications == 0
    assert sweep(D(2026, 11, 27)).notifications == 1
    assert sweep(D(2026, 11, 27)).notifications == 0


# --- concurrency (PostgreSQL: real row locks and ON CONFLICT) ---------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_create_no_duplicates():
    world = builders.World()
    for _ in range(20):
        builders.referral(world, sent_on=D(2026, 11, 20))
    c = builders.case(world, status="received", opened_on=D(2026, 6, 1))
    assert c.pk
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            sweep(D(2026, 12, 1))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    from celery._state import _set_task_join_will_block
    from django.core import mail

    mail.outbox.clear()
    threads = [threading.Thread(target=run) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        # Eager tasks in parallel threads race on Celery's process-global "join will block"
        # flag (it is not thread-local); leave it as a fresh process has it.
        _set_task_join_will_block(False)
    assert errors == []
    keys = list(
        Reminder.objects.values_list("rule", "object_ref", "due_date", "step", "recipient_id")
    )
    assert len(keys) == len(set(keys))
    assert Notification.objects.count() == Reminder.objects.count() > 20
    assert (
        Notification.objects.values("reminder_id").distinct().count()
        == Notification.objects.count()
    )
    # Urgent mail (the supervisors' escalations) went out once per notification.
    urgent = Notification.objects.filter(level="urgent", emailed_at__isnull=False).count()
    assert urgent > 0 and len(mail.outbox) == urgent


# --- queries per rule do not grow with the rows ----------------------------------------------


def _referrals(world, n):
    for _ in range(n):
        builders.referral(world, sent_on=D(2026, 5, 1))


def _cases_received(world, n):
    for _ in range(n):
        builders.case(world, status="received", opened_on=D(2026, 5, 1))


def _assessed(world, n):
    for _ in range(n):
        builders.assessment(
            builders.case(world, status="planning", opened_on=D(2026, 4, 1)),
            assessed_on=D(2026, 4, 2),
        )


def _monitoring(world, n):
    for _ in range(n):
        c = builders.case(world, status="supporting")
        p = builders.plan(c, next_monitoring_on=D(2026, 6, 1), period_end=D(2026, 6, 5))
        item = builders.plan_item(p, agency=world.partner, staff=world.worker)
        builders.monitoring(
            item, monitored_on=D(2026, 5, 1), next_on=D(2026, 6, 1), author=world.worker
        )


def _inactive(world, n):
    for _ in range(n):
        builders.note(
            builders.case(world, status="supporting", opened_on=D(2026, 1, 1)), on=D(2026, 2, 1)
        )


def _closed(world, n):
    for _ in range(n):
        builders.case(
            world,
            status="closed",
            opened_on=D(2025, 1, 1),
            closed_on=D(2026, 2, 1),
            closure_reason="stable",
        )


def _consents(world, n):
    for _ in range(n):
        c = builders.case(world, status="supporting")
        p = builders.person(world.hub, world.coordinator)
        c.persons.add(p)
        builders.consent(world, person_=p, household_=c.household, valid_until=D(2026, 6, 20))


def _pledges(world, n):
    body = builders.body(world, kind="shien_kaigi")
    builders.meeting(body, on=D(2026, 6, 20))
    for _ in range(n):
        builders.seat(body, user=builders.member(world.partner), agency=world.partner)


def _agenda(world, n):
    body = builders.body(world, kind="juso_kaigi", deadline_days=7)
    builders.meeting(body, on=D(2026, 6, 22), status="agenda_fixed")
    m2 = builders.meeting(
        builders.body(world, kind="juso_kaigi", deadline_days=7), on=D(2026, 6, 28)
    )
    for _ in range(n):
        builders.seat(body, user=builders.member(world.partner), agency=world.partner)
        builders.seat(m2.body, user=builders.member(world.partner), agency=world.partner)
        builders.case(
            world, status="planning", coordinator=builders.member(world.hub, "coordinator")
        )


def _roles(world, n):
    m = builders.meeting(builders.body(world, kind="juso_kaigi"), on=D(2026, 5, 1), status="held")
    for _ in range(n):
        builders.role_assignment(
            m,
            owner_agency=world.partner,
            owner_user=world.worker,
            due_on=D(2026, 6, 1),
            case_=builders.case(world),
            recorder=world.coordinator,
        )


def _quiet_places(world, n):
    from community.tests.factories import ResourceFactory, SessionFactory

    for _ in range(n):
        place = ResourceFactory(schedule="weekly", csw=world.coordinator)
        SessionFactory(resource=place, held_on=D(2026, 4, 1), recorded_by=world.coordinator)


def _outreach_targets(world, n, **fields):
    import uuid

    from outreach.models import OutreachTarget

    noon = dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)
    for _ in range(n):
        OutreachTarget.objects.create(
            number=f"OR-T-{uuid.uuid4().hex[:10]}",
            agency=world.partner,
            source="survey",
            worry="名簿",
            lead_worker=world.worker,
            created_by=world.worker,
            created_at=noon,
            **fields,
        )


def _outreach_stagnant(world, n):
    _outreach_targets(world, n, last_contact_at=dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC))


def _outreach_refused(world, n):
    _outreach_targets(
        world, n, stage="closed", closure_reason="refused", next_try_on=D(2026, 6, 22)
    )


def _placements(world, n):
    """参加支援: placements in 体験 since 1 May with no follow-up."""
    from community.tests.factories import ResourceFactory
    from participation.models import Placement

    for _ in range(n):
        c = builders.case(world)
        Placement.objects.create(
            case=c,
            person=builders.person(world.partner, world.worker),
            resource=ResourceFactory(),
            status="trial",
            status_changed_on=D(2026, 5, 1),
            proposed_on=D(2026, 4, 20),
            agency=world.partner,
            worker=world.worker,
            created_by=world.worker,
        )


SCENARIOS = {
    "outreach_stagnant": _outreach_stagnant,
    "outreach_retry_due": _outreach_refused,
    "placement_follow_up_gap": _placements,
    "referral_unopened": _referrals,
    "assessment_overdue": _cases_received,
    "plan_overdue": _assessed,
    "monitoring_due": _monitoring,
    "evaluation_due": _monitoring,
    "case_inactive": _inactive,
    "post_closure_check": _closed,
    "consent_expiry": _consents,
    "pledge_missing": _pledges,
    "agenda_submission": _agenda,
    "agenda_distribution": _agenda,
    "role_assignment_due": _roles,
    "place_no_session": _quiet_places,
}


def _queries_for(code: str, n: int) -> tuple[int, int, int]:
    """(queries other than INSERT, INSERT statements, reminders written) for one rule run."""
    world = builders.World()
    SCENARIOS[code](world, n)
    spec = get_rule(code)
    ctx = RuleContext.build(D(2026, 6, 20))
    setting = effective_settings()[code]
    with CaptureQueriesContext(connection) as q:
        run_rule(spec, ctx, setting)
    inserts = sum(1 for x in q.captured_queries if x["sql"].lstrip().upper().startswith("INSERT"))
    return len(q) - inserts, inserts, Reminder.objects.filter(rule=code).count()


@pytest.mark.parametrize("code", sorted(SCENARIOS))
@pytest.mark.django_db
def test_queries_per_rule_do_not_grow_with_rows(code):
    few, few_inserts, few_rows = _queries_for(code, 5)
    Notification.objects.all().delete()
    Reminder.objects.all().delete()
    many, many_inserts, many_rows = _queries_for(code, 50)
    assert few_rows >= 5 and many_rows >= 50, (few_rows, many_rows)
    assert few == many <= 10, (few, many)
    # Writes are one bulk INSERT per table; SQLite alone splits them at 999 parameters.
    if connection.vendor == "postgresql":
        assert few_inserts == many_inserts == 2


def test_every_rule_has_a_query_count_scenario():
    from notifications.rules import all_rules

    missing = {r.code for r in all_rules()} - set(SCENARIOS) - {"referral_unanswered"}
    assert missing == set()


@pytest.mark.django_db
def test_a_missed_week_still_delivers_every_step_once(world, sweep_on):
    """The first sweep after an outage (or over old data) sends the lower steps too."""
    c = builders.case(world, status="supporting", lead=world.partner)
    p = builders.plan(c, next_monitoring_on=D(2026, 7, 10))
    builders.plan_item(p, agency=world.partner, staff=world.worker)
    sweep_on(D(2026, 7, 30))  # first run: step 3 reached
    assert [n.title.endswith("を過ぎています(項目1)") for n in notes_for(world.worker)] == [True]
    assert len(notes_for(world.partner_coordinator)) == 1
    assert len(notes_for(world.partner_supervisor)) == 1
    sweep_on(D(2026, 7, 31))
    assert Notification.objects.filter(rule="monitoring_due").count() == 3


@pytest.mark.django_db
def test_every_rule_links_to_a_page_by_uuid_and_titles_carry_no_names():
    import re

    from django.urls import resolve

    from cases.models import Person

    world = builders.World()
    for build in SCENARIOS.values():
        build(world, 1)
    builders.referral(world, sent_on=D(2026, 5, 1), status="opened")
    result = sweep(D(2026, 6, 20))
    assert result.failed == []
    fired = {n.rule for n in Notification.objects.all()}
    assert fired >= set(SCENARIOS) | {"referral_unanswered"}
    names = [p.family_name + p.given_name for p in Person.objects.all()] + ["山田", "花子"]
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    for n in Notification.objects.all():
        assert n.url and uuid.search(n.url), (n.rule, n.url)
        resolve(n.url)
        assert not any(name in n.title + n.body for name in names), n.title

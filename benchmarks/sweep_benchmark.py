#!/usr/bin/env python
"""Benchmark of the daily notification sweep.

Builds N open support cases with assessments, approved plans (3 items each, monitoring history,
period ends), activity notes, consents, referrals and meeting role assignments — all with
bulk_create — in a throw-away database (`test_<name>` of DATABASE_URL: PostgreSQL, or in-memory
SQLite by default), then runs the sweep for one day twice: the first run writes the reminders and
notifications, the second is the steady state of every later hourly run. Prints wall time and
queries per rule for each size, so that you can see they do not grow with the number of cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_bench .venv/bin/python benchmarks/sweep_benchmark.py
    .venv/bin/python benchmarks/sweep_benchmark.py --sizes 1000 10000     # SQLite in memory
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TSUNAGU_VAR_DIR", tempfile.mkdtemp(prefix="tsunagu-bench-"))
# Tasks run in process (no worker needed); the sweep's urgent mails are counted as queued, not sent
# (run_sweep), and whatever else sends mail writes it to memory: nothing leaves the machine.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ["EMAIL_URL"] = "memorymail://"
os.environ.setdefault("AXES_ENABLED", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

TODAY = dt.date(2026, 6, 17)  # a Wednesday
TZ = timezone.get_current_timezone()


def at(d: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(hour), tzinfo=TZ)


def build(n: int) -> dict:
    """N open cases and everything the rules read, in bulk. Deadlines are spread over ±60 days
    so that about a third of the objects is due on TODAY."""
    from agencies.choices import AgencyKind, Role
    from agencies.models import Agency, Membership, User
    from cases.models import (
        ActivityNote,
        Assessment,
        Consent,
        Household,
        Monitoring,
        Person,
        Plan,
        PlanItem,
        Referral,
        SupportCase,
    )
    from meetings.models import (
        AgendaItem,
        BodyMember,
        Decision,
        Meeting,
        MeetingBody,
        RoleAssignment,
    )

    B = 2000
    agencies = Agency.objects.bulk_create(
        [
            Agency(
                name=f"ベンチ機関{i}",
                kana=f"べんち{i}",
                code=f"bench-{i}",
                kind=AgencyKind.HOUKATSU,
                programmes=["consultation", "multiagency"],
            )
            for i in range(20)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", display_name=f"職員{i}", email=f"bench{i}@example.jp")
            for i in range(200)
        ]
    )
    roles = [Role.COORDINATOR, Role.SUPERVISOR] + [Role.CASEWORKER] * 8
    Membership.objects.bulk_create(
        [
            Membership(
                user=u,
                agency=agencies[i % 20],
                role=roles[(i // 20) % 10],
                start_date=dt.date(2020, 1, 1),
            )
            for i, u in enumerate(users)
        ]
    )
    coordinators = [u for i, u in enumerate(users) if roles[(i // 20) % 10] == Role.COORDINATOR]
    workers = [u for i, u in enumerate(users) if roles[(i // 20) % 10] == Role.CASEWORKER]
    households = Household.objects.bulk_create(
        [Household(registered_by_agency=agencies[i % 20], created_by=users[0]) for i in range(n)],
        batch_size=B,
    )
    persons = Person.objects.bulk_create(
        [
            Person(
                family_name="試験",
                given_name=f"{i}",
                registered_by_agency=agencies[i % 20],
                created_by=users[0],
            )
            for i in range(n)
        ],
        batch_size=B,
    )

    def spread(i: int, width: int = 120) -> dt.date:
        return TODAY + dt.timedelta(days=(i * 37) % width - width // 2)

    statuses = [
        "received",
        "assessment",
        "planning",
        "supporting",
        "supporting",
        "supporting",
        "evaluation",
    ]
    cases = SupportCase.objects.bulk_create(
        [
            SupportCase(
                number=f"B-{i:06d}",
                fiscal_year=2026,
                household=households[i],
                principal=persons[i],
                coordinating_agency=agencies[i % 20],
                lead_agency=agencies[(i + 3) % 20],
                coordinator=coordinators[i % len(coordinators)],
                status=statuses[i % len(statuses)],
                opened_on=spread(i) - dt.timedelta(days=90),
                status_changed_at=at(spread(i) - dt.timedelta(days=80)),
            )
            for i in range(n)
        ],
        batch_size=B,
    )
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                case=c,
                assessed_on=c.opened_on + dt.timedelta(days=10),
                author=c.coordinator,
                agency=c.coordinating_agency,
            )
            for i, c in enumerate(cases)
            if c.status != "received"
        ],
        batch_size=B,
    )
    by_case = {a.case_id: a for a in assessments}
    plans = Plan.objects.bulk_create(
        [
            Plan(
                case=c,
                number=1,
                status="approved" if c.status in ("supporting", "evaluation") else "draft",
                assessment=by_case[c.pk],
                author=c.coordinator,
                agency=c.coordinating_agency,
                drafted_on=by_case[c.pk].assessed_on,
                period_start=by_case[c.pk].assessed_on,
                period_end=spread(i, 90) + dt.timedelta(days=20),
                next_monitoring_on=spread(i),
            )
            for i, c in enumerate(cases)
            if c.pk in by_case
        ],
        batch_size=B,
    )
    items = PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=p,
                order=k,
                issue="課題",
                goal="目標",
                action="支援",
                agency=agencies[(j + k) % 20],
                staff=workers[(j + k) % len(workers)],
                due_on=spread(j + k),
            )
            for j, p in enumerate(plans)
            for k in range(1, 4)
        ],
        batch_size=B,
    )
    Monitoring.objects.bulk_create(
        [
            Monitoring(
                item=it,
                monitored_on=spread(j) - dt.timedelta(days=30),
                progress="on_track",
                next_on=spread(j + 1),
                author=it.staff,
                agency=it.agency,
            )
            for j, it in enumerate(items)
            if j % 2 == 0
        ],
        batch_size=B,
    )
    ActivityNote.objects.bulk_create(
        [
            ActivityNote(
                case=c,
                kind="phone",
                occurred_at=at(spread(i, 200) - dt.timedelta(days=40)),
                content="電話",
                author=c.coordinator,
                agency=c.coordinating_agency,
            )
            for i, c in enumerate(cases)
        ],
        batch_size=B,
    )
    Consent.objects.bulk_create(
        [
            Consent(
                person=persons[i],
                household=households[i],
                explained_by=workers[i % len(workers)],
                recorded_by_agency=agencies[i % 20],
                given_on=dt.date(2025, 6, 1),
                method="written",
                info_kinds=["basic"],
                valid_until=spread(i, 200) + dt.timedelta(days=10),
            )
            for i in range(0, n, 2)
        ],
        batch_size=B,
    )
    Referral.objects.bulk_create(
        [
            Referral(
                number=f"BT-{i:06d}",
                fiscal_year=2026,
                from_agency=agencies[i % 20],
                from_worker=workers[i % len(workers)],
                to_agency=agencies[(i + 1) % 20],
                status="sent" if i % 3 else "opened",
                sent_at=at(spread(i, 30)),
                created_by=users[0],
            )
            for i in range(n // 10)
        ],
        batch_size=B,
    )
    body = MeetingBody.objects.create(
        name="ベンチ支援会議", kind="shien_kaigi", convenor=agencies[0], created_by=users[0]
    )
    juso = MeetingBody.objects.create(
        name="ベンチ重層会議", kind="juso_kaigi", convenor=agencies[0], created_by=users[0]
    )
    BodyMember.objects.bulk_create(
        [
            BodyMember(body=body, user=u, agency=agencies[0], joined_on=dt.date(2020, 1, 1))
            for u in workers[:30]
        ]
    )
    BodyMember.objects.bulk_create(
        [
            BodyMember(body=juso, user=u, agency=agencies[0], joined_on=dt.date(2020, 1, 1))
            for u in workers[:30]
        ]
    )
    Meeting.objects.create(
        body=body, starts_at=at(TODAY + dt.timedelta(days=5), 14), created_by=users[0]
    )
    Meeting.objects.create(
        body=juso, starts_at=at(TODAY + dt.timedelta(days=9), 14), created_by=users[0]
    )
    Meeting.objects.create(
        body=juso,
        starts_at=at(TODAY + dt.timedelta(days=2), 15),
        status="agenda_fixed",
        created_by=users[0],
    )
    held = Meeting.objects.create(
        body=juso,
        starts_at=at(TODAY - dt.timedelta(days=30), 14),
        status="held",
        created_by=users[0],
    )
    agenda = AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=held,
                order=i,
                kind="plan_approval",
                title=f"議題{i}",
                case=cases[i],
                added_by=users[0],
            )
            for i in range(n // 20)
        ]
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                item=a,
                kind="plan_approved",
                decided_on=TODAY - dt.timedelta(days=30),
                recorded_by=users[0],
            )
            for a in agenda
        ]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                decision=d,
                owner_agency=agencies[i % 20],
                owner_user=workers[i % len(workers)],
                task="訪問",
                due_on=spread(i, 40),
            )
            for i, d in enumerate(decisions)
        ]
    )
    return {"cases": n, "plan_items": len(items), "referrals": n // 10, "consents": (n + 1) // 2}


def run_sweep() -> tuple[float, dict[str, int], dict[str, int], int]:
    """One sweep with the queries of each rule counted separately."""
    from notifications import services
    from notifications.rules import available_rules

    per_rule: dict[str, int] = {}
    hits: dict[str, int] = {}
    seconds: dict[str, float] = {}
    original = services.run_rule
    queued: list[int] = []
    # Mail goes to the worker in production (through the outbox, after commit): count what the
    # sweep queues instead of sending it inline — with eager tasks the outbox would send every
    # mail inside the measured sweep.
    queue_email = services._queue_email
    services._queue_email = queued.append

    def counted(spec, ctx, setting):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            run = original(spec, ctx, setting)
        per_rule[spec.code] = len(q)
        hits[spec.code] = run.hits
        seconds[spec.code] = time.perf_counter() - started
        return run

    services.run_rule = counted
    try:
        reset_queries()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as total:
            result = services.sweep(TODAY)
        elapsed = time.perf_counter() - start
    finally:
        services.run_rule = original
        services._queue_email = queue_email
    hits["(urgent mails queued)"] = len(queued)
    hits["(seconds)"] = seconds  # type: ignore[assignment]
    assert not result.failed, result.failed
    assert set(per_rule) == {r.code for r in available_rules()}
    return elapsed, per_rule, hits, len(total)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = (
        False  # tables from the models
    )
    from django.core.management import call_command

    from notifications.models import Notification, Reminder

    old = setup_databases(verbosity=0, interactive=False)
    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']}), today = {TODAY}")
    rows = []
    try:
        for n in args.sizes:
            call_command("flush", interactive=False, verbosity=0)
            t0 = time.perf_counter()
            sizes = build(n)
            if vendor == "postgresql":
                # What autovacuum does on a live database after a bulk load: planner statistics.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            built = time.perf_counter() - t0
            first = run_sweep()
            counts = (Reminder.objects.count(), Notification.objects.count())
            second = run_sweep()
            rows.append((n, sizes, built, first, second, counts))
            print(
                f"\n{n:>6} cases ({sizes['plan_items']} plan items, {sizes['consents']} consents, "
                f"{sizes['referrals']} referrals) built in {built:.1f} s"
            )
            print(
                f"  first sweep:  {first[0]:6.2f} s, {first[3]:4d} queries, "
                f"{counts[0]} reminders / {counts[1]} notifications written, "
                f"{first[2]['(urgent mails queued)']} urgent mails queued"
            )
            print(f"  steady sweep: {second[0]:6.2f} s, {second[3]:4d} queries")
    finally:
        teardown_databases(old, verbosity=0)

    codes = sorted(rows[0][3][1])  # per-rule query counts
    header = "rule".ljust(22) + "".join(
        f"{f'{n} 1st':>11}{f'{n} next':>11}{f'{n} hits':>11}{f'{n} s':>9}" for n, *_ in rows
    )
    print("\nqueries per rule (first run / steady run), due objects, steady-run seconds:")
    print(header)
    for code in codes:
        line = code.ljust(22)
        for _n, _sizes, _built, first, second, _counts in rows:
            line += f"{first[1][code]:>11}{second[1][code]:>11}{first[2][code]:>11}{second[2]['(seconds)'][code]:>9.2f}"
        print(line)
    grows = [c for c in codes if len({r[4][1][c] for r in rows}) > 1]
    print(
        "\nsteady-state queries per rule constant across sizes:",
        "yes" if not grows else f"NO: {grows}",
    )
    if vendor == "postgresql":
        grows_first = [c for c in codes if len({r[3][1][c] for r in rows}) > 1]
        print(
            "first-run queries per rule constant across sizes:",
            "yes" if not grows_first else f"NO: {grows_first}",
        )
    slowest = max(r[3][0] for r in rows)
    print(f"slowest sweep: {slowest:.2f} s (target < 60 s)")


if __name__ == "__main__":
    main()

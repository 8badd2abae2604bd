#!/usr/bin/env python
"""Benchmark of the outreach pages at city scale.

Builds 3,000 outreach targets (three 圏域, six CSWs, 60,000 contacts with one or two staff, a
visiting nurse on some visits, stage transitions) with bulk_create in a throw-away database
(`test_<name>` of DATABASE_URL: PostgreSQL, or in-memory SQLite by default), then times, with the
Django test client logged in as a CSW of the holding 社協:

* the target list (first page, the "stagnant" filter, a name search),
* the target page of the target with the most contacts,
* the CSW workload page (the four counts over the fiscal year, per worker and per area),
* the counts API,

each several times (median), with the number of queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_bench .venv/bin/python benchmarks/outreach_benchmark.py
    .venv/bin/python benchmarks/outreach_benchmark.py --targets 3000 --contacts 60000   # SQLite
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TSUNAGU_VAR_DIR", tempfile.mkdtemp(prefix="tsunagu-bench-"))
os.environ.setdefault("AXES_ENABLED", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

TZ = timezone.get_current_timezone()


def build(n_targets: int, n_contacts: int) -> dict:
    import random

    from agencies.choices import AgencyKind, Programme, Role
    from agencies.models import Agency, Area, Membership, User
    from outreach.models import (
        ContactKind,
        OutreachContact,
        OutreachTarget,
        Stage,
        StageTransition,
    )

    rng = random.Random(11)
    today = timezone.localdate()
    areas = [
        Area.objects.create(name=name, code=code, kana=code)
        for code, name in (("north", "北部圏域"), ("central", "中部圏域"), ("south", "南部圏域"))
    ]
    shakyo = Agency.objects.create(
        name="社会福祉協議会",
        kana="しゃきょう",
        code="shakyo",
        kind=AgencyKind.SHAKYO,
        programmes=[Programme.OUTREACH.value],
    )
    start = today - dt.timedelta(days=400)
    csws = []
    for i in range(6):
        u = User.objects.create(
            username=f"csw{i}", display_name=f"CSW {i}", kana=f"しーえすだぶる{i}"
        )
        Membership.objects.create(user=u, agency=shakyo, role=Role.CSW, start_date=start)
        csws.append(u)
    stages = [s for s in Stage.values if s != Stage.CLOSED]
    targets = []
    for i in range(n_targets):
        closed = i % 10 == 0
        known = today - dt.timedelta(days=rng.randrange(30, 390))
        targets.append(
            OutreachTarget(
                number=f"OR-B-{i:05d}",
                agency=shakyo,
                area=areas[i % 3],
                source=rng.choice(["minsei", "neighbour", "arrears", "survey", "place"]),
                known_on=known,
                approx_name=f"対象 {i:05d}",
                approx_address=f"{areas[i % 3].name} {i}番地",
                approx_age=60 + i % 35,
                worry="見守りが必要",
                stage=Stage.CLOSED if closed else stages[i % len(stages)],
                closure_reason="connected" if closed else "",
                stage_changed_on=known,
                lead_worker=csws[i % 6],
                created_by=csws[i % 6],
                created_at=dt.datetime.combine(known, dt.time(9), tzinfo=TZ),
            )
        )
    OutreachTarget.objects.bulk_create(targets, batch_size=500)
    targets = list(OutreachTarget.objects.order_by("pk"))
    through = OutreachTarget.assignees.through
    through.objects.bulk_create(
        [through(outreachtarget_id=t.pk, user_id=csws[k % 6].pk) for k, t in enumerate(targets)]
        + [
            through(outreachtarget_id=t.pk, user_id=csws[(k + 1) % 6].pk)
            for k, t in enumerate(targets)
            if k % 3 == 0
        ],
        batch_size=1000,
    )
    StageTransition.objects.bulk_create(
        [
            StageTransition(
                target=t,
                from_stage="",
                to_stage="discovered",
                on=t.known_on,
                reason="把握",
                actor=csws[0],
            )
            for t in targets
        ]
        + [
            StageTransition(
                target=t,
                from_stage="discovered",
                to_stage=t.stage,
                on=t.known_on + dt.timedelta(days=10),
                reason="進行",
                closure_reason=t.closure_reason,
                actor=csws[0],
            )
            for t in targets
            if t.stage != "discovered"
        ],
        batch_size=1000,
    )
    kinds = [k.value for k in ContactKind]
    # A skewed distribution: a few targets have hundreds of contacts (the page worst case).
    weights = [1 + (50 if k < 20 else 0) for k in range(len(targets))]
    picked = rng.choices(range(len(targets)), weights=weights, k=n_contacts)
    contacts = []
    last: dict[int, dt.datetime] = {}
    for j, idx in enumerate(picked):
        t = targets[idx]
        when = dt.datetime.combine(
            t.known_on + dt.timedelta(days=rng.randrange(0, 30)), dt.time(9 + j % 8), tzinfo=TZ
        )
        kind = kinds[j % len(kinds)]
        contacts.append(
            OutreachContact(
                public_id=uuid.uuid4(),
                target=t,
                kind=kind,
                occurred_at=when,
                minutes=30,
                professionals=["visiting_nurse"] if j % 13 == 0 else [],
                counterpart="person",
                outcome="met",
                content="訪問して話を聞いた",
                agency=shakyo,
                author=t.lead_worker,
            )
        )
        last[t.pk] = max(last.get(t.pk, when), when)
    OutreachContact.objects.bulk_create(contacts, batch_size=1000)
    ids = list(OutreachContact.objects.order_by("pk").values_list("pk", "target__lead_worker_id"))
    staff_through = OutreachContact.staff.through
    rows = []
    for k, (pk, lead) in enumerate(ids):
        rows.append(staff_through(outreachcontact_id=pk, user_id=lead))
        if k % 4 == 0:
            other = csws[(csws.index(next(u for u in csws if u.pk == lead)) + 1) % 6]
            rows.append(staff_through(outreachcontact_id=pk, user_id=other.pk))
    staff_through.objects.bulk_create(rows, batch_size=2000)
    for pk, when in last.items():
        OutreachTarget.objects.filter(pk=pk).update(last_contact_at=when)
    busiest = max(set(picked[:]), key=picked.count)
    return {"csw": csws[0], "busiest": targets[busiest], "contact_staff": len(rows)}


def timed(client, url: str, repeat: int) -> tuple[float, int, int]:
    times, queries, status = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
        queries, status = len(q), response.status_code
    return statistics.median(times), queries, status


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--targets", type=int, default=3000)
    parser.add_argument("--contacts", type=int, default=60000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False
    settings.ALLOWED_HOSTS = ["*"]
    from django.test import Client

    old = setup_databases(verbosity=0, interactive=False)
    try:
        t0 = time.perf_counter()
        built = build(args.targets, args.contacts)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"database: {connection.vendor}; {args.targets} targets, {args.contacts} contacts "
            f"({built['contact_staff']} staff-visits rows) built in {time.perf_counter() - t0:.1f} s"
        )
        client = Client()
        client.force_login(built["csw"])
        busiest = built["busiest"]
        pages = [
            ("target list, page 1", "/outreach/"),
            ("target list, page 50", "/outreach/?page=50&stage="),
            ("target list, stagnant", "/outreach/?stagnant=1"),
            ("target list, search", "/outreach/?q=01234"),
            (
                f"target page ({busiest.contacts.count()} contacts)",
                f"/outreach/{busiest.public_id}/",
            ),
            ("workload page", "/outreach/workload/"),
            ("counts API", "/api/v1/outreach/counts/"),
            ("targets API", "/api/v1/outreach/targets/"),
        ]
        print(f"\n{'page':<36}{'median s':>10}{'queries':>9}{'status':>8}")
        for label, url in pages:
            seconds, queries, status = timed(client, url, args.repeat)
            print(f"{label:<36}{seconds:>10.3f}{queries:>9}{status:>8}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

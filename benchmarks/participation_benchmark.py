#!/usr/bin/env python
"""Benchmark of 参加支援 matching: one person's assessment against N resources (default 2,000),
each with a participation profile, half with active placements (occupancy), in a throw-away
database (`test_<name>` of DATABASE_URL, or in-memory SQLite).

Measures, median of 7 runs after one warm-up (wall time and this process's CPU time):
  * rank      the catalogue query (resources + profiles + occupancy, one query), the facts and the
              scoring of every resource with its reasons — what the matching page and the API do;
  * page      the whole matching page through the test client as the 参加支援員 (policy, audit row,
              template with the top 30 and their reasons).
Target: under 300 ms for 2,000 resources.

With --in-place it runs against the configured database itself (e.g. the scale data set of
`generate_scale_data`, so the catalogue query meets a full database): the N resources, the
person and the placements are added inside a transaction that is rolled back afterwards.

    .venv/bin/python benchmarks/participation_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_participation .venv/bin/python benchmarks/participation_benchmark.py --sizes 2000 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale .venv/bin/python benchmarks/participation_benchmark.py --in-place
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
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

TAGS = ["農作業", "料理", "接客", "清掃", "本", "パソコン", "子ども", "高齢者", "音楽", "手芸"]


def build(n: int):
    from community.models import Resource
    from participation import services as svc
    from participation.models import Placement, ResourceProfile
    from participation.tests.factories import participation_world

    w = participation_world()
    a = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    svc.assessment_update(
        assessment=a,
        actor=w.worker,
        lock_version=1,
        data={
            "interests": ["farming", "cooking"],
            "withdrawal": True,
            "anxiety": "some",
            "days": [1, 3],
            "home_lat": 35.65,
            "home_lng": 139.55,
            "bus_lines": "北部循環",
        },
    )
    resources = Resource.objects.bulk_create(
        [
            Resource(
                name=f"ベンチ資源{i:05d}",
                kana=f"べんち{i:05d}",
                kind="agri_welfare" if i % 7 == 0 else "salon",
                latitude=35.60 + (i % 100) * 0.001,
                longitude=139.50 + (i // 100) * 0.003,
                capacity=5 + i % 10,
                min_age=18 if i % 5 == 0 else None,
                interest_tags=[TAGS[i % len(TAGS)], TAGS[(i * 3) % len(TAGS)]],
                accepts_helpers=i % 2 == 0,
                host_experience=["withdrawal"] if i % 3 == 0 else [],
                cost_yen=(i % 4) * 100,
            )
            for i in range(n)
        ]
    )
    ResourceProfile.objects.bulk_create(
        [
            ResourceProfile(
                resource=r,
                activities=["farming"] if i % 7 == 0 else ["talking", "cooking"],
                days=[i % 7, (i + 2) % 7],
                bus_lines="北部循環" if i % 11 == 0 else "",
                small_group=i % 2 == 1,
            )
            for i, r in enumerate(resources)
        ]
    )
    # occupancy: an active placement at every other resource (persons reused: status only)
    Placement.objects.bulk_create(
        [
            Placement(
                case=w.case,
                person=w.person,
                resource=r,
                status="active",
                agency=w.sanka_agency,
                created_by=w.worker,
            )
            for r in resources[1::2]
        ]
    )
    return w, a


def timed(fn, runs=7):
    """Median wall time and median CPU time of this process (ms). On a shared, overloaded
    machine the wall time includes waiting for a core; the CPU time is what the work costs."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000])
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="use the configured database (rolled back), not a throw-away one",
    )
    args = parser.parse_args()
    settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False
    from django.core.management import call_command
    from django.db import transaction

    old = None if args.in_place else setup_databases(verbosity=0, interactive=False)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    try:
        for n in args.sizes:
            if args.in_place:
                with transaction.atomic():
                    measure(n)
                    transaction.set_rollback(True)
                continue
            call_command("flush", interactive=False, verbosity=0)
            measure(n)
    finally:
        if old is not None:
            teardown_databases(old, verbosity=0)


def measure(n: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from participation.matching import rank
    from participation.selectors import person_facts
    from participation.selectors_matching import catalogue_facts

    w, a = build(n)
    facts = person_facts(a)

    def run_rank(facts=facts):
        return rank(facts, catalogue_facts())

    with CaptureQueriesContext(connection) as q:
        results = run_rank()
    rank_ms, rank_cpu = timed(run_rank)
    client = Client()
    client.force_login(w.worker)
    url = reverse("participation:match", args=[a.public_id])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as pq:
        client.get(url)
    page_ms, page_cpu = timed(lambda client=client, url=url: client.get(url))
    top = results[0]
    print(
        f"{n:>6} resources: rank {rank_ms:6.1f} ms wall / {rank_cpu:.1f} ms CPU "
        f"({len(q.captured_queries)} query), page {page_ms:6.1f} ms wall / "
        f"{page_cpu:.1f} ms CPU ({len(pq.captured_queries)} queries); "
        f"top: {top.resource.name} {top.score:.1f} with {len(top.reasons)} reasons"
    )


if __name__ == "__main__":
    main()

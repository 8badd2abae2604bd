#!/usr/bin/env python
"""Benchmark of the community area view (地域の状況): 500 places and 60,000 sessions.

Builds the three 圏域 and six 小地域 of the demo city with their boundaries (the demo GeoJSON),
500 active places spread over them with coordinates, 60,000 sessions over the last 12 months and
a few thousand open support cases, all with bulk_create, in a throw-away database (`test_<name>`
of DATABASE_URL: PostgreSQL, or in-memory SQLite by default). Then renders the area view as a
logged-in staff member through Django's test client (no network: the time is the application's)
for each unit × shading, and prints p50/p95/max and the queries per page. Target: < 300 ms.

    .venv/bin/python benchmarks/community_benchmark.py                 # SQLite in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_community \\
        .venv/bin/python benchmarks/community_benchmark.py --runs 30
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TSUNAGU_VAR_DIR", tempfile.mkdtemp(prefix="tsunagu-bench-"))
os.environ.setdefault("AXES_ENABLED", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

TARGET_MS = 300


def build(n_places: int, n_sessions: int, n_cases: int, seed: int = 7):
    import random

    from agencies.choices import AgencyKind, Role
    from agencies.models import Agency, Area, Membership, User
    from cases.models import Household, SupportCase
    from community.maps import import_shapes
    from community.models import Resource, Session

    rng = random.Random(seed)
    city = Area.objects.create(code="city", name="みどり市全域", level="city")
    spheres, districts = {}, []
    for n, (code, name) in enumerate((("north", "北部"), ("central", "中部"), ("south", "南部"))):
        spheres[code] = Area.objects.create(
            code=code, name=f"{name}圏域", level="sphere", parent=city, sort_order=n
        )
        for k in (1, 2):
            districts.append(
                Area.objects.create(
                    code=f"{code}-{k}",
                    name=f"{name}{k}地区",
                    level="district",
                    parent=spheres[code],
                    sort_order=n,
                )
            )
    import_shapes((BASE_DIR / "community" / "data" / "midori_areas.geojson").read_bytes())
    agency = Agency.objects.create(
        code="shakyo",
        name="社協",
        kana="しゃきょう",
        kind=AgencyKind.SHAKYO,
        programmes=["community"],
    )
    user = User.objects.create_user(username="bench", password="x", display_name="ベンチ")
    Membership.objects.create(
        user=user, agency=agency, role=Role.CSW, start_date=dt.date(2020, 4, 1)
    )
    kinds = ["salon", "shokudo", "engawa", "cafe", "kayoi", "akiya"]
    places = Resource.objects.bulk_create(
        [
            Resource(
                name=f"居場所{i}",
                kana=f"いばしょ{i}",
                kind=kinds[i % len(kinds)],
                area=(d := districts[i % len(districts)]).parent,
                small_area=d,
                latitude=Decimal(str(round(rng.uniform(35.605, 35.695), 6))),
                longitude=Decimal(str(round(rng.uniform(139.505, 139.595), 6))),
                schedule="weekly",
                functions=["exchange"],
                target_groups=["all"],
                start_date=dt.date(2020, 4, 1),
            )
            for i in range(n_places)
        ],
        batch_size=1000,
    )
    today = dt.date.today()
    batch = []
    step = max(1, 360 // -(-n_sessions // n_places))
    for i in range(n_sessions):
        people = rng.randint(3, 30)
        batch.append(
            Session(
                resource=places[i % n_places],
                # One tally a place and day (session_one_a_day), spread over the year back.
                held_on=today - dt.timedelta(days=(i // n_places) * step),
                age_70s=people,
                attr_elderly=people,
                participants=people,
                recorded_by=user,
            )
        )
        if len(batch) == 5000:
            Session.objects.bulk_create(batch)
            batch = []
    Session.objects.bulk_create(batch)
    households = Household.objects.bulk_create(
        [
            Household(
                area=districts[i % len(districts)], registered_by_agency=agency, created_by=user
            )
            for i in range(n_cases)
        ],
        batch_size=2000,
    )
    SupportCase.objects.bulk_create(
        [
            SupportCase(
                number=f"B-{i:06d}",
                fiscal_year=2026,
                household=h,
                lead_agency=agency,
                status="supporting",
            )
            for i, h in enumerate(households)
        ],
        batch_size=2000,
    )
    return user


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=60_000)
    parser.add_argument("--cases", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False
    old = setup_databases(verbosity=0, interactive=False)
    ok = True
    try:
        from django.test import Client
        from django.urls import reverse

        t0 = time.perf_counter()
        user = build(args.places, args.sessions, args.cases)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"database: {connection.vendor}; built {args.places} places, {args.sessions} sessions, "
            f"{args.cases} open cases in {time.perf_counter() - t0:.1f} s"
        )
        client = Client()
        client.force_login(user)
        url = reverse("community:area_view")
        print(f"{'page':42}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
        for level in ("sphere", "district"):
            for metric in ("places", "sessions", "cases"):
                q = f"?level={level}&metric={metric}"
                assert client.get(url + q).status_code == 200  # warm-up
                times = []
                for _ in range(args.runs):
                    with CaptureQueriesContext(connection) as ctx:
                        start = time.perf_counter()
                        response = client.get(url + q)
                        times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                ok &= p95 < TARGET_MS
                print(
                    f"{'area view ' + q:42}{statistics.median(times):>9.1f}{p95:>9.1f}"
                    f"{times[-1]:>9.1f}{len(ctx.captured_queries):>9}"
                )
    finally:
        teardown_databases(old, verbosity=0)
    print(f"target p95 < {TARGET_MS} ms: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

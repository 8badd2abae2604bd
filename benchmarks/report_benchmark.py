#!/usr/bin/env python
"""Benchmark of the annual report (実績報告) on the city-scale data set.

Run it against a database filled by `manage.py generate_scale_data` (PostgreSQL): it builds the
report of a fiscal year as of a date — every registered figure, its breakdowns and the people
table — and writes each output (JSON, CSV, XLSX, PDF), printing the wall time and the number of
queries of each step. Read-only: it never writes to the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale \\
        .venv/bin/python benchmarks/report_benchmark.py --fy 2026 --as-of 2026-12-01
"""

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TSUNAGU_VAR_DIR", tempfile.mkdtemp(prefix="tsunagu-bench-"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reports import figures  # noqa: E402
from reports.build import build_annual_report, report_json  # noqa: E402
from reports.outputs import to_csv, to_pdf, to_xlsx  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fy", type=int, default=2026)
    parser.add_argument("--as-of", default="2026-12-01")
    parser.add_argument("--slowest", type=int, default=8, help="list the N slowest figures")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    from cases.models import Consultation, Referral, SupportCase

    print(
        f"database: {connection.vendor}; consultations {Consultation.objects.count():,}, "
        f"referrals {Referral.objects.count():,}, cases {SupportCase.objects.count():,}"
    )
    period = figures.Period.of(args.fy, as_of)
    timings = []
    for figure in figures.all_figures():
        started = time.perf_counter()
        figure.value(period)
        timings.append((time.perf_counter() - started, figure.code))
    timings.sort(reverse=True)
    print(f"figures: {len(timings)}, sum of single timings {sum(t for t, _ in timings):.2f} s")
    for seconds, code in timings[: args.slowest]:
        print(f"  {seconds:6.3f} s  {code}")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = build_annual_report(args.fy, as_of)
        built = time.perf_counter() - started
    print(f"build_annual_report: {built:.2f} s, {len(queries)} queries")
    for name, write in (
        ("json", lambda r: json.dumps(report_json(r), ensure_ascii=False).encode()),
        ("csv", to_csv),
        ("xlsx", to_xlsx),
        ("pdf", to_pdf),
    ):
        started = time.perf_counter()
        data = write(report)
        print(f"{name}: {time.perf_counter() - started:.2f} s, {len(data):,} bytes")
    started = time.perf_counter()
    to_xlsx(report, public=True)
    print(f"xlsx (public, suppressed): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

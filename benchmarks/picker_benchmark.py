#!/usr/bin/env python
"""The search-as-you-type pickers on the generated city: p50/p95 per endpoint and query.

Runs the picker pages of `benchmarks/scaledata/pages.py` (PICKER_PAGES) against the database of
DATABASE_URL as it is (build it with `manage.py generate_scale_data --scale S`), as demo users
through Django's test client. Target: p95 ≤ 100 ms, no sequential scan on a big table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale \\
        .venv/bin/python benchmarks/picker_benchmark.py --runs 50
"""

import argparse
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AXES_ENABLED", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from benchmarks.scaledata.pages import PICKER_PAGES, run_pages  # noqa: E402

TARGET_MS = 100


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    results = run_pages(runs=args.runs, pages=PICKER_PAGES)
    ok = True
    print(f"{'picker':42} {'p50':>7} {'p95':>7} {'db':>7} {'q':>3}  result")
    for r in results:
        fails = []
        if r["p95_ms"] > TARGET_MS:
            fails.append("p95")
        if r["seq_scans"]:
            fails.append("seqscan:" + ",".join(r["seq_scans"]))
        if r["status"] != 200:
            fails.append(f"status {r['status']}")
        ok = ok and not fails
        print(
            f"{r['name']:40} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} {r['db_ms']:7.1f} "
            f"{r['queries']:3d}  {'FAIL ' + ' '.join(fails) if fails else 'PASS'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

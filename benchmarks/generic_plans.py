#!/usr/bin/env python
"""Statements that a prepared generic plan makes slower, page by page, on the generated city.

psycopg prepares a statement the connection has run PG_PREPARE_THRESHOLD times (5), and
PostgreSQL may then keep a generic plan, made without the values: for a value with far more rows
than the average (the busiest person, place or agency) it can be many times slower than the plan
made for that value. For every page of `benchmarks/scaledata/pages.py` this replays each SELECT
the page ran on a fresh connection sixteen times: the first four with custom plans, the last
eight as prepared. A statement whose prepared runs take more than 1.5 times (and 0.15 ms more
than) its custom runs is printed with the plans PostgreSQL used (generic, custom). Searches are
never prepared (agencies/dbconn.py) and do not appear.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale \\
        .venv/bin/python benchmarks/generic_plans.py [--only "person page"]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AXES_ENABLED", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from benchmarks.scaledata.pages import EXTRA_PAGES, PAGES, _user_ctx, client_for  # noqa: E402

RUNS, CUSTOM, PREPARED_FROM = 16, 4, 8


def _statements(page) -> list[tuple[str, tuple]]:
    client, ctx = client_for(page.user), _user_ctx(page.user)
    url = page.url(ctx) if callable(page.url) else page.url
    client.get(url)
    seen: list[tuple[str, tuple]] = []

    def keep(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        client.get(url)
    return [(sql, params) for sql, params in seen if sql.lstrip().startswith("SELECT")]


def _replay(sql: str, params) -> tuple[float, float, list]:
    connection.close()  # a fresh connection: nothing of it prepared yet
    times = []
    for _ in range(RUNS):
        with connection.cursor() as cur:
            started = time.perf_counter()
            cur.execute(sql, params)
            times.append((time.perf_counter() - started) * 1000)
            cur.fetchall()
    with connection.cursor() as cur:
        cur.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements")
        plans = cur.fetchall()
    return statistics.median(times[:CUSTOM]), statistics.median(times[PREPARED_FROM:]), plans


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", default="", help="substring of page names to run")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("PostgreSQL only (DATABASE_URL)")
        return 2
    done: set[str] = set()
    slower = 0
    for page in PAGES + EXTRA_PAGES:
        if args.only not in page.name:
            continue
        for sql, params in _statements(page):
            if sql in done:
                continue
            done.add(sql)
            custom, prepared, plans = _replay(sql, params)
            if prepared > custom * 1.5 and prepared - custom > 0.15:
                slower += 1
                print(f"{page.name}: custom {custom:.2f} ms, prepared {prepared:.2f} ms")
                print(f"  plans (generic, custom): {plans}\n  {sql[:300]}", flush=True)
    print(f"{len(done)} statements, {slower} slower when prepared")
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())

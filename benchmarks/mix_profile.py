#!/usr/bin/env python
"""Where a request of the mix spends its CPU, page by page, in one process (no gunicorn).

For each page of `mix_benchmark.MIX` and weighted over the mix: the process's CPU a request, of
which Django's templates (the outermost render of each template) and compiling SELECTs (the
outermost `SQLCompiler.as_sql`: a statement compiled once by `agencies.compiled` is not
compiled again), the statements a request sends, the CPU of its PostgreSQL backend (read from
/proc in 10 ms ticks: use enough runs), and the garbage collector's work. Then, over one pass
of the mix with the collector off, the objects a request leaves that only the collector frees
(reference cycles), and the types most of them are.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale \\
        .venv/bin/python benchmarks/mix_profile.py --runs 10

Timing wrappers add a little to every figure; compare runs of this script with each other, and
`mix_benchmark.py` for what gunicorn serves. Session 32's analysis (RESULTS.md) used these.
"""

import argparse
import collections
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django.db import connection  # noqa: E402
from django.db.models.sql.compiler import SQLCompiler  # noqa: E402
from django.template.backends.django import Template  # noqa: E402
from mix_benchmark import warmed_in_process  # noqa: E402 - also sets Django up


class Outermost:
    """CPU spent in the outermost call of a method (nested calls are part of it)."""

    def __init__(self, owner: type, name: str):
        self.spent = 0.0
        self.calls = 0
        self._depth = 0
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            self._depth += 1
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self._depth -= 1
                if not self._depth:
                    self.spent += time.process_time() - start
                    self.calls += 1

        setattr(owner, name, timed)

    def take(self) -> tuple[float, int]:
        out = (self.spent, self.calls)
        self.spent, self.calls = 0.0, 0
        return out


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far (None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the server runs elsewhere
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cyclic_garbage(mix, clients) -> tuple[float, collections.Counter]:
    """Objects a request leaves for the collector, over one pass of the mix."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        requests = 0
        for weight, user, path in mix:
            for _ in range(weight):
                clients[user].get(path)
                requests += 1
        gc.collect()
        kinds = collections.Counter(type(o).__name__ for o in gc.garbage)
        return len(gc.garbage) / requests, kinds
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10, help="requests of each page measured")
    args = parser.parse_args()
    mix, clients = warmed_in_process()

    templates = Outermost(Template, "render")
    compiling = Outermost(SQLCompiler, "as_sql")
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    collected = [0, 0.0]
    started = [0.0]

    def on_gc(phase, info):
        if phase == "start":
            started[0] = time.process_time()
        else:
            collected[0] += 1
            collected[1] += time.process_time() - started[0]

    gc.callbacks.append(on_gc)
    total_weight = sum(w for w, _, _ in mix)
    weighted = collections.Counter()
    print(
        f"{'w':>2} {'user':12} {'page':44} {'cpu':>6} {'tmpl':>6} {'sql':>6} {'stmts':>5} {'pg':>6}"
    )
    with connection.execute_wrapper(count):
        for weight, user, path in mix:
            templates.take(), compiling.take()
            pg_before = _backend_cpu()
            statements[0] = 0
            start = time.process_time()
            for _ in range(args.runs):
                clients[user].get(path)
            cpu = (time.process_time() - start) / args.runs * 1000
            sent = statements[0]
            pg_after = _backend_cpu()
            row = {
                "cpu": cpu,
                "tmpl": templates.take()[0] / args.runs * 1000,
                "sql": compiling.take()[0] / args.runs * 1000,
                "stmts": sent / args.runs,
                "pg": (pg_after - pg_before) / args.runs * 1000 if pg_before is not None else 0.0,
            }
            for key, value in row.items():
                weighted[key] += weight * value / total_weight
            print(
                f"{weight:2} {user:12} {path[:44]:44} {row['cpu']:6.1f} {row['tmpl']:6.1f}"
                f" {row['sql']:6.1f} {row['stmts']:5.1f} {row['pg']:6.1f}"
            )
    gc.callbacks.remove(on_gc)
    measured = args.runs * len(mix)
    print(
        f"{'':2} {'weighted':12} {'(ms a request of the mix)':44} {weighted['cpu']:6.1f}"
        f" {weighted['tmpl']:6.1f} {weighted['sql']:6.1f} {weighted['stmts']:5.1f}"
        f" {weighted['pg']:6.1f}"
    )
    print(
        f"garbage collector: {collected[0]} collections in {measured} requests,"
        f" {collected[1] * 1000:.0f} ms in all"
    )
    per_request, kinds = _cyclic_garbage(mix, clients)
    common = ", ".join(f"{name} {n}" for name, n in kinds.most_common(6))
    print(f"left for the collector: {per_request:.0f} objects a request ({common} in one pass)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

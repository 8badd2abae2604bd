#!/usr/bin/env python
"""The instructions a request of the mix costs, page by page: a figure the machine's speed does
not move.

The machines these benchmarks run on swing between a quick and a slow phase (session 32: the
same code and data served 61 or 90 requests/s within the hour; session 33's machine took twice
session 32's CPU a request all session), so two runs of `mix_benchmark.py` or `mix_profile.py`
compare a change with the machine as much as with the code. Valgrind's callgrind counts the
instructions a process executes, the same count for the same code and data whatever else the
machine does (seen here to 0.05 %). This script re-runs itself under callgrind, warms every page
of `mix_benchmark.MIX` with instrumentation off, then counts each page's requests (its weight in
the mix, `--passes` times) between `callgrind_control` switches, and prints millions of
instructions a request, page by page and weighted by the mix.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale \\
        .venv/bin/python benchmarks/mix_instructions.py [--page /cases/consultations/]

Only this process is counted (Django, the templates, the driver), not PostgreSQL's backend:
`mix_profile.py` reports that and the statements. Under callgrind the run takes ~50 times
longer (about 3 minutes for one pass of the mix). Needs valgrind (Debian package `valgrind`).
It replaces session 22's `mix_pass.py`, which counted the whole mix only, as the difference of
two runs.
"""

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

UNDER_CALLGRIND = "TSUNAGU_UNDER_CALLGRIND"
TOTALS = re.compile(r"^totals: (\d+)", re.MULTILINE)
SUMMARY = re.compile(r"^summary: (\d+)", re.MULTILINE)


def instructions(dump: str) -> int:
    """The instructions a callgrind dump counted (its `totals:` line, else `summary:`)."""
    found = TOTALS.search(dump) or SUMMARY.search(dump)
    if not found:
        raise ValueError("not a callgrind dump: no totals or summary line")
    return int(found.group(1))


def _control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], capture_output=True, check=True)


def _measure(args) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from mix_benchmark import warmed_in_process  # also sets Django up

    mix, clients = warmed_in_process(args.page)
    out = Path(os.environ[UNDER_CALLGRIND])
    for index, (weight, user, path) in enumerate(mix):
        requests = weight * args.passes
        # Each page from the same collector state: where a collection falls then depends on
        # that page alone, not on the pages before it (a change to one page moved a collection
        # into or out of another page's count: the inbox 40.2 or 47.8 M for the same code).
        gc.collect()
        _control("--zero")
        _control("--instr=on")
        for _ in range(requests):
            clients[user].get(path)
        _control("--instr=off")
        _control(f"--dump={index}")
        (out / f"{index}.requests").write_text(f"{requests} {weight} {user} {path}")
    return 0


def _report(folder: Path) -> int:
    dumps = {int(p.name.rsplit(".", 1)[1]): p for p in folder.glob("callgrind.out.*.*")}
    total_weight = 0
    weighted = 0.0
    print(f"{'w':>2} {'user':12} {'page':44} {'M instr/request':>16}")
    for meta in sorted(folder.glob("*.requests"), key=lambda p: int(p.stem)):
        requests, weight, user, path = meta.read_text().split(" ", 3)
        index = int(meta.stem)
        # callgrind numbers its dumps from 1, in the order they were asked for.
        count = instructions(dumps[index + 1].read_text()) / int(requests) / 1e6
        total_weight += int(weight)
        weighted += int(weight) * count
        print(f"{weight:>2} {user:12} {path[:44]:44} {count:16.1f}")
    if total_weight:
        print(
            f"{'':2} {'weighted':12} {'(a request of the mix)':44} {weighted / total_weight:16.1f}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--page", help="only this path of the mix (CASE_PAGE for the case page)")
    parser.add_argument("--passes", type=int, default=1, help="passes of the mix counted")
    args = parser.parse_args()
    if os.environ.get(UNDER_CALLGRIND):
        return _measure(args)
    if not shutil.which("valgrind"):
        print("valgrind is not installed (apt-get install valgrind)")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={folder}/callgrind.out.%p",
                sys.executable,
                __file__,
                *sys.argv[1:],
            ],
            env={**os.environ, UNDER_CALLGRIND: folder},
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode:
            print(run.stdout, run.stderr[-3000:])
            return run.returncode
        return _report(Path(folder))


if __name__ == "__main__":
    sys.exit(main())

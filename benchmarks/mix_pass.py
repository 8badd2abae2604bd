#!/usr/bin/env python
"""N passes of the mix's requests in one process, for counting instructions (callgrind).

The machine's speed changes under a run; instruction counts do not. Logs the demo users in,
requests every page of `mix_benchmark.MIX` twice (warm-up), then makes N passes of the mix with
its weights. The instructions of one pass are those of a run with N=1 minus a run with N=0:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale
    valgrind --tool=callgrind --callgrind-out-file=mix1.out .venv/bin/python benchmarks/mix_pass.py 1
    valgrind --tool=callgrind --callgrind-out-file=mix0.out .venv/bin/python benchmarks/mix_pass.py 0

(divide the difference of the two `summary:` lines by the pass's requests, printed here). Only
the Django process is counted, not PostgreSQL.
"""

import sys

from mix_benchmark import MIX, _case_page  # also sets Django up

from benchmarks.scaledata.pages import client_for
from config import gc_tuning


def main() -> int:
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    gc_tuning.tune()
    case_page = _case_page()
    mix = [(w, u, case_page if p == "CASE_PAGE" else p) for w, u, p in MIX]
    clients = {u: client_for(u) for _, u, _ in mix}
    for _, user, path in mix:
        for _ in range(2):
            status = clients[user].get(path).status_code
            if status != 200:
                print(f"{path}: {status}")
                return 1
    for _ in range(passes):
        for weight, user, path in mix:
            for _ in range(weight):
                clients[user].get(path)
    print(f"{passes} pass(es) of {sum(w for w, _, _ in mix)} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())

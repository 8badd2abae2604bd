"""The mix benchmark's own arithmetic (the run itself needs gunicorn, wrk and the data set)."""


def test_the_mix_reports_cpu_per_request_and_the_ceiling_it_puts_on_requests():
    """`mix_benchmark.cpu_report`: CPU seconds used during the run, per request, by the workers,
    PostgreSQL and wrk, and the requests/s the machine's cores can serve at that cost."""
    import os

    from benchmarks.mix_benchmark import cpu_report

    before = {"gunicorn": 10.0, "postgres": 5.0, "wrk": 1.0, "bash": 3.0}
    after = {"gunicorn": 35.0, "postgres": 13.0, "wrk": 1.5, "bash": 9.0}
    busy = ((100.0, 200.0), (158.0, 260.0))  # 58 of 60 CPU seconds busy
    report = cpu_report(before, after, busy, requests=1000)
    cores = os.cpu_count()
    assert "gunicorn 25.0 ms, PostgreSQL 8.0 ms, wrk 0.5 ms" in report
    assert "machine 97 % busy" in report
    assert f"{cores} cores at 33.5 ms per request serve at most {cores * 1000 / 33.5:.0f}" in report


def test_the_profile_counts_the_outermost_call_of_a_method_only():
    """`mix_profile.Outermost`: a template rendered inside a template, or a subquery compiled
    inside a query, is part of the outer call's time and not counted again."""
    from benchmarks.mix_profile import Outermost

    class Tree:
        def walk(self, depth):
            return 1 + (self.walk(depth - 1) if depth else 0)

    timer = Outermost(Tree, "walk")
    assert Tree().walk(3) == 4  # the method still answers as before
    Tree().walk(0)
    spent, calls = timer.take()
    assert calls == 2  # two outermost calls; the three nested ones belong to the first
    assert spent >= 0.0
    assert timer.take() == (0.0, 0)  # taking the figures starts them again


def test_the_instruction_count_is_read_from_a_callgrind_dump():
    """`mix_instructions.instructions`: a dump's `totals:` line (the counted events), else its
    `summary:` line; anything else is refused rather than read as zero."""
    import pytest

    from benchmarks.mix_instructions import instructions

    dump = "version: 1\ncmd: python x.py\npart: 1\nevents: Ir\nsummary: 0\nfn=(1) main\n5 7\ntotals: 161915585\n"
    assert instructions(dump) == 161_915_585  # totals, not the summary line before it
    assert instructions("events: Ir\nsummary: 4200\n") == 4200
    with pytest.raises(ValueError):
        instructions("not a dump\n")

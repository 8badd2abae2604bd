#!/usr/bin/env python
"""A realistic mix of requests against gunicorn with 2 workers, on loopback, bounded in time.

Starts gunicorn (2 sync workers, as in production) on the database of DATABASE_URL, logs the demo
users in by writing their sessions (two-factor marked verified, as after a real login), then
drives the mix with `wrk` (Debian package `wrk`) for --seconds: dashboards, person searches,
lists, case pages and API lists in the proportions of a working day (most requests are lists and
searches, a few are heavy pages). Prints requests/s, latency percentiles, non-2xx answers, the
CPU each request cost the workers, PostgreSQL and wrk (and the requests/s the machine's cores
allow at that cost), and the RSS of each worker afterwards.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_scale \\
        .venv/bin/python benchmarks/mix_benchmark.py --seconds 30 --connections 8

Targets: ≥ 100 requests/s with p95 ≤ 300 ms; worker RSS ≤ 300 MB. wrk runs on the same machine
and takes CPU from the workers: on a 2-core machine the figure is a lower bound.
"""

import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# (weight, user, path): what a working day looks like from the server.
MIX = [
    (6, "houkatsu-n1", "/"),
    (3, "suishin1", "/"),
    (8, "houkatsu-n1", "/cases/persons/?q=%E4%BD%90%E8%97%A4"),  # 佐藤
    (4, "houkatsu-n1", "/cases/persons/?q=%E3%81%9F%E3%81%8B%E3%81%AF%E3%81%97"),  # たかはし
    (6, "houkatsu-n1", "/cases/consultations/"),
    (6, "suishin1", "/cases/referrals/inbox/"),
    (6, "suishin1", "/cases/support/"),
    (4, "suishin1", "CASE_PAGE"),
    (4, "suishin1", "/notifications/"),
    (6, "suishin1", "/api/v1/support-cases/"),
    (6, "houkatsu-n1", "/api/v1/consultations/"),
    (3, "kakaricho", "/meetings/"),
    (1, "admin", "/audit/"),
]


def _sessions() -> dict[str, str]:
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    out = {}
    for username in {u for _, u, _ in MIX}:
        user = User.objects.get(username=username)
        s = store()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device:
            s[DEVICE_ID_SESSION_KEY] = device.persistent_id
        s.create()
        out[username] = s.session_key
    return out


def _case_page() -> str:
    from agencies.models import User
    from cases.selectors.support import cases_visible_to

    case = cases_visible_to(User.objects.get(username="suishin1")).values_list(
        "public_id", flat=True
    )[:1]
    return f"/cases/support/{case[0]}/"


def warmed_in_process(only: str | None = None) -> tuple[list, dict]:
    """The mix for a measurement in this process (`mix_profile.py`, `mix_instructions.py`): the
    collector tuned as in a worker, the case page's path filled in (`only`: that path alone,
    CASE_PAGE for the case page), a logged-in test client for each user, and every page
    requested three times (templates, compiled and prepared statements). Raises when a page does
    not answer 200."""
    from benchmarks.scaledata.pages import client_for
    from config import gc_tuning

    gc_tuning.tune()
    case_page = _case_page()
    mix = [(w, u, case_page if p == "CASE_PAGE" else p) for w, u, p in MIX]
    if only:
        mix = [m for m in mix if m[2] == (case_page if only == "CASE_PAGE" else only)]
    clients = {u: client_for(u) for _, u, _ in mix}
    for _, user, path in mix:
        for _ in range(3):
            status = clients[user].get(path).status_code
            if status != 200:
                raise RuntimeError(f"{path}: {status} for {user}")
    return mix, clients


def _lua(sessions: dict[str, str], case_page: str) -> str:
    cookie = settings.SESSION_COOKIE_NAME
    rows = []
    for weight, user, path in MIX:
        path = case_page if path == "CASE_PAGE" else path
        for _ in range(weight):
            rows.append(f'{{"{path}", "{cookie}={sessions[user]}"}}')
    return (
        "local reqs = {" + ",\n".join(rows) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = (i % #reqs) + 1\n"
        '  return wrk.format("GET", reqs[i][1], {["Cookie"] = reqs[i][2], ["Host"] = "localhost"})\n'
        "end\n"
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("LAT p50=%.1f p95=%.1f p99=%.1f\\n", latency:percentile(50)/1000,'
        " latency:percentile(95)/1000, latency:percentile(99)/1000))\n"
        '  io.write(string.format("NON2XX %d\\n", summary.errors.status))\n'
        "end\n"
    )


def _cpu_by_command() -> dict[str, float]:
    """CPU seconds (user + system) used so far by the processes of each command name."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (wrk, once `subprocess.run` has reaped it:
    an ended process is gone from /proc)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_report(before: dict, after: dict, busy: tuple, requests: int) -> str:
    """Where the CPU of the run went, per request: the gunicorn workers (Python), PostgreSQL's
    backends, wrk; and the ceiling the machine's cores put on requests/s at that CPU per request."""
    used = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    per = {k: used.get(k, 0.0) / max(requests, 1) * 1000 for k in ("gunicorn", "postgres", "wrk")}
    cores = os.cpu_count() or 1
    spent = sum(per.values())
    ceiling = cores * 1000 / spent if spent else 0.0
    (busy0, total0), (busy1, total1) = busy
    share = (busy1 - busy0) / (total1 - total0) * 100 if total1 > total0 else 0.0
    return (
        f"CPU per request: gunicorn {per['gunicorn']:.1f} ms, PostgreSQL {per['postgres']:.1f} ms,"
        f" wrk {per['wrk']:.1f} ms; machine {share:.0f} % busy; {cores} cores at"
        f" {spent:.1f} ms per request serve at most {ceiling:.0f} requests/s"
    )


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)")
        return 2
    from benchmarks.calibration import calibrate

    print("before:", calibrate())
    sessions = _sessions()
    case_page = _case_page()
    env = {**os.environ, "ALLOWED_HOSTS": "localhost,127.0.0.1", "AXES_ENABLED": "false"}
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(_lua(sessions, case_page))
        # Warm both workers (first requests load templates and translations).
        subprocess.run(
            ["wrk", "-t1", "-c2", "-d3s", "-s", f.name, f"http://127.0.0.1:{args.port}"],
            capture_output=True,
            check=False,
        )
        cpu_before, busy_before = _cpu_by_command(), _machine_busy()
        cpu_before["wrk"] = _children_cpu()
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                f"http://127.0.0.1:{args.port}",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        cpu_after, busy_after = _cpu_by_command(), _machine_busy()
        cpu_after["wrk"] = _children_cpu()
        workers = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
        ]
        rss = [_rss_mb(p) for p in workers]
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = re.search(r"LAT p50=([\d.]+) p95=([\d.]+) p99=([\d.]+)", out)
    non2xx = int(re.search(r"NON2XX (\d+)", out).group(1))
    p50, p95, p99 = (float(x) for x in lat.groups())
    print(out)
    print(
        f"requests/s {rps:.1f}  p50 {p50:.0f} ms  p95 {p95:.0f} ms  p99 {p99:.0f} ms  non-2xx {non2xx}"
    )
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    print(cpu_report(cpu_before, cpu_after, (busy_before, busy_after), requests))
    print("worker RSS (MB): " + ", ".join(f"{r:.0f}" for r in rss))
    print("after:", calibrate())
    ok = rps >= 100 and p95 <= 300 and all(r <= 300 for r in rss) and non2xx == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

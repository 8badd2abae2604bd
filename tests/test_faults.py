"""Faults lose nothing (issue 17 item 5), on PostgreSQL with real Redis servers and real workers.

Each test starts its own redis-server on a free port (never the machine's shared Redis), stops or
kills what it needs to, and reports `lost=… duplicated=…` in its assertion messages:
  (a) Redis stopped while requests enqueue work: the web answers, the work waits in the outbox,
      and once Redis is back it is delivered, every mail exactly once;
  (b) a worker killed (SIGKILL) in the middle of a slow sweep: a new worker finishes it
      (acks_late: the message returns after the visibility timeout), every reminder once;
  (c) the application's database connections killed between requests: the next request
      succeeds (CONN_HEALTH_CHECKS), and without health checks it would not; and a connection
      killed in the middle of a request fails that request only.
Skipped with a message without redis-server or PostgreSQL; with CI=true that is a failure.
"""

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.tests.factories import multiagency_agency, open_case
from config.celery import app
from meetings.tests.conftest import verified
from notifications import services as notification_services
from notifications.models import Level, Notification, Reminder
from notifications.tests import builders
from outbox.models import OutboxMessage
from outbox.services import outbox_drain, outbox_enqueue
from reports.models import ReportJob

from .conftest import WorkerProcess, reset_broker_pool, skip_or_fail, start_worker, stop_worker
from .conftest import test_database_url as database_url

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, *, timeout: float, what: str, worker: WorkerProcess | None = None):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.proc.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}:\n{worker.log_text()}")
        if time.monotonic() > deadline:
            log = worker.log_text()[-4000:] if worker else ""
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{log}")
        time.sleep(0.2)


class PrivateRedis:
    """A redis-server of this test alone (own port, no persistence), started and stopped here."""

    def __init__(self, binary: str, workdir: Path):
        self.binary, self.workdir = binary, workdir
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        with (self.workdir / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no", "--dir", str(self.workdir)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for(self.ping, timeout=15, what="the private redis-server")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None
        assert not self.ping()


@pytest.fixture
def needs_postgres():
    if connection.vendor != "postgresql":
        skip_or_fail(
            "DATABASE_URL is not PostgreSQL: worker and server processes cannot share the "
            "in-memory SQLite test database"
        )


@pytest.fixture
def private_redis(tmp_path, needs_postgres):
    binary = shutil.which("redis-server")
    if not binary:
        skip_or_fail("redis-server is not installed: the fault tests start their own Redis")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    redis = PrivateRedis(binary, workdir)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def sender(private_redis, monkeypatch):
    """This process (the web) publishes to the private Redis, for real (not eagerly)."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", private_redis.url)
    reset_broker_pool(app)
    yield
    reset_broker_pool(app)


@pytest.fixture
def workers(tmp_path, private_redis):
    """Start workers on the private Redis (default queue); all are stopped at the end."""
    started: list[WorkerProcess] = []

    def start(name: str, **env) -> WorkerProcess:
        # No EMAIL_URL: the worker writes each mail as a file under its var/mail/ (counted here).
        worker = start_worker(
            tmp_path / f"{name}.log",
            redis_url=private_redis.url,
            queue="celery",
            env={"EMAIL_URL": None, **env},
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        stop_worker(worker)


def _mail_recipients(tmp_path: Path) -> list[str]:
    """Every recipient of every mail the workers wrote (file backend: one file per send)."""
    folder = tmp_path / "var" / "mail"
    return [
        line.removeprefix("To: ").strip()
        for path in sorted(folder.glob("*.log"))
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("To: ")
    ]


def _wait_until_processed(worker: WorkerProcess, *, timeout: float = 60) -> None:
    """Everything queued before now has been handled: a heartbeat queued last has run (the solo
    worker takes the queue in order)."""
    token = f"fault-{uuid.uuid4().hex[:12]}"
    outbox_enqueue("audit.heartbeat", args=[token])
    _wait_for(
        lambda: AuditEvent.objects.filter(object_id=token).exists(),
        timeout=timeout,
        what="the worker to reach the end of its queue",
        worker=worker,
    )


def _lost_and_duplicated(expected: Counter, delivered: Counter) -> tuple[int, int]:
    return sum((expected - delivered).values()), sum((delivered - expected).values())


# --- (a) Redis stopped while requests enqueue work -------------------------------------------------


def test_redis_down_requests_answer_and_the_outbox_delivers_once_it_is_back(
    private_redis, sender, workers, tmp_path, client
):
    city = multiagency_agency(name="みどり市 福祉相談課")
    coordinator = staff(city, Role.COORDINATOR)
    cases = [open_case(coordinator=coordinator, agency=city) for _ in range(3)]
    agency = AgencyFactory(name="北部地域包括支援センター")
    care_worker = staff(agency, Role.CASEWORKER)
    boss = staff(agency, Role.SUPERVISOR)
    officer = staff(AgencyFactory(), Role.PRIVACY_OFFICER)
    worker = workers("worker")
    _wait_until_processed(worker)  # the worker is up and consuming

    private_redis.stop()
    assert client.get(reverse("healthz")).json()["status"] == "degraded"
    client.force_login(care_worker)
    statuses = []
    for case in cases:
        response = client.post(
            reverse("access:emergency_open"),
            {
                "case_number": case.number,
                "reason": "本人が自宅で倒れているとの通報、安否確認のため",
            },
            follow=True,
        )
        statuses.append(response.status_code)
    boss_client = verified(Client(), boss)
    response = boss_client.post(
        reverse("reports:job_create"), {"fy": 2026, "format": "csv"}, follow=True
    )
    statuses.append(response.status_code)

    assert statuses == [200, 200, 200, 200], f"the web must answer while Redis is down: {statuses}"
    mails = Notification.objects.filter(rule="access.emergency", level=Level.URGENT)
    expected = {
        (n.pk, n.recipient.email) for n in mails.select_related("recipient")
    }  # the supervisor and the privacy officer, for each of the three cases
    assert {email for _pk, email in expected} == {boss.email, officer.email}
    assert len(expected) == 6
    waiting = set(OutboxMessage.objects.pending().values_list("task", flat=True))
    assert waiting == {"notifications.deliver_email", "reports.build_report_job"}
    assert OutboxMessage.objects.pending().count() == 7
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.QUEUED

    private_redis.start()
    reset_broker_pool(app)
    # What beat does every minute: the drain task, run by the worker.
    _wait_for(
        lambda: _send_drain(),
        timeout=60,
        what="the drain task to be accepted by the restarted Redis",
    )
    _wait_for(
        lambda: (
            not OutboxMessage.objects.pending().exists()
            and not mails.filter(emailed_at__isnull=True).exists()
            and ReportJob.objects.filter(status=ReportJob.Status.DONE).exists()
        ),
        timeout=120,
        what="the outbox to be delivered",
        worker=worker,
    )
    job.refresh_from_db()
    built_at = job.started_at
    # A crash between publishing and marking a row sent publishes it again: do exactly that for
    # every row, then drain twice more. Delivery is idempotent (claims by conditional update).
    OutboxMessage.objects.update(sent_at=None)
    outbox_drain()
    outbox_drain()
    _wait_until_processed(worker)

    delivered = Counter(_mail_recipients(tmp_path))
    lost, duplicated = _lost_and_duplicated(Counter(email for _pk, email in expected), delivered)
    assert (lost, duplicated) == (0, 0), f"lost={lost} duplicated={duplicated} mails={delivered}"
    assert delivered == {boss.email: 3, officer.email: 3}
    job.refresh_from_db()
    job_lost, job_built_again = (
        int(job.status != ReportJob.Status.DONE),
        int(job.started_at != built_at),
    )
    assert (job_lost, job_built_again) == (0, 0), (
        f"report job lost={job_lost} duplicated={job_built_again}"
    )


def _send_drain() -> bool:
    try:
        app.send_task("outbox.drain", ignore_result=True, retry=False)
    except Exception:  # noqa: BLE001 - Redis still starting: try again
        reset_broker_pool(app)
        return False
    return True


# --- (b) a worker killed in the middle of a sweep --------------------------------------------------


def test_worker_killed_mid_sweep_every_reminder_is_sent_exactly_once(
    private_redis, sender, workers, tmp_path
):
    world = builders.World()
    d = dt.date
    case_numbers = [
        builders.case(world, status="received", opened_on=d(2026, 10, 1)).number for _ in range(4)
    ]
    referral_numbers = [builders.referral(world, sent_on=d(2026, 11, 20)).number for _ in range(4)]
    # Slow enough to be killed between rules: each rule commits, then the sweep pauses.
    first = workers("first", TSUNAGU_SWEEP_RULE_PAUSE="1.5")
    outbox_enqueue("notifications.sweep", kwargs={"today": "2026-11-27"})
    _wait_for(
        lambda: Reminder.objects.filter(rule="assessment_overdue").exists(),
        timeout=90,
        what="the sweep to write its first reminders",
        worker=first,
    )
    os.killpg(first.proc.pid, signal.SIGKILL)  # its own session: only the worker dies
    first.proc.wait(timeout=10)
    log = first.log_text()
    assert "Task notifications.sweep[" in log and "succeeded" not in log
    rules_before_kill = set(Reminder.objects.values_list("rule", flat=True))
    assert "referral_unopened" not in rules_before_kill, "the sweep was not cut in the middle"

    # The message was taken but never acknowledged (acks_late): a new worker gets it back once
    # the visibility timeout (here 2 s) has passed, and runs the sweep again from the data.
    second = workers("second", CELERY_VISIBILITY_TIMEOUT="2")
    _wait_for(
        lambda: "notifications.sweep[" in second.log_text() and "succeeded" in second.log_text(),
        timeout=120,
        what="the sweep to be redelivered and finished",
        worker=second,
    )
    urgent = Notification.objects.filter(level=Level.URGENT)
    _wait_for(
        lambda: not urgent.filter(emailed_at__isnull=True).exists(),
        timeout=60,
        what="the urgent mails",
        worker=second,
    )
    _wait_until_processed(second)

    notes = list(
        Notification.objects.values_list("recipient_id", "rule", "object_ref", "due_date", "level")
    )
    missing = notification_services.sweep(d(2026, 11, 27), queue_mail=False).notifications
    lost, duplicated = missing, len(notes) - len(set(notes))
    assert (lost, duplicated) == (0, 0), f"lost={lost} duplicated={duplicated}"
    titles = " ".join(Notification.objects.values_list("title", flat=True))
    assert all(n in titles for n in case_numbers + referral_numbers), (
        f"lost={sum(n not in titles for n in case_numbers + referral_numbers)} duplicated={duplicated}"
    )
    expected_mails = Counter(urgent.values_list("recipient__email", flat=True))
    delivered = Counter(_mail_recipients(tmp_path))
    mail_lost, mail_duplicated = _lost_and_duplicated(expected_mails, delivered)
    assert expected_mails and (mail_lost, mail_duplicated) == (0, 0), (
        f"mails lost={mail_lost} duplicated={mail_duplicated}"
    )


# --- (c) database connections killed ------------------------------------------------------------


def _start_web(tmp_path: Path, *, health_checks: bool) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "600",  # persistent connections, as in production
        "CONN_HEALTH_CHECKS": "true" if health_checks else "false",
        "TSUNAGU_TESTING": "false",
        "TSUNAGU_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": settings.SECRET_KEY,  # reads the session this test process wrote
    }
    with (tmp_path / f"web-{health_checks}.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--threads", "1", "--timeout", "60"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    _wait_for(lambda: _status(base + "/healthz") == 200, timeout=60, what="gunicorn")
    return proc, base


def _status(url: str, cookie: str = "") -> int:
    try:
        with urlopen(Request(url, headers={"Cookie": cookie}), timeout=30) as response:
            return response.status
    except HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _kill_app_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("health_checks", [True, False], ids=["health-checks", "without"])
def test_killed_database_connections_do_not_fail_the_next_request(
    needs_postgres, tmp_path, health_checks
):
    user = staff(AgencyFactory(), Role.CASEWORKER)
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    proc, base = _start_web(tmp_path, health_checks=health_checks)
    try:
        page = base + reverse("notifications:inbox")
        assert _status(page, cookie) == 200
        after_kill = []
        for _ in range(3):
            assert _kill_app_connections() >= 1  # gunicorn's persistent connection
            after_kill.append(_status(page, cookie))
            assert _status(page, cookie) == 200  # the one after is fine either way
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    failed = sum(s != 200 for s in after_kill)
    if health_checks:
        assert after_kill == [200, 200, 200], f"lost={failed} duplicated=0 statuses={after_kill}"
    else:
        # The control: the same kill without health checks fails the next request, so the test
        # above can fail.
        assert after_kill == [500, 500, 500], f"statuses without health checks: {after_kill}"


def test_connection_killed_in_the_middle_of_a_request_fails_only_that_request(
    needs_postgres, tmp_path
):
    """The request is held mid-way (its session read waits for a table lock this test holds),
    its connection is terminated while it waits, and the next request is served normally."""
    import threading

    from django.db import transaction

    user = staff(AgencyFactory(), Role.CASEWORKER)
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    proc, base = _start_web(tmp_path, health_checks=True)
    page = base + reverse("notifications:inbox")
    in_flight: list[int] = []
    try:
        assert _status(page, cookie) == 200
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
            request = threading.Thread(target=lambda: in_flight.append(_status(page, cookie)))
            request.start()

            def waiting_pid():
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                row = cursor.fetchone()
                return row[0] if row else None

            pid = _wait_for(waiting_pid, timeout=30, what="the request to wait mid-way")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        request.join(timeout=30)
        after = [_status(page, cookie) for _ in range(3)]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert in_flight and in_flight[0] != 200  # the request whose connection died
    failed = sum(s != 200 for s in after)
    assert after == [200, 200, 200], f"lost={failed} duplicated=0 statuses={after}"

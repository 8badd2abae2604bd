"""Shared fixtures of the cross-app tests.

`celery_worker_process`: a real `celery -A config worker` subprocess consuming a private queue on
Redis, against the same PostgreSQL test database as the test (pytest-django's `test_<name>`). Use
it with `@pytest.mark.celery_worker` and `@pytest.mark.django_db(transaction=True)` so the
worker sees committed rows. Without REDIS_URL or PostgreSQL the test is skipped (and says why);
with CI=true that is a failure, because CI must prove the production path.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def test_database_url() -> str:
    """DATABASE_URL of the test database pytest-django created (test_<name>)."""
    from django.db import connection

    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


test_database_url.__test__ = False  # a helper, not a test


@dataclass
class WorkerProcess:
    queue: str
    proc: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, result, timeout: float = 60):
        """The task's return value; fails at once (with the worker's log) if the worker died."""
        deadline = time.monotonic() + timeout
        while not result.ready():
            if self.proc.poll() is not None:
                pytest.fail("the Celery worker exited:\n" + self.log_text())
            if time.monotonic() > deadline:
                pytest.fail(f"no result within {timeout} s:\n{self.log_text()}")
            time.sleep(0.1)
        return result.get(timeout=1)

    def send(self, name: str, *, timeout: float = 60, **kwargs):
        """Send task `name` to this worker's queue and wait for its result."""
        from config.celery import app

        return self.wait(app.send_task(name, kwargs=kwargs, queue=self.queue), timeout=timeout)


def reset_broker_pool(app) -> None:
    """Close this process's pooled broker connections and forget the pools (kombu's registry
    included), so that the next test that sends a task gets fresh ones: a closed kombu pool
    refuses every later acquire ("Acquire on closed pool")."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def start_worker(
    log_path: Path, *, redis_url: str, queue: str, env: dict | None = None
) -> WorkerProcess:
    """Start `celery -A config worker` (solo pool) on `queue` of `redis_url`, against the test
    database. `env` adds or overrides environment variables (test hooks); None removes one."""
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_DEFAULT_QUEUE": queue,  # what the worker itself queues stays with it
        "TSUNAGU_TESTING": "false",
        "TSUNAGU_VAR_DIR": str(log_path.parent / "var"),
        "SECRET_KEY": "celery-worker-test",
        "CONN_MAX_AGE": "0",
        "EMAIL_URL": "consolemail://",
        **(env or {}),
    }
    full_env = {k: v for k, v in full_env.items() if v is not None}  # None removes a variable
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--queues",
        queue,
        "--hostname",
        f"{queue}-{uuid.uuid4().hex[:6]}@%h",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    with log_path.open("ab") as log:
        # A new session so that stopping it never touches pytest's own process group.
        proc = subprocess.Popen(
            cmd,
            cwd=settings.BASE_DIR,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return WorkerProcess(queue=queue, proc=proc, log=log_path)


def stop_worker(worker: WorkerProcess) -> None:
    """Warm shutdown (SIGTERM), SIGKILL after 20 s."""
    proc = worker.proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def celery_worker_process(tmp_path, monkeypatch):
    from django.db import connection

    from config.celery import app

    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        skip_or_fail("REDIS_URL is not set: the real Celery worker test needs Redis")
    if connection.vendor != "postgresql":
        skip_or_fail(
            "DATABASE_URL is not PostgreSQL: a worker process cannot share the in-memory SQLite test database"
        )
    # This process only sends: tasks go through Redis even though the suite runs eagerly.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    reset_broker_pool(app)  # another fixture may have closed the pool
    queue = f"tsunagu-test-{uuid.uuid4().hex[:12]}"
    worker = start_worker(tmp_path / "worker.log", redis_url=redis_url, queue=queue)
    try:
        yield worker
    finally:
        stop_worker(worker)
        # Close this process's broker connections; the test database can then be dropped.
        reset_broker_pool(app)

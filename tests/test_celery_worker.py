"""A real Celery worker process executes tasks through Redis against the test database.

Needs REDIS_URL and a database another process can open (PostgreSQL; pytest-django's SQLite test
database is in memory). Where they are missing the test is skipped and says why; in CI
(CI=true) that is a failure, because CI must prove the production path.
"""

import os
import runpy
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from audit.models import AuditEvent
from config.celery import app

BASE_DIR = Path(settings.BASE_DIR)
IN_CI = os.environ.get("CI") == "true"


def _skip_or_fail(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def _database_url() -> str:
    """DATABASE_URL of the test database pytest-django created (its name differs from the
    configured one: test_<name>)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def worker(tmp_path, monkeypatch):
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        _skip_or_fail("REDIS_URL is not set: the real Celery worker test needs Redis")
    if connection.vendor != "postgresql":
        _skip_or_fail(
            "DATABASE_URL is not PostgreSQL: a worker process cannot share the in-memory "
            "SQLite test database"
        )
    # This process only sends: tasks go through Redis even though the suite runs eagerly.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    queue = f"tsunagu-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "TSUNAGU_TESTING": "false",
        "TSUNAGU_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "celery-worker-test",
        "CONN_MAX_AGE": "0",
    }
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
        f"{queue}@%h",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    with log_path.open("wb") as log:
        # A new session so that stopping it never touches pytest's own process group.
        proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield {"queue": queue, "proc": proc, "log": log_path}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        # Close this process's pooled connections to the test database so it can be dropped.
        app.pool.force_close_all()


def _wait(result, worker, timeout=60):
    """The task's return value; fails at once (with the worker's log) if the worker died."""
    deadline = time.monotonic() + timeout
    while not result.ready():
        if worker["proc"].poll() is not None:
            pytest.fail("the Celery worker exited:\n" + worker["log"].read_text(errors="replace"))
        if time.monotonic() > deadline:
            log = worker["log"].read_text(errors="replace")
            pytest.fail(f"no result within {timeout} s:\n{log}")
        time.sleep(0.1)
    return result.get(timeout=1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_ping_and_writes_to_the_test_database(worker):
    token = f"ci-{uuid.uuid4().hex}"
    pong = _wait(app.send_task("tsunagu.ping", queue=worker["queue"]), worker)
    row_id = _wait(app.send_task("audit.heartbeat", args=[token], queue=worker["queue"]), worker)
    again = _wait(app.send_task("audit.heartbeat", args=[token], queue=worker["queue"]), worker)
    assert pong == "pong"
    event = AuditEvent.objects.get(pk=row_id)
    assert (event.action, event.object_id, event.actor_id) == ("system.heartbeat", token, None)
    assert again == row_id  # idempotent
    assert AuditEvent.objects.filter(object_id=token).count() == 1
    # The tasks ran in the worker process, not eagerly in this one.
    log = worker["log"].read_text(errors="replace")
    assert "Task tsunagu.ping[" in log and "Task audit.heartbeat[" in log
    assert worker["proc"].poll() is None


def _load_settings(monkeypatch, tmp_path, **env):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("TSUNAGU_VAR_DIR", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(BASE_DIR / "config" / "settings.py"))


def test_without_redis_url_celery_uses_the_filesystem_broker(monkeypatch, tmp_path):
    conf = _load_settings(monkeypatch, tmp_path)
    assert conf["CELERY_BROKER_URL"] == "filesystem://"
    options = conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    # kombu's filesystem transport needs the same folder in and out (see STACK-NOTES).
    assert options["data_folder_in"] == options["data_folder_out"]
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        assert Path(options[key]).is_dir()
        assert Path(options[key]).is_relative_to(tmp_path)
    assert conf["CELERY_RESULT_BACKEND"].startswith("file://")
    assert Path(conf["CELERY_RESULT_BACKEND"].removeprefix("file://")).is_dir()
    assert conf["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_with_redis_url_celery_and_cache_use_redis(monkeypatch, tmp_path):
    conf = _load_settings(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")
    assert conf["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert conf["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/3"
    # A task a killed worker had taken (acks_late) returns to the queue after an hour.
    assert conf["CELERY_BROKER_TRANSPORT_OPTIONS"] == {"visibility_timeout": 3600}
    assert conf["CELERY_BEAT_SCHEDULER"] == "outbox.beat:OutboxScheduler"
    assert conf["CACHES"]["default"]["BACKEND"].endswith("RedisCache")

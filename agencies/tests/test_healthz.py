"""/healthz: database and broker reachable; anonymous; says nothing beyond ok/error."""

import json
import time

import pytest
from django.db import OperationalError
from django.urls import reverse

from config.celery import app as celery_app

SECRET = "postgres://tsunagu:s3cret-pw@db.internal:5432/tsunagu"


@pytest.fixture
def url():
    return reverse("healthz")


@pytest.mark.django_db
def test_healthz_reports_ok_without_login(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers  # no session for probes


@pytest.mark.django_db
def test_healthz_is_degraded_but_200_when_the_broker_is_down(client, url, monkeypatch):
    # The web keeps serving without Redis (background work waits in the outbox), so the load
    # balancer must not take it out of rotation.
    # Nothing listens on port 1: connection refused, as with a stopped Redis.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
    started = time.monotonic()
    response = client.get(url)
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "degraded",
        "database": "ok",
        "broker": "error",
    }
    assert b"127.0.0.1" not in response.content and b"refused" not in response.content.lower()


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails_and_leaks_no_detail(client, url, monkeypatch):
    from agencies import views

    class BrokenConnection:
        def cursor(self):
            raise OperationalError(f"could not connect to {SECRET}")

    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get(url)
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "error", "database": "error", "broker": "ok"}
    assert b"s3cret" not in response.content and b"db.internal" not in response.content


@pytest.mark.django_db
def test_healthz_accepts_only_get(client, url):
    assert client.post(url).status_code == 405

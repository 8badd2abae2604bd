"""The idle timeout is kept by writing the session at most once a minute (agencies/sessions.py):
pages read within the minute do not write it, a later page does, a changed session and the
page's keepalive always do, and an idle session still ends."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.tests.test_auth import login

pytestmark = pytest.mark.django_db


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _session_writes(client, url="/"):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session"')
    ]


def _signed_in(client, user):
    """Signed in and shown a page at a fixed moment: (that moment, the session's expiry)."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, user.username)
        client.get("/")
        return start, _expiry(client)


def test_pages_within_a_minute_do_not_write_the_session(client, caseworker):
    start, written = _signed_in(client, caseworker)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert _session_writes(client) == []
    assert _expiry(client) == written


def test_a_page_after_a_minute_extends_the_session(client, caseworker):
    start, written = _signed_in(client, caseworker)
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        assert len(_session_writes(client)) == 1
    assert _expiry(client) == written + timedelta(seconds=90)


def test_the_keepalive_always_extends_the_session(client, caseworker):
    start, written = _signed_in(client, caseworker)
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert len(_session_writes(client, reverse("healthz"))) == 1
    assert _expiry(client) == written + timedelta(seconds=10)


def test_a_changed_session_is_saved_at_once(rf):
    from importlib import import_module

    from django.http import HttpResponse

    from agencies.sessions import TOUCHED_KEY, SessionMiddleware

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[TOUCHED_KEY] = int(time.time())  # written a moment ago
    store.save()

    def view(request):
        request.session["chosen"] = "kept"
        return HttpResponse()

    request = rf.get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = store.session_key
    middleware = SessionMiddleware(view)
    middleware.process_request(request)
    middleware.process_response(request, view(request))
    saved = Session.objects.get(session_key=request.session.session_key).get_decoded()
    assert saved["chosen"] == "kept"


def test_an_idle_session_still_ends(client, caseworker):
    start, _written = _signed_in(client, caseworker)
    # Read within the minute (not written), then idle: the timeout counts from the last write.
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        client.get("/")
    later = start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    with time_machine.travel(later, tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_session_is_read_by_one_fixed_statement(client, caseworker):
    """The engine is Django's database sessions with a fixed statement for the read: a page
    reads its session row once, by key and expiry, and an unknown key reads nothing."""
    from agencies.sessions import SessionStore

    assert settings.SESSION_ENGINE == "agencies.sessions"
    login(client, caseworker.username)
    key = client.session.session_key
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]
    assert len(reads) == 1 and reads[0].startswith("SELECT session_data FROM")
    assert SessionStore(key).load()["_auth_user_id"] == str(caseworker.pk)
    store = SessionStore("x" * 32)
    assert store.load() == {} and store.session_key is None

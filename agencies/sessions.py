"""The idle timeout without a database write on every request.

`SESSION_SAVE_EVERY_REQUEST` keeps a session alive while it is used: every answer rewrites the
session row (sign, UPDATE, commit: three round trips and ~1.5 ms of each request). Rewriting it
once a minute keeps the same timeout to within that minute, so an unchanged session whose row was
written less than `TOUCH_SECONDS` ago is not written again. A changed session is always saved,
and the keepalive (`healthz`, called by the page before the timeout) always extends it.
"""

import time

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import connections, router
from django.utils import timezone
from django.utils.cache import patch_vary_headers

TOUCHED_KEY = "_touched"
TOUCH_SECONDS = 60


def _touch_interval() -> int:
    # Never more than a thirtieth of the timeout (a short timeout in a test stays exact).
    return min(TOUCH_SECONDS, settings.SESSION_COOKIE_AGE // 30)


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None or not settings.SESSION_SAVE_EVERY_REQUEST:
            return super().process_response(request, response)
        if session.modified or session.is_empty() or getattr(request, "keep_session_alive", False):
            return self._save(request, response)
        now = int(time.time())
        if now - session.get(TOUCHED_KEY, 0) < _touch_interval():
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return self._save(request, response)

    def _save(self, request, response):
        if not request.session.is_empty():
            request.session[TOUCHED_KEY] = int(time.time())
        return super().process_response(request, response)


class SessionStore(db.SessionStore):
    """Django's database sessions (SESSION_ENGINE = "agencies.sessions"), with the row every
    request reads fetched by a fixed statement: the queryset Django builds and compiles for it
    each time cost 175 µs of CPU, the statement 35. Writing, expiry and keys are Django's."""

    def _get_session_from_db(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)  # the values are parameters:
        sql = f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a key that is gone or expired is dropped
            return None
        return model(session_key=self.session_key, session_data=row[0])

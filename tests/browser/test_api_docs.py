"""The API documentation pages in a real browser: they draw under the content security policy
and nothing is requested from outside the server (closed municipal networks)."""

import pytest
from playwright.sync_api import expect

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff

PASSWORD = "Correct-Horse-42"  # UserFactory's password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server):
    user = staff(AgencyFactory(), Role.CASEWORKER)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")


def _watch(page, live_server):
    outside, problems = [], []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    return outside, problems


@pytest.mark.parametrize(
    ("path", "drawn"),
    [
        ("/api/docs/", "#swagger-ui .opblock"),
        ("/api/redoc/", "[role=menu] li, .menu-content li"),
    ],
)
def test_docs_page_draws_with_nothing_from_outside(page, live_server, path, drawn):
    _log_in(page, live_server)
    outside, problems = _watch(page, live_server)
    page.goto(f"{live_server.url}{path}")
    # Redoc takes a while to draw the 300 KB schema on a busy machine.
    expect(page.locator(drawn).first).to_be_visible(timeout=90_000)
    page.wait_for_timeout(500)
    assert outside == [], outside
    # (a 404 for /favicon.ico is the browser's own guess, not the page's)
    assert not [p for p in problems if "404" not in p], problems

"""Playwright on the system Chromium. Skipped (and said so) where Chromium is missing; in CI a
skip is a failure."""

import os
import shutil

import pytest
from django.test import override_settings

# Playwright's sync API runs an event loop in this thread; the live server's ORM use is sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            "CI=true but Chromium is not installed: browser tests cannot be skipped in CI"
        )
    marker = pytest.mark.skip(
        reason="Chromium がありません (apt-get install chromium)。ブラウザテストを省略します"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(marker)


@pytest.fixture(scope="session", autouse=True)
def _media_url_for_live_server():
    # settings.MEDIA_URL is None on purpose (uploads are served only by policy-checked views),
    # but Django's live server wraps the app in a media handler that needs a string URL.
    with override_settings(MEDIA_URL="/_media-not-served/"):
        yield


@pytest.fixture(scope="session")
def base_url():
    # pytest-playwright's fallback base_url fixture is an instance method, which pytest 9 warns
    # about (warnings are errors here); tests use live_server.url, so no base URL is needed.
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Japanese office browser: LocaleMiddleware would otherwise pick English from en-US.
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def login(page, live_server):
    def _login(username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("ログインID").fill(username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()

    return _login


@pytest.fixture(autouse=True)
def _live_server_outlives_the_browser(request):
    """Start the live server before the browser, so that at the end of the session the browser
    (and its keep-alive connections) closes first: otherwise a request thread still closing
    after the server stopped touches the shared in-memory SQLite connection from another thread
    (a teardown error on whatever test ran last)."""
    if "live_server" in request.fixturenames and "page" in request.fixturenames:
        request.getfixturevalue("live_server")
        request.getfixturevalue("browser")

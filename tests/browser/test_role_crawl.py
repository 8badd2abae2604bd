"""Click through the app as the demo users would: from the dashboard, follow every link on the
page two levels deep (same origin, GET only) and require that nothing answers 500 and that no
link shown to the user answers 403/404 (a page the user may not open must not be linked).
Downloads (PDF, CSV, XLSX, .ics) are fetched and must come back as the file they promise.

To keep the run short, each kind of page (its path with UUIDs and numbers masked, plus its query
keys) is opened at most twice per user: the second R8-00xx case page finds nothing the first one
did not."""

import re
from collections import deque
from urllib.parse import parse_qsl, urldefrag, urljoin, urlparse

import pytest
from django.conf import settings
from django.core.management import call_command

USERS = ("houkatsu-n1", "suishin1", "suishin2", "kyoiku1", "minsei1")
MAX_DEPTH = 2
PER_KIND = 2
SKIP = re.compile(r"^/(accounts/logout|i18n/|django-admin/|api/)")
DOWNLOAD = re.compile(r"(\.(pdf|csv|ics)|/pdf/|/document/|/template\.csv|/export/)$")
EXPECTED_TYPE = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "ics": "text/calendar",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

LINKS_JS = """() => [
  ...Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href')),
  ...Array.from(document.querySelectorAll('[hx-get]'), e => e.getAttribute('hx-get')),
]"""


def _kind(url: str) -> str:
    parsed = urlparse(url)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", UUID.sub("{uuid}", parsed.path))
    keys = sorted({k for k, _v in parse_qsl(parsed.query, keep_blank_values=True)})
    return f"{path}?{'&'.join(keys)}"


def _expected_type(url: str) -> str:
    parsed = urlparse(url)
    path = parsed.path
    if path.endswith("/export/"):  # list exports (agencies/listing.py): ?fmt=csv|xlsx
        return EXPECTED_TYPE[dict(parse_qsl(parsed.query)).get("fmt", "csv")]
    if path.endswith(".csv"):
        return EXPECTED_TYPE["csv"]
    if path.endswith(".ics"):
        return EXPECTED_TYPE["ics"]
    if path.endswith(".pdf") or path.endswith("/pdf/"):
        return EXPECTED_TYPE["pdf"]
    return ""  # an uploaded document: any type


def crawl(browser, base: str, username: str) -> dict:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"

    start = urldefrag(page.url)[0]
    seen, kinds = {start}, {}
    queue = deque([(start, 0, "(login)")])
    result = {"pages": 0, "downloads": 0, "errors": []}
    while queue:
        url, depth, parent = queue.popleft()
        path = urlparse(url).path
        if DOWNLOAD.search(path):
            response = context.request.get(url, max_redirects=0)
            result["downloads"] += 1
            content_type = response.headers.get("content-type", "")
            expected = _expected_type(url)
            if response.status != 200 or (expected and not content_type.startswith(expected)):
                result["errors"].append((response.status, content_type, url, parent))
            continue
        response = page.goto(url, wait_until="domcontentloaded")
        result["pages"] += 1
        status = response.status if response else 0
        if status >= 400:
            result["errors"].append((status, "", url, parent))
            continue
        if "text/html" not in (response.headers.get("content-type", "") if response else ""):
            continue
        if depth >= MAX_DEPTH:
            continue
        for href in page.evaluate(LINKS_JS):
            if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            target = urldefrag(urljoin(page.url, href))[0]
            if not target.startswith(base + "/") or target in seen:
                continue
            if SKIP.search(urlparse(target).path):
                continue
            seen.add(target)
            kind = _kind(target)
            if kinds.get(kind, 0) >= PER_KIND:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            queue.append((target, depth + 1, url))
    context.close()
    return result


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_demo_users_reach_no_error_by_clicking(browser, live_server):
    call_command("seed_demo", verbosity=0)
    summary = {}
    errors = []
    for username in USERS:
        result = crawl(browser, live_server.url, username)
        summary[username] = (result["pages"], result["downloads"])
        errors += [(username, *e) for e in result["errors"]]
    print("pages, downloads per user:", summary)
    # Every user really walked the app (their nav and dashboard lead somewhere).
    assert all(pages >= 5 for pages, _downloads in summary.values()), summary
    assert not errors, "\n".join(
        f"{user}: {status} {ctype} {url} (linked from {parent})"
        for user, status, ctype, url, parent in errors
    )

"""The tablet field page offline: two visits logged with the network gone stay on the device
(encrypted), are sent once the connection returns, and replaying the same submissions does not
make twins (idempotency keys)."""

import pytest
from playwright.sync_api import expect

from agencies.choices import Role
from agencies.tests.factories import staff
from outreach.models import OutreachContact
from outreach.tests.factories import make_target, outreach_agency

PASSWORD = "Correct-Horse-42"  # UserFactory's password
STORE = "tsunagu-outreach-field"


def _open_field_page(browser, live_server, user):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{live_server.url}/outreach/field/")
    expect(page.get_by_test_id("field-status")).to_contain_text("接続中")
    return context, page


def _log_visit(page, text):
    page.get_by_label("内容").fill(text)
    page.get_by_role("button", name="記録を保存").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_visits_offline_are_sent_once_back_online(browser, live_server):
    shakyo = outreach_agency()
    csw = staff(shakyo, Role.CSW)
    target = make_target(csw, shakyo)
    context, page = _open_field_page(browser, live_server, csw)

    context.set_offline(True)
    expect(page.get_by_test_id("field-status")).to_contain_text("オフライン")
    _log_visit(page, "ドア越しに挨拶できた")
    expect(page.get_by_test_id("field-pending")).to_have_text("1")
    _log_visit(page, "看護師と再訪問")
    expect(page.get_by_test_id("field-pending")).to_have_text("2")
    assert OutreachContact.objects.count() == 0
    stored = page.evaluate(f"localStorage.getItem('{STORE}')")
    assert "ドア越し" not in stored and "看護師" not in stored  # encrypted at rest

    context.set_offline(False)
    expect(page.get_by_test_id("field-pending")).to_have_text("0")
    expect(page.get_by_test_id("field-sent")).to_have_text("2")
    contents = sorted(
        OutreachContact.objects.filter(target=target).values_list("content", flat=True)
    )
    assert contents == ["ドア越しに挨拶できた", "看護師と再訪問"]
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_replaying_the_same_submissions_keeps_two(browser, live_server):
    shakyo = outreach_agency()
    csw = staff(shakyo, Role.CSW)
    make_target(csw, shakyo)
    context, page = _open_field_page(browser, live_server, csw)
    context.set_offline(True)
    _log_visit(page, "1回目")
    _log_visit(page, "2回目")
    expect(page.get_by_test_id("field-pending")).to_have_text("2")
    saved = page.evaluate(f"localStorage.getItem('{STORE}')")
    context.set_offline(False)
    expect(page.get_by_test_id("field-pending")).to_have_text("0")
    assert OutreachContact.objects.count() == 2

    # The same two encrypted submissions come back (a second tab, a restored device backup).
    page.evaluate(f"localStorage.setItem('{STORE}', {saved!r})")
    page.reload()
    expect(page.get_by_test_id("field-sent")).to_have_text("2")
    expect(page.get_by_test_id("field-pending")).to_have_text("0")
    assert OutreachContact.objects.count() == 2
    expect(page.get_by_test_id("field-conflicts").locator("li")).to_have_count(0)
    context.close()

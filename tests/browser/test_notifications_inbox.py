"""The inbox in a real browser: a sweep notifies the coordinator, the header shows the unread
count, opening the notification marks it read and leads to the referral (by UUID)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from notifications.services import sweep
from notifications.tests import builders

PASSWORD = "Correct-Horse-42"  # UserFactory's password


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_sees_the_reminder_and_opens_it(browser, live_server):
    world = builders.World()
    referral = builders.referral(world, sent_on=dt.date(2026, 11, 20))
    builders.referral(world, sent_on=dt.date(2026, 11, 20))
    sweep(dt.date(2026, 11, 27))

    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(world.coordinator.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    page.get_by_role("link", name="通知").first.click()
    expect(page.get_by_role("heading", name="通知", exact=True)).to_be_visible()
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(2)

    # Mark one read in place (htmx), then open the other: it leads to the referral by UUID.
    items.filter(has_not_text=referral.number).get_by_role("button", name="既読にする").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("2")  # header updates on next page
    page.get_by_role(
        "link", name=f"つなぐシート {referral.number} が3営業日以上確認されていません"
    ).click()
    page.wait_for_url(f"**/cases/referrals/{referral.public_id}/")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(page.get_by_text("未読の通知はありません。")).to_be_visible()
    # Let every request finish before the live server's database goes away.
    page.wait_for_load_state("networkidle")
    context.close()

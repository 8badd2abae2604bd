"""Break-the-glass reviewed in the browser (issue 17 item 2): a caseworker opens a case outside
their basis with a reason and sees the banner; their supervisor, signed in with a second factor,
has the notification and the dashboard panel at once, opens the review, records 「正当」 with a
note; the use leaves the panel and the access record keeps the outcome."""

import re

import pytest
from playwright.sync_api import expect

from access.models import EmergencyAccess
from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import multiagency_agency, open_case
from tests.browser.test_login import PASSWORD, current_code


def _login(page, live_server, user, device=None):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    if device is not None:
        page.get_by_label("確認コード").fill(current_code(device))
        page.get_by_role("button", name="確認").click()
    page.wait_for_url(re.compile(r".*/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supervisor_is_notified_and_reviews_the_emergency_access(browser, live_server):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    city = multiagency_agency(name="みどり市 福祉相談課")
    coordinator = staff(city, Role.COORDINATOR)
    case = open_case(coordinator=coordinator, agency=city)
    agency = AgencyFactory(name="北部地域包括支援センター")
    worker = staff(agency, Role.CASEWORKER, display_name="包括 花子")
    boss = staff(agency, Role.SUPERVISOR, display_name="係長 誠")
    device = TOTPDevice.objects.create(user=boss, name="test", confirmed=True)

    worker_context = browser.new_context(locale="ja-JP")
    page = worker_context.new_page()
    _login(page, live_server, worker)
    assert page.goto(f"{live_server.url}/cases/support/{case.public_id}/").status == 404
    page.goto(f"{live_server.url}/access/emergency/new/?case={case.number}")
    page.get_by_label("緊急の理由").fill("自宅で倒れているとの通報があり、緊急連絡先の確認が必要")
    page.get_by_role("button", name="理由を記録して開く").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(page.get_by_test_id("emergency-banner")).to_contain_text(case.number)
    worker_context.close()

    boss_context = browser.new_context(locale="ja-JP")
    page = boss_context.new_page()
    _login(page, live_server, boss, device)
    # Notified at once: the unread badge and the dashboard panel of unreviewed uses.
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    panel = page.locator('[data-panel="emergency_review"]')
    expect(panel).to_contain_text(f"{case.number} / 包括 花子")
    page.locator("a.notif").click()
    expect(page.get_by_text("緊急時のアクセスが使われました(確認が必要です)")).to_be_visible()
    page.get_by_text("緊急時のアクセスが使われました(確認が必要です)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("緊急時のアクセスの確認")
    expect(page.get_by_text("自宅で倒れているとの通報")).to_be_visible()

    page.get_by_role("button", name="確認の結果を記録").click()  # nothing chosen: refused
    expect(page.get_by_role("button", name="確認の結果を記録")).to_be_visible()
    page.get_by_label("正当", exact=True).check()
    page.get_by_label("確認の所見").fill("通報内容を消防に確認。救急要請のための閲覧で正当")
    page.get_by_role("button", name="確認の結果を記録").click()

    access = EmergencyAccess.objects.get()
    assert (access.outcome, access.reviewed_by) == ("justified", boss)
    page.goto(f"{live_server.url}/")
    expect(page.locator('[data-panel="emergency_review"]')).not_to_contain_text(case.number)
    boss_context.close()

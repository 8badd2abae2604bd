"""Break-the-glass in a real browser (issue 17 item 2): a caseworker of another agency cannot
open the case, opens it with a reason on the emergency basis, sees the banner on every page; the
privacy officer records "not justified" — the access and the banner end at once."""

import re

import pytest
from playwright.sync_api import expect

from access.emergency import emergency_access_review
from access.models import EmergencyAccess
from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import multiagency_agency, open_case

PASSWORD = "Correct-Horse-42"  # UserFactory's password


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r".*/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_emergency_access_is_reasoned_shown_and_reviewed(browser, live_server):
    city = multiagency_agency(name="みどり市 福祉相談課")
    coordinator = staff(city, Role.COORDINATOR)
    case = open_case(coordinator=coordinator, agency=city)
    agency = AgencyFactory(name="北部地域包括支援センター")
    worker = staff(agency, Role.CASEWORKER)

    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    _login(page, live_server, worker)
    response = page.goto(f"{live_server.url}/cases/support/{case.public_id}/")
    assert response.status == 404

    page.goto(f"{live_server.url}/cases/support/")
    page.get_by_test_id("emergency-open").click()
    page.get_by_label("ケース番号").fill(case.number)
    page.get_by_label("緊急の理由").fill("急ぎ")
    page.get_by_role("button", name="理由を記録して開く").click()
    expect(
        page.locator("p.error", has_text="文字以上で具体的に")
    ).to_be_visible()  # reason required
    page.get_by_label("緊急の理由").fill("自宅で倒れているとの通報があり、緊急連絡先の確認が必要")
    page.get_by_role("button", name="理由を記録して開く").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(page.get_by_test_id("emergency-banner")).to_contain_text(case.number)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("emergency-banner")).to_be_visible()
    context.close()

    # The review (supervisors and privacy officers sign in with a second factor, which the
    # browser cannot do here) goes through the same service as the review page.
    access = EmergencyAccess.objects.get()
    assert access.reviewed_at is None
    officer = staff(AgencyFactory(), Role.PRIVACY_OFFICER)
    emergency_access_review(
        access=access, actor=officer, outcome="not_justified", note="救急搬送済みで不要"
    )
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    _login(page, live_server, worker)
    expect(page.get_by_test_id("emergency-banner")).to_have_count(0)
    response = page.goto(f"{live_server.url}/cases/support/{case.public_id}/")
    assert response.status == 404
    context.close()

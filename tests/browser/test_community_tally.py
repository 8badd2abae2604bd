"""The tally page on a phone (390 px wide): the host of a place counts by age band and attribute
with +/− buttons, sees the running total, saves, and the session list shows 延べ participants."""

import pytest
from playwright.sync_api import expect

from agencies.choices import AgencyKind, Role
from agencies.tests.factories import AgencyFactory, staff
from community.models import Session
from community.tests.factories import ResourceFactory

PASSWORD = "Correct-Horse-42"  # UserFactory's password


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_host_logs_a_session_on_a_phone(browser, live_server):
    houjin = AgencyFactory(kind=AgencyKind.SHAFUKU, programmes=[])
    host = staff(houjin, Role.CASEWORKER)
    place = ResourceFactory(name="みどり苑 交流スペース", kind="engawa", operating_agency=houjin)

    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(host.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{live_server.url}/community/places/{place.public_id}/")
    page.get_by_role("link", name="開催を記録").click()
    expect(page.get_by_role("heading", name="開催の記録")).to_be_visible()

    # Nothing overflows the 390-px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    plus_70s = page.get_by_role("button", name="70代を1増やす")
    for _ in range(5):
        plus_70s.tap()
    for _ in range(3):
        page.get_by_role("button", name="80代以上を1増やす").tap()
    page.get_by_role("button", name="80代以上を1減らす").tap()
    page.get_by_label("10代未満", exact=True).fill("4")
    page.get_by_label("10代未満", exact=True).dispatch_event("input")
    expect(page.locator("[data-tally-total]")).to_have_text("11")
    for _ in range(7):
        page.get_by_role("button", name="高齢を1増やす").tap()
    for _ in range(4):
        page.get_by_role("button", name="子ども・子育てを1増やす").tap()
    page.get_by_label("ボランティア数").fill("2")
    page.get_by_label("ボランティア活動時間(延べ)").fill("5")
    page.get_by_role("button", name="記録する").tap()

    expect(page.get_by_text("の開催を記録しました(参加者 延べ11人)")).to_be_visible()
    expect(page.get_by_test_id("session-table")).to_contain_text("11")
    session = Session.objects.get(resource=place)
    assert (session.age_70s, session.age_80plus, session.age_under10) == (5, 2, 4)
    assert (session.attr_elderly, session.attr_child, session.recorded_by_id) == (7, 4, host.pk)
    page.wait_for_load_state("networkidle")
    context.close()

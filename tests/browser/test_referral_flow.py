"""The main intake flow in a real browser: a 地域包括支援センター caseworker logs a consultation for an
8050 household, writes a つなぐシート with consent, the coordinator of the 多機関協働 body accepts it
from the inbox, and the sender sees 受理."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Consultation, Referral, SupportCase
from cases.tests.factories import IntakeWorld

PASSWORD = "Correct-Horse-42"  # UserFactory's password


def _login(browser, live_server, user):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r".*/$"))
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_caseworker_refers_8050_household_and_coordinator_accepts(browser, live_server):
    w = IntakeWorld()

    # 1. The caseworker at the 地域包括支援センター logs the consultation.
    context, page = _login(browser, live_server, w.worker)
    page.goto(f"{live_server.url}/cases/consultations/new/")
    page.get_by_label("相談経路").select_option(label="電話")
    page.locator("#id_consulter_kind").select_option(label="家族")
    # 本人 and 世帯 through the search-as-you-type pickers, by keyboard.
    page.locator("#id_person").fill(f"やまだ {w.person.birth_date.year}")
    expect(page.locator("#id_person_listbox").get_by_role("option")).to_have_count(1)
    page.locator("#id_person").press("ArrowDown")
    page.locator("#id_person").press("Enter")
    expect(page.locator('input[name="person"]')).to_have_value(str(w.person.public_id))
    page.locator("#id_household").fill(w.person.full_name.split()[0])
    expect(page.locator("#id_household_listbox").get_by_role("option")).to_have_count(1)
    page.locator("#id_household").press("ArrowDown")
    page.locator("#id_household").press("Enter")
    expect(page.locator('input[name="household"]')).to_have_value(str(w.household.public_id))
    page.get_by_label("8050", exact=True).check()
    page.get_by_label("ひきこもり", exact=True).check()
    page.get_by_label("相談内容").fill(
        "80代の母と50代の長男。長男は長年ひきこもり、母の介護が限界。"
    )
    page.get_by_label("対応結果").select_option(label="多機関協働へつなぐ")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("相談受付を登録しました。")).to_be_visible()
    consultation = Consultation.objects.get()
    assert sorted(consultation.categories) == ["8050", "hikikomori"]

    # 2. From the consultation, a つなぐシート with consent to the 多機関協働 body.
    page.get_by_role("link", name="つなぐシートを作成").click()
    page.locator("#id_to_agency").fill(w.receiver.name)
    expect(page.locator("#id_to_agency_listbox").get_by_role("option")).to_have_count(1)
    page.locator("#id_to_agency").press("ArrowDown")
    page.locator("#id_to_agency").press("Enter")
    expect(page.locator('input[name="to_agency"]')).to_have_value(str(w.receiver.pk))
    page.locator("#id_consent").focus()
    page.locator("#id_consent").press("ArrowDown")
    expect(page.locator("#id_consent_listbox").get_by_role("option")).to_have_count(1)
    page.locator("#id_consent").press("ArrowDown")
    page.locator("#id_consent").press("Enter")
    expect(page.locator('input[name="consent"]')).to_have_value(str(w.consent.public_id))
    page.get_by_label("複合的な課題").check()
    page.get_by_label("課題の整理が必要").check()
    page.get_by_role("button", name="保存して送付").click()
    expect(page.get_by_text("つなぐシートを送付しました。")).to_be_visible()
    referral = Referral.objects.get()
    assert referral.status == "sent" and referral.consultation == consultation
    expect(page.get_by_test_id("referral-status")).to_contain_text("送付済み")
    context.close()

    # 3. The coordinator accepts it from the inbox.
    context, page = _login(browser, live_server, w.coordinator)
    page.goto(f"{live_server.url}/cases/referrals/inbox/")
    expect(page.locator("[data-tab=new] .badge")).to_have_text("1")
    page.get_by_role("link", name=referral.number).click()
    expect(page.get_by_test_id("person-section")).to_contain_text(w.person.full_name)
    page.get_by_role("button", name="受理する").click()
    expect(page.get_by_text("受理しました。")).to_be_visible()
    case = SupportCase.objects.get()
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    context.close()

    # 4. The sender sees 受理 in the sent list and the timeline.
    context, page = _login(browser, live_server, w.worker)
    page.goto(f"{live_server.url}/cases/referrals/sent/")
    row = page.locator(f"tr[data-referral='{referral.number}']")
    expect(row).to_contain_text("受理")
    expect(row).to_contain_text(case.number)
    row.get_by_role("link", name=referral.number).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("受理")
    context.close()

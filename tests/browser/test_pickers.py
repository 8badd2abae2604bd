"""The つなぐシート's pickers by keyboard only: type, ArrowDown, Enter; Escape closes; the consent
list is the chosen person's; the sheet saves with what was picked."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Referral
from cases.tests.factories import ConsentFactory, IntakeWorld

PASSWORD = "Correct-Horse-42"  # UserFactory's password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_pickers_by_keyboard(page, live_server, login):
    w = IntakeWorld()
    ConsentFactory(person=w.mother, agencies=[w.receiver])  # not offered for w.person
    login(w.worker.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/referrals/new/")

    person = page.get_by_role("combobox", name="本人", exact=True)
    person.focus()
    # カタカナ for a record kept in ひらがな, plus the birth year: only w.person matches.
    page.keyboard.type(f"ヤマダ {w.person.birth_date.year}")
    listbox = page.locator("#id_person_listbox")
    expect(listbox).to_be_visible()
    expect(person).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(person).to_have_attribute("aria-activedescendant", re.compile("id_person_listbox-0"))
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(page.locator('input[name="person"]')).to_have_value(str(w.person.public_id))
    expect(person).to_have_value(re.compile(w.person.full_name))

    # Escape closes an open list without choosing.
    household = page.get_by_role("combobox", name="世帯", exact=True)
    household.focus()
    page.keyboard.type("やまだ")
    expect(page.locator("#id_household_listbox")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#id_household_listbox")).to_be_hidden()
    expect(page.locator('input[name="household"]')).to_have_value("")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="household"]')).to_have_value(str(w.household.public_id))
    expect(household).to_have_value(re.compile("世帯"))

    consent = page.get_by_role("combobox", name="本人同意")
    consent.focus()
    page.keyboard.press("ArrowDown")
    options = page.locator("#id_consent_listbox").get_by_role("option")
    expect(options).to_have_count(1)  # the mother's consent is not offered
    expect(options.first).to_contain_text("共有先")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="consent"]')).to_have_value(str(w.consent.public_id))

    # 送付先 by keyboard too (only agencies where someone can answer are offered).
    receiver = page.get_by_role("combobox", name="つなぎ先機関")
    receiver.focus()
    page.keyboard.type("福祉相談課")
    receivers = page.locator("#id_to_agency_listbox").get_by_role("option")
    expect(receivers).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="to_agency"]')).to_have_value(str(w.receiver.pk))
    page.get_by_label("複合的な課題", exact=False).first.check()
    page.get_by_role("button", name="下書き保存").click()
    page.wait_for_url(re.compile(r"/cases/referrals/[0-9a-f-]{36}/$"))
    referral = Referral.objects.get()
    assert referral.person == w.person
    assert referral.household == w.household
    assert referral.consent == w.consent


def test_consultation_form_is_compact_and_errors_link_to_fields(page, live_server, login):
    w = IntakeWorld()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(w.worker.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/consultations/new/")
    # 31 課題の分類 in columns: the whole form used to be 3,600 px tall.
    height = page.evaluate("() => document.querySelector('form.form').offsetHeight")
    assert height < 2400, height
    page.get_by_role("button", name="保存する").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name=re.compile("相談内容")).click()
    expect(page.locator("#id_summary")).to_be_focused()
    summary.get_by_role("link", name=re.compile("課題の分類")).click()
    expect(page.locator("#id_categories_0")).to_be_focused()


def test_staff_picker_follows_the_chosen_agency(page, live_server, login):
    from cases.services.intake import referral_accept

    w = IntakeWorld()
    case = referral_accept(actor=w.coordinator, referral=w.opened())
    login(w.coordinator.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/support/{case.public_id}/team/")
    agency = page.locator("#id_add-agency")
    agency.focus()
    page.keyboard.type("北部地域包括")
    expect(page.locator("#id_add-agency_listbox").get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="add-agency"]')).to_have_value(str(w.sender.pk))
    staff = page.get_by_role("combobox", name="担当者")
    staff.focus()
    page.keyboard.press("ArrowDown")
    options = page.locator("#id_add-user_listbox").get_by_role("option")
    expect(options).to_have_count(2)  # the sender's two caseworkers, nobody else
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    hidden = page.locator('input[name="add-user"]')
    assert hidden.input_value() in {str(w.worker.pk), str(w.colleague.pk)}
    # Another agency: the chosen person no longer fits and is cleared.
    agency.focus()
    page.keyboard.press("Escape")  # the list is closed: Escape clears the agency
    page.keyboard.type("よその機関")
    agencies = page.locator("#id_add-agency_listbox").get_by_role("option")
    expect(agencies).to_have_count(1)
    expect(agencies.first).to_contain_text("よその機関")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="add-agency"]')).to_have_value(str(w.other.pk))
    expect(hidden).to_have_value("")
    expect(staff).to_have_value("")


def test_case_form_pickers_by_keyboard(page, live_server, login):
    """A new case after a closed one: the 世帯, its member as 本人, its closed case as 前の支援
    and the 主担当機関, each chosen by keyboard only (arrows, Enter, Escape)."""
    from cases.models import SupportCase
    from cases.services.intake import referral_accept

    w = IntakeWorld()
    closed = referral_accept(actor=w.coordinator, referral=w.opened())
    SupportCase.objects.filter(pk=closed.pk).update(
        status=SupportCase.Status.CLOSED, closed_on=closed.opened_on
    )
    login(w.coordinator.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/support/new/")

    page.locator("#id_household").focus()  # labelled 「世帯 必須」
    page.keyboard.type("やまだ")
    expect(page.locator("#id_household_listbox").get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="household"]')).to_have_value(str(w.household.public_id))

    # 本人: opening the list without typing offers the chosen household's members the
    # coordinator may see (the consent covers the son, not his mother).
    principal = page.locator("#id_principal")
    principal.focus()
    page.keyboard.press("ArrowDown")
    members = page.locator("#id_principal_listbox").get_by_role("option")
    expect(members).to_have_count(1)
    expect(members.first).to_contain_text(w.person.full_name)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="principal"]')).to_have_value(str(w.person.public_id))

    previous = page.locator("#id_previous_case")
    previous.focus()
    page.keyboard.press("ArrowDown")
    closed_cases = page.locator("#id_previous_case_listbox").get_by_role("option")
    expect(closed_cases).to_have_count(1)
    expect(closed_cases.first).to_contain_text(closed.number)
    expect(closed_cases.first).to_contain_text("終結")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="previous_case"]')).to_have_value(str(closed.public_id))

    lead = page.locator("#id_lead_agency")
    lead.focus()
    page.keyboard.type("包括")
    options = page.locator("#id_lead_agency_listbox").get_by_role("option")
    expect(options.first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#id_lead_agency_listbox")).to_be_hidden()
    page.keyboard.press("Escape")  # a second Escape clears the text
    expect(lead).to_have_value("")
    page.keyboard.type("北部地域包括")
    expect(options).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="lead_agency"]')).to_have_value(str(w.sender.pk))

    page.locator("#id_coordinating_agency").select_option(str(w.receiver.pk))
    page.get_by_label("主訴・ケースの概要").fill("生活の立て直し")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    page.wait_for_url(re.compile(r"/cases/support/[0-9a-f-]{36}/$"))
    case = SupportCase.objects.exclude(pk=closed.pk).get()
    assert case.principal == w.person
    assert case.previous_case == closed
    assert case.lead_agency == w.sender


def test_a_list_asked_for_at_once_is_not_asked_again_behind_the_users_back(
    page, live_server, login
):
    """Focus schedules a search; ArrowDown straight away asks at once. The scheduled one must not
    follow: its answer came after the user had moved in the list and took the highlight away, so
    Enter chose nothing (seen on a loaded CI machine)."""
    w = IntakeWorld()
    login(w.worker.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/referrals/new/")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/pick/" in r.url else None)

    agency = page.locator("#id_to_agency")
    agency.focus()
    page.keyboard.press("ArrowDown")  # before the focus's scheduled search (200 ms) fires
    options = page.locator("#id_to_agency_listbox").get_by_role("option")
    expect(options.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(agency).to_have_attribute("aria-activedescendant", re.compile("id_to_agency_listbox-0"))
    page.wait_for_timeout(600)  # past the delay: nothing else is asked
    assert len(asked) == 1, asked
    expect(agency).to_have_attribute("aria-activedescendant", re.compile("id_to_agency_listbox-0"))
    chosen = options.first.get_attribute("data-value")
    page.keyboard.press("Enter")
    expect(page.locator('input[name="to_agency"]')).to_have_value(chosen)

"""Phones: the main pages are no wider than a 390 px screen (WCAG 1.4.10 reflow). Wide tables
scroll inside their own region (.table-scroll), never the page."""

import pytest

from cases.services.intake import referral_accept
from cases.tests.factories import IntakeWorld

PASSWORD = "Correct-Horse-42"  # UserFactory's password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": WIDTH, "height": 800}}


def test_main_pages_fit_a_390px_screen(page, live_server):
    w = IntakeWorld()
    referral = w.opened()
    case = referral_accept(actor=w.coordinator, referral=referral)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(w.coordinator.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")
    paths = [
        "/",
        "/cases/persons/",
        f"/cases/persons/{w.person.public_id}/",
        "/cases/consultations/",
        "/cases/referrals/inbox/",
        f"/cases/referrals/{referral.public_id}/",
        "/cases/support/",
        f"/cases/support/{case.public_id}/",
        "/meetings/",
        "/meetings/all/",
        "/meetings/calendar/",
        "/meetings/calendar/?view=week",
        "/meetings/roles/",
        "/notifications/",
    ]
    too_wide = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > WIDTH:
            too_wide[path] = width
    assert too_wide == {}, too_wide

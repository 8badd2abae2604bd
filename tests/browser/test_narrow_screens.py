"""Phones: the main pages are no wider than a 360 px screen (WCAG 1.4.10 reflow; 320–390 px are
the phones staff carry). Wide tables scroll inside their own region (.table-scroll), never the
page; the plan sheet reads as cards, the month calendar as a list, and the menu shows it scrolls."""

import datetime as dt

import pytest
from django.utils import timezone

from agencies.choices import Programme, Role
from agencies.tests.factories import staff
from cases.services.intake import referral_accept
from cases.tests.factories import IntakeWorld, case_with_approved_plan

PASSWORD = "Correct-Horse-42"  # UserFactory's password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": WIDTH, "height": 800}}


def _role_for(user, agency):
    """A 支援会議 decision held yesterday giving `user` a role with a long task."""
    from meetings import services
    from meetings.choices import AgendaKind, BodyKind, DecisionKind
    from meetings.tests.conftest import hold, make_body, schedule, seat

    supervisor = staff(agency, Role.SUPERVISOR)
    body = make_body(supervisor, agency, BodyKind.JUSO_KAIGI, "重層的支援会議(全体・北部圏域)")
    seat(body, user, supervisor)
    meeting = schedule(body, supervisor, days=-1)
    item = services.agenda_item_add(
        meeting=meeting,
        actor=supervisor,
        kind=AgendaKind.INFO_SHARING,
        title="北地区の見守り体制について",
    )
    hold(meeting, supervisor)
    services.item_record_decision(
        item=item,
        actor=supervisor,
        kind=DecisionKind.SHARED,
        roles=[
            {
                "owner_agency": agency,
                "owner_user": user,
                "task": "民生委員・児童委員と訪問日程を調整し、地域包括支援センターと情報を共有する",
                "due_on": timezone.localdate() + dt.timedelta(days=2),
            }
        ],
    )


def test_main_pages_fit_a_360px_screen(page, live_server):
    w = IntakeWorld()
    referral = w.opened()
    case = referral_accept(actor=w.coordinator, referral=referral)
    plan_case, plan = case_with_approved_plan(coordinator=w.coordinator, agency=w.receiver)
    _role_for(w.coordinator, w.receiver)
    # An agency running every programme (a 社協): the whole menu, wider than a phone.
    w.receiver.programmes = [p.value for p in Programme]
    w.receiver.save(update_fields=["programmes"])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(w.coordinator.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")
    plan_url = f"/cases/support/{plan_case.public_id}/plans/{plan.number}/"
    paths = [
        "/",
        "/cases/persons/",
        f"/cases/persons/{w.person.public_id}/",
        f"/cases/households/{w.household.public_id}/",
        "/cases/consultations/",
        "/cases/consultations/new/",
        "/cases/referrals/new/",
        "/cases/referrals/inbox/",
        f"/cases/referrals/{referral.public_id}/",
        "/cases/support/",
        f"/cases/support/{case.public_id}/",
        plan_url,
        f"{plan_url}edit/",
        "/meetings/",
        "/meetings/all/",
        "/meetings/calendar/",
        "/meetings/calendar/?view=week",
        "/meetings/calendar/?view=list",
        "/meetings/roles/",
        "/notifications/",
    ]
    too_wide = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > WIDTH:
            too_wide[path] = width
    assert too_wide == {}, too_wide

    # The roles page shows the role (not an empty table that fits by being empty).
    page.goto(f"{live_server.url}/meetings/roles/")
    assert page.get_by_test_id("role-row").count() == 1

    # The plan sheet: no cell of the items narrower than a few characters (it wrapped every 3–4).
    page.goto(f"{live_server.url}{plan_url}")
    narrowest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('[data-testid=plan-items] td')]
             .filter(td => td.offsetParent !== null && td.textContent.trim().length > 6)
             .map(td => td.getBoundingClientRect().width))"""
    )
    assert narrowest >= 120, narrowest
    # The sheet's header values take the whole width under their labels.
    assert page.locator("dl.sheet dd").count() >= 2
    value_width = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('dl.sheet dd')]"
        ".map(dd => dd.getBoundingClientRect().width))"
    )
    assert value_width >= 250, value_width

    # The calendar's list view lists the month's meetings, every day readable.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.goto(f"{live_server.url}/meetings/calendar/?view=list&date={yesterday:%Y-%m-%d}")
    assert page.get_by_test_id("month-list").is_visible()
    assert page.get_by_test_id("month-list").get_by_role("link").count() >= 1

    # The menu scrolls sideways and says so: a cue at the edge while more items are hidden.
    page.goto(f"{live_server.url}/")
    nav = page.locator(".main-nav")
    cue = nav.evaluate("n => n.querySelector('ul').scrollWidth > n.querySelector('ul').clientWidth")
    assert cue, "the menu should be wider than a phone in this test"
    assert nav.get_attribute("data-more") == "end"
    nav.locator("ul").evaluate("ul => ul.scrollTo(ul.scrollWidth, 0)")
    page.wait_for_function(
        "() => document.querySelector('.main-nav').getAttribute('data-more') === 'start'"
    )

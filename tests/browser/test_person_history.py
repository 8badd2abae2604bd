"""The person page as the hub: a caseworker of the 多機関協働 body opens a person's page and sees
the dated history — the consultation, the つなぐシート, the case and the 支援会議 item — each with
its date in the product's date style (令和…年…月…日), and follows the history to the case. A
caseworker of an unrelated agency is told the person is not found."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies import jpdates
from agencies.choices import OperatorType, Role
from agencies.tests.factories import staff
from cases.services.intake import referral_accept
from cases.tests.factories import ConsultationFactory, IntakeWorld
from meetings import services as ms
from meetings.choices import AgendaKind, BodyKind
from meetings.tests.conftest import make_body, schedule, seat

from .helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAREKI = re.compile(r"^令和\d+年\d{1,2}月\d{1,2}日( \d{2}:\d{2})?$")


@pytest.fixture
def world():
    """The son of an 8050 household: a consultation at the 多機関協働 body, the 包括's
    つなぐシート to it (accepted: a case), and the case on a 支援会議 agenda next week."""
    w = IntakeWorld()
    w.viewer = w.receiver_staff  # a caseworker of the 多機関協働 body
    w.consultation = ConsultationFactory(
        agency=w.receiver,
        staff=w.viewer,
        person=w.person,
        received_at=timezone.now() - dt.timedelta(days=20),
    )
    w.referral = w.opened()
    w.case = referral_accept(actor=w.coordinator, referral=w.referral)
    w.referral.refresh_from_db()
    w.receiver.operator_type = OperatorType.MUNICIPAL  # a 支援会議 is the city's (福祉相談課)
    w.receiver.save(update_fields=["operator_type"])
    supervisor = staff(w.receiver, Role.SUPERVISOR)
    body = make_body(supervisor, w.receiver, BodyKind.SHIEN_KAIGI, "支援会議(北部)")
    seat(body, w.viewer, supervisor)
    w.meeting = schedule(body, supervisor, days=7)
    w.item = ms.agenda_item_add(
        meeting=w.meeting,
        actor=supervisor,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="8050世帯の役割分担",
        case=w.case,
        persons=[w.person],
    )
    return w


def _entry(page, kind, text):
    """The history row of `kind` (its chip) holding `text`: exactly one."""
    row = (
        page.get_by_test_id("section-history")
        .locator("li.history__item")
        .filter(has=page.locator(".chip", has_text=re.compile(f"^{kind}$")))
        .filter(has_text=text)
    )
    expect(row).to_have_count(1)
    return row


def _expect_date(row, value):
    shown = (
        jpdates.format_datetime(value, seireki=False)
        if isinstance(value, dt.datetime)
        else jpdates.format_date(value, seireki=False)
    )
    assert WAREKI.match(shown), shown  # the product's style, never 2026-01-02
    expect(row.locator(".history__date")).to_have_text(shown)


def test_person_history_lists_what_the_caseworker_may_see_and_leads_to_the_case(
    page, live_server, login, world
):
    w = world
    login(w.viewer.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/persons/{w.person.public_id}/")
    history = page.get_by_test_id("section-history")
    expect(history.get_by_role("heading", name="これまでの記録")).to_be_visible()

    consultation = _entry(page, "相談", w.consultation.get_route_display())
    _expect_date(consultation, w.consultation.received_at)

    referral = _entry(page, "つなぐシート", w.referral.number)
    _expect_date(referral, w.referral.sent_at)

    case = _entry(page, "多機関協働ケース", w.case.number)
    _expect_date(case, w.case.opened_on)

    meeting = _entry(page, "会議", "8050世帯の役割分担")
    _expect_date(meeting, w.meeting.starts_at)

    # Newest first: the meeting next week, then the sheet and case of today, the consultation.
    kinds = history.locator(".history__item .chip").all_inner_texts()
    assert kinds.index("会議") < kinds.index("つなぐシート") < kinds.index("相談")

    case.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/cases/support/{w.case.public_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(w.case.number)


def test_outsider_is_told_the_person_is_not_found(page, live_server, login, world):
    w = world
    login(w.outsider.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    response = page.goto(f"{live_server.url}/cases/persons/{w.person.public_id}/")
    assert response.status == 404
    expect(page.get_by_test_id("section-history")).to_have_count(0)
    expect(page.get_by_text(w.person.full_name)).to_have_count(0)

"""Dates in the text the cases app writes for people to read follow the one date style
(agencies.jpdates): the 気づきシート page's 相談受付 link, the 対応メモ stamps, the names records
are shown by. Stored text (memo stamps) is written in 和暦 whatever the writer's 西暦 setting."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.choices import AgencyKind, Role
from agencies.jpdates import SHOW_SEIREKI, format_date, format_datetime
from agencies.tests.factories import staff
from cases.models import ActivityNote
from cases.services import intake as si
from cases.services import support as s
from cases.tests.factories import (
    ConsentFactory,
    ConsultationFactory,
    case_with_approved_plan,
    multiagency_agency,
)

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STAMP = re.compile(r"^\[令和(?:元|\d+)年\d+月\d+日 \d{2}:\d{2} [^\]]+\] ", re.M)


@pytest.fixture
def slip_world():
    shakyo = multiagency_agency(kind=AgencyKind.SHAKYO, name="社会福祉協議会(テスト)")
    return {"csw": staff(shakyo, Role.CSW), "minsei": staff(shakyo, Role.RESIDENT), "to": shakyo}


def _slip(w):
    return si.concern_slip_submit(
        actor=w["minsei"], to_agency=w["to"], subject_description="角の家", noticed="新聞"
    )


def test_slip_page_shows_the_consultation_and_memo_stamps_in_wareki(client, slip_world):
    w = slip_world
    slip = _slip(w)
    si.concern_slip_set_status(actor=w["csw"], slip=slip, status="received", note="受け取った")
    consultation = si.concern_slip_to_consultation(
        actor=w["csw"], slip=slip, categories=["koritsu"]
    )
    client.force_login(w["csw"])
    html = client.get(reverse("cases:concern_slip_detail", args=[slip.public_id])).content.decode()
    link = re.search(r'data-testid="slip-consultation">([^<]*)<', html).group(1)
    assert link == f"相談受付 {format_date(consultation.received_at)}"
    memo = html[html.index("対応メモ(機関内)") :]
    memo = memo[: memo.index("</dd>")]
    assert not ISO_DATE.search(link) and not ISO_DATE.search(memo)
    assert len(STAMP.findall(memo.replace("<br>", "\n").split('class="multiline">')[1])) == 2


def test_memo_stamp_is_stored_in_wareki_whatever_the_writers_setting(slip_world):
    w = slip_world
    token = SHOW_SEIREKI.set(True)  # the writer reads dates with the Western year
    try:
        slip = si.concern_slip_set_status(
            actor=w["csw"], slip=_slip(w), status="received", note="訪問予定"
        )
    finally:
        SHOW_SEIREKI.reset(token)
    assert STAMP.match(slip.handling_note) and slip.handling_note.endswith("訪問予定")
    assert "年)" not in slip.handling_note and not ISO_DATE.search(slip.handling_note)


def test_records_are_named_with_their_date_in_wareki(owner, body):
    case, plan = case_with_approved_plan(coordinator=owner, agency=body)
    today = timezone.localdate()
    consultation = ConsultationFactory(agency=body, staff=owner)
    consent = ConsentFactory(person=case.principal, agencies=[body], given_on=today)
    monitoring = s.monitoring_record(item=plan.items.first(), actor=owner, progress="on_track")
    # 00:30 in Tokyo is the previous day in UTC: the note is named by its day in Tokyo.
    at = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 30)))
    note = ActivityNote.objects.get(
        pk=s.note_create(case=case, actor=owner, kind="phone", content="x", occurred_at=at).pk
    )
    names = {
        str(consultation): f"相談受付 {format_date(consultation.received_at)}",
        str(consent): f"同意 {format_date(today)}",
        str(monitoring): f"{format_date(today)} 順調",
        str(note): f"{note.get_kind_display()} {format_date(today)}",
        str(case.lead_history.get()): f"{case} {body} {format_date(case.opened_on)}",
    }
    for shown, expected in names.items():
        assert shown == expected
        assert not ISO_DATE.search(shown)


def test_referral_event_and_slip_names_use_the_date_style(slip_world):
    from cases.models import ReferralEvent

    slip = _slip(slip_world)
    assert str(slip) == f"気づきシート {format_date(slip.submitted_at)}"
    event = ReferralEvent(kind=ReferralEvent.Kind.SENT, at=timezone.now())
    assert str(event) == f"{event.get_kind_display()} {format_datetime(event.at)}"

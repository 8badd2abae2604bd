"""A supervisor builds next month's 重層的支援会議 agenda from the waiting queue, prints the
papers, records attendance and the decision on the meeting day, and the approved plan's case
moves to 支援実施."""

import datetime as dt
import re
import time

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agencies import jpdates
from agencies.choices import OperatorType, Role
from agencies.tests.factories import staff
from cases.models import SupportCase
from cases.tests.factories import multiagency_agency
from meetings import services
from meetings.choices import BodyKind, MeetingStatus, Recurrence
from meetings.models import Meeting
from meetings.tests.conftest import submitted_plan

PASSWORD = "Correct-Horse-42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(page, live_server, user, device, next_path="/meetings/"):
    """Password, then the TOTP code of the supervisor's device; lands on `next_path`."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
    page.get_by_label("確認コード").fill(current_code(device))
    page.get_by_role("button", name="確認").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def test_supervisor_builds_agenda_prints_and_decides(page, live_server):
    city = multiagency_agency(operator_type=OperatorType.MUNICIPAL, name="みどり市 福祉相談課")
    supervisor = staff(city, Role.SUPERVISOR, username="kakari-meeting", display_name="係長 誠")
    coordinator = staff(city, Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    body = services.body_create(
        actor=supervisor,
        name="重層的支援会議(定例)",
        kind=BodyKind.JUSO_KAIGI,
        convenor=city,
        recurrence=Recurrence.MONTHLY_WEEKDAY,
        recur_week=3,
        recur_weekday=2,
        default_place="本庁舎 第1会議室",
    )
    services.member_add(body=body, actor=supervisor, user=supervisor, role="chair")
    services.member_add(body=body, actor=supervisor, user=coordinator)
    case, plan = submitted_plan(coordinator, city)
    # Next month's meeting from the recurrence.
    today = timezone.localdate()
    first_next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    services.meetings_generate(body=body, actor=supervisor, count=3)
    meeting = next(
        m
        for m in Meeting.objects.filter(body=body).order_by("starts_at")
        if m.date >= first_next_month
    )

    sign_in(page, live_server, supervisor, device)
    expect(
        page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="会議")
    ).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name=jpdates.format_date(meeting.starts_at)).first.click()
    expect(page.get_by_test_id("queue")).to_contain_text(case.number)

    # Pick the submitted plan from the queue, with a 20-minute time box.
    queue_entry = page.locator(f'[data-key="plan:{plan.public_id}"]')
    queue_entry.get_by_label("持ち時間(分)").fill("20")
    queue_entry.get_by_role("button", name=re.compile("議題に追加")).click()
    expect(page.get_by_text("議題に追加しました。")).to_be_visible()
    agenda = page.get_by_test_id("agenda")
    expect(agenda).to_contain_text(f"{case.number} プランの協議")
    expect(agenda).to_contain_text("本人同意・支援チーム")
    page.get_by_role("button", name="議題を確定する").click()
    expect(page.get_by_text("議題を確定しました。")).to_be_visible()

    # Print the agenda and the papers (A4 PDFs).
    for label in ("次第を印刷(PDF)", "会議資料を印刷(PDF)"):
        with page.expect_download() as info:
            page.get_by_role("link", name=label).click()
        with open(info.value.path(), "rb") as f:
            assert f.read(5) == b"%PDF-"
        assert info.value.suggested_filename.endswith(".pdf")
        assert case.principal.family_name not in info.value.suggested_filename

    # The meeting day: the session has expired by then, so sign in again.
    with time_machine.travel(meeting.starts_at + dt.timedelta(minutes=90), tick=True):
        meeting_path = f"/meetings/m/{meeting.public_id}/"
        page.goto(f"{live_server.url}{meeting_path}")
        if "/accounts/login/" in page.url:
            sign_in(page, live_server, supervisor, device, next_path=meeting_path)
        page.get_by_role("link", name="出欠を記録").click()
        page.get_by_label("構成員以外の出席者").fill("本人/当事者")
        page.get_by_role("button", name="出欠を保存").click()
        expect(page.get_by_text("出欠を記録しました。")).to_be_visible()
        page.get_by_role("button", name="開催済みにする").click()
        expect(page.get_by_text("開催済みにしました。")).to_be_visible()

        page.get_by_role("link", name="決定を記録").first.click()
        page.get_by_label("プラン承認").check()
        page.get_by_label("決定内容").fill("プランのとおり支援を開始する。")
        owner_agency = page.get_by_label("担当機関1")  # the agency picker
        owner_agency.fill(city.name)
        agencies = page.locator("#" + owner_agency.get_attribute("aria-controls"))
        expect(agencies.get_by_role("option")).to_have_count(1)
        owner_agency.press("ArrowDown")
        owner_agency.press("Enter")
        expect(owner_agency).to_have_value(city.name)
        page.get_by_label("役割・タスク1").fill("初回訪問の日程調整")
        page.get_by_label("期限1").fill(
            (meeting.starts_at.date() + dt.timedelta(days=14)).isoformat()
        )
        page.get_by_role("button", name="決定を記録する").click()
        expect(page.get_by_text("決定を記録しました。")).to_be_visible()
        expect(page.get_by_test_id("agenda")).to_contain_text("プラン承認")

        page.get_by_role("button", name="議事録を承認する").click()
        expect(page.get_by_text("議事録を承認しました。")).to_be_visible()

    case.refresh_from_db()
    plan.refresh_from_db()
    meeting.refresh_from_db()
    assert case.status == SupportCase.Status.SUPPORTING
    assert plan.status == "approved" and plan.meeting_on == meeting.date
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    assert (
        case.transitions.order_by("-at", "-pk").first().via_item.startswith("meetings.agendaitem:")
    )

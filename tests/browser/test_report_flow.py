"""The annual report in a real browser: the admin opens 報告, reads the figures of a year as of
a date, follows a figure to its definition, asks for the Excel file (built by the Celery task,
progress shown on the page) and downloads it."""

import datetime as dt
import io
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import expect

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import ConsultationFactory

PASSWORD = "Correct-Horse-42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_admin_reads_the_report_and_downloads_the_excel(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agency = AgencyFactory(name="北部地域包括支援センター")
    admin = staff(agency, Role.ADMIN, username="report-admin")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    worker = staff(agency, Role.CASEWORKER)
    for day in (dt.date(2026, 5, 1), dt.date(2026, 6, 1), dt.date(2026, 7, 1)):
        ConsultationFactory(
            agency=agency,
            staff=worker,
            received_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        )

    page.goto(f"{live_server.url}/accounts/login/?next=/reports/")
    page.get_by_label("ログインID").fill(admin.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
    page.get_by_label("確認コード").fill(_code(device))
    page.get_by_role("button", name="確認").click()
    expect(page).to_have_url(re.compile(r"/reports/$"))

    page.get_by_label("年度").select_option("2026")
    page.get_by_label("基準日").fill("2027-02-28")
    page.get_by_role("button", name="表示").click()
    row = page.locator('tr[data-code="consultation.contacts"]')
    expect(row).to_contain_text("3")
    expect(page.get_by_text("庁内限り").first).to_be_visible()

    page.get_by_label("形式").select_option("xlsx")
    page.get_by_role("button", name="ファイルを作成").click()
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-status", "done")
    with page.expect_download() as info:
        page.get_by_test_id("job-download").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert "概要" in wb.sheetnames

    page.goto(f"{live_server.url}/reports/figures/consultation.contacts/?fy=2026&as_of=2027-02-28")
    expect(page.get_by_test_id("records-total")).to_have_text("3")
    expect(page.get_by_text("管理者の画面には件数のみを表示します")).to_be_visible()
    page.wait_for_load_state("networkidle")

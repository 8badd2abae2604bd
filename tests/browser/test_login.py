"""Login in a real browser: a caseworker reaches the dashboard; a supervisor passes two-factor."""

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff

PASSWORD = "Correct-Horse-42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_caseworker_logs_in_and_sees_the_japanese_dashboard(page, live_server, login):
    user = staff(
        AgencyFactory(), Role.CASEWORKER, username="houkatsu-test", display_name="若葉 さくら"
    )
    login(user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("若葉 さくらさんの対応事項")
    expect(page).to_have_url(f"{live_server.url}/")


def test_wrong_password_shows_the_generic_message(page, live_server, login):
    staff(AgencyFactory(), Role.CASEWORKER, username="houkatsu-test")
    login("houkatsu-test", "wrong-password-1")
    expect(page.get_by_text("ログインIDまたはパスワードが正しくありません。")).to_be_visible()


def test_supervisor_enters_a_totp_code_and_reaches_the_dashboard(page, live_server, login):
    user = staff(AgencyFactory(), Role.SUPERVISOR, username="kakari-test", display_name="係長 誠")
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    login(user.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("確認コードの入力")
    page.get_by_label("確認コード").fill(current_code(device))
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("係長 誠さんの対応事項")


def test_supervisor_without_device_sets_up_totp_from_the_qr_page(page, live_server, login):
    user = staff(AgencyFactory(), Role.SUPERVISOR, username="kakari-new", display_name="新任 係長")
    login(user.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/"))
    expect(page.locator("svg.qr-code")).to_be_visible()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("確認コード").fill(current_code(device))
    page.get_by_role("button", name="設定を完了").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="保管しました。続ける").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新任 係長さんの対応事項")

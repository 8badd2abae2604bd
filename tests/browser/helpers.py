"""Signing in from a browser test: password only (care staff), or password and the current TOTP
code of a confirmed device (supervisors, admins, privacy officers must pass the second factor)."""

import re
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

PASSWORD = "Correct-Horse-42"  # UserFactory's password


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(page, live_server, user, *, device: TOTPDevice | None = None, next_path="/"):
    """Log `user` in on `page` and wait until `next_path` is shown; with `device`, through the
    second step (確認コード)."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    if device is not None:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
        page.get_by_label("確認コード").fill(current_code(device))
        page.get_by_role("button", name="確認").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))

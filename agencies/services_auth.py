"""Account security services: lockout, two-factor devices, backup codes, API tokens, passwords.

Every write has an actor and an audit row. Views stay thin: they call one function here and
handle the request-bound part (django_otp.login, messages, redirects).

Decisions worth knowing:
- Lockout is django-axes per username (settings.AXES_*). An unknown username locks the same way
  as a real one, so the locked-out page never tells whether an account exists.
- Two-factor is TOTP (django-otp) with one-time backup codes (otp_static). A user who already has
  a confirmed device can only replace it from a verified session; otherwise anyone with the
  password could enrol their own phone.
- API tokens of users who need two-factor are accepted only when issued after the user's
  current device was confirmed, which the account page guarantees (it sits behind the 2FA
  middleware). See agencies.auth_api.OTPTokenAuthentication.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import record

from . import policy_auth  # noqa: F401 - registers staff.unlock / staff.otp_reset
from .models import User
from .policy import require

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "認証アプリ"
BACKUP_DEVICE_NAME = "バックアップコード"

# The demo city's two-factor key: the same on every machine so that the demo logins of the
# supervisor and the admin work everywhere (`make otp USER=kakaricho` prints the current code).
# Demo only: `demo_otp` refuses any device whose key is not this one.
DEMO_OTP_KEY = b"tsunagu-demo-totp-20".hex()
DEMO_OTP_SECRET_B32 = base64.b32encode(bytes.fromhex(DEMO_OTP_KEY)).decode()


def _audit(*, actor, action: str, obj=None) -> AuditEvent:
    return record(actor=actor, action=action, obj=obj, kind=AuditEvent.Kind.AUTH)


# --- lockout -----------------------------------------------------------------------------


def locked_usernames(usernames) -> set[str]:
    """The given usernames that are locked out right now (one query; for admin lists)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME if settings.AXES_COOLOFF_TIME else None
    qs = AccessAttempt.objects.filter(
        username__in=list(usernames), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    if since is not None:
        qs = qs.filter(attempt_time__gte=since)
    return set(qs.values_list("username", flat=True))


def user_is_locked(user: User) -> bool:
    return bool(locked_usernames([user.username]))


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names a client in its log lines: never the typed login ID (it may be a
    person's name typed into the wrong field), only the address and the path."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0]
    return f'{{ip_address: "{ip_address}", path_info: "{path_info}"}}'


@transaction.atomic
def user_unlock(*, user: User, actor: User) -> int:
    """Lift a lockout (admin only). Returns how many attempt records were cleared."""
    decision = require(actor, "staff.unlock", user)
    cleared = axes_reset(username=user.username)
    record(
        actor=actor,
        action="staff.unlock",
        obj=user,
        basis=decision.basis,
        kind=AuditEvent.Kind.AUTH,
    )
    return cleared


# --- two-factor ----------------------------------------------------------------------------


def user_needs_otp(user: User, *, enrolled: bool | None = None) -> bool:
    """Must this user pass a second factor? Required roles always; others once they enrolled."""
    if user.requires_2fa():
        return True
    return user_has_device(user) if enrolled is None else enrolled


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def otp_setup_start(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device the setup page shows (reused so a reload keeps the QR code)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def otp_secret_b32(device: TOTPDevice) -> str:
    """The key for typing into an authenticator app by hand, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise_token(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


@dataclass
class OTPResult:
    device: object | None = None
    throttled: bool = False
    backup_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.device is not None


@transaction.atomic
def otp_setup_confirm(*, user: User, device: TOTPDevice, token: str) -> OTPResult:
    """Confirm a new TOTP device with a code from the app.

    On success the device is confirmed, any older TOTP device of the user is removed (this is a
    replacement), fresh backup codes are created and returned for showing once.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        return OTPResult(throttled=True)
    if not device.verify_token(_normalise_token(token)):
        _audit(actor=user, action="auth.otp_failed", obj=user)
        return OTPResult()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _backup_codes_replace(user)
    _audit(actor=user, action="auth.otp_setup", obj=user)
    return OTPResult(device=device, backup_codes=codes)


@transaction.atomic
def otp_verify(*, user: User, token: str) -> OTPResult:
    """Check a code from the app or a one-time backup code against the user's devices.

    Devices throttle themselves (django-otp: waits of 1, 2, 4 … seconds after each failure).
    A used backup code is deleted. Failures are audited.
    """
    token = _normalise_token(token)
    # TOTP codes are six digits, backup codes are letters and digits: try only the kind that fits
    # so one typo does not throttle both devices.
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    candidates = [d for d in devices_for_user(user, for_verify=True) if isinstance(d, kind)]
    if candidates and not any(d.verify_is_allowed()[0] for d in candidates):
        return OTPResult(throttled=True)
    for device in candidates:
        if device.verify_token(token):
            action = "auth.backup_code_used" if kind is StaticDevice else "auth.otp_verify"
            _audit(actor=user, action=action, obj=user)
            return OTPResult(device=device)
    _audit(actor=user, action="auth.otp_failed", obj=user)
    return OTPResult()


def _backup_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user: User, actor: User) -> list[str]:
    """New backup codes for the actor's own account; the old ones stop working."""
    if actor.pk != user.pk:
        raise PermissionError("backup codes are regenerated by their owner only")
    codes = _backup_codes_replace(user)
    _audit(actor=actor, action="auth.backup_codes_create", obj=user)
    return codes


def backup_codes_remaining(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def user_otp_reset(*, user: User, actor: User) -> None:
    """Remove every two-factor device and the API tokens of a user (lost phone; admin only).

    The user sets up a new device at the next login; their API tokens are revoked because they
    were vouched for by the old device.
    """
    from .tokens import api_tokens_revoke_all

    decision = require(actor, "staff.otp_reset", user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    api_tokens_revoke_all(user=user)
    record(
        actor=actor,
        action="staff.otp_reset",
        obj=user,
        basis=decision.basis,
        kind=AuditEvent.Kind.AUTH,
    )


def first_confirmed_device_at(user: User) -> datetime | None:
    created = [
        d.created_at for d in TOTPDevice.objects.filter(user=user, confirmed=True) if d.created_at
    ]
    return min(created) if created else None


# --- demo ----------------------------------------------------------------------------------


def otp_demo_device_create(*, user: User) -> TOTPDevice:
    """Give a demo user a confirmed TOTP device with the documented demo key (demo data only)."""
    return TOTPDevice.objects.create(user=user, name="デモ用", key=DEMO_OTP_KEY, confirmed=True)


def otp_demo_code(user: User) -> tuple[str, int]:
    """The current code of a demo user's demo device and the seconds it stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True, key=DEMO_OTP_KEY).first()
    if device is None:
        raise LookupError("no demo device")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    remaining = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", remaining


# --- passwords -----------------------------------------------------------------------------


def user_password_changed(*, user: User, actor: User) -> None:
    """Audit a password change done through Django's form (which already saved the hash)."""
    _audit(actor=actor, action="auth.password_change", obj=user)


@transaction.atomic
def user_password_reset_completed(*, user: User) -> None:
    """After a reset by e-mail link: audit it and lift a lockout (the mailbox proved the owner)."""
    axes_reset(username=user.username)
    _audit(actor=user, action="auth.password_reset", obj=user)


def password_reset_mail_sent(*, user: User) -> None:
    _audit(actor=None, action="auth.password_reset_mail", obj=user)

"""Test helpers for the agencies and audit tests."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_as(client, user):
    """Log `user` in; users who need two-factor get a device and a verified session."""
    client.force_login(user)
    if user.requires_2fa():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def issue_token(user, name: str = "test") -> str:
    """A named API token for `user` (as if issued on their account page); returns the key."""
    from agencies.tokens import api_token_issue

    return api_token_issue(user=user, actor=user, name=name)[1]

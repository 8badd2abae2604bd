"""API authentication that respects two-factor.

Session-authenticated API calls are checked by SecurityPolicyMiddleware (403 otp_required until
the session is verified). Token calls never pass through a login form, so the token itself must
stand for a verified login: for a user who needs two-factor a token is accepted only if it was
issued after the user's current device was confirmed. The account page that issues tokens sits
behind the 2FA middleware, so such a token was issued from a verified session. A token issued
before (e.g. while the user was a caseworker, or before an admin reset the device) is refused
with the same structured 403 until the user issues a new one.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from . import services_auth, tokens


class OTPRequired(exceptions.PermissionDenied):
    default_detail = _("二要素認証が必要です。認証を済ませてから操作してください。")
    default_code = "otp_required"


class OTPTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against the named, hashed tokens of agencies.tokens."""

    def authenticate_credentials(self, key):
        token = tokens.api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("トークンが無効です。"))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("このアカウントは無効です。"))
        needs_otp = services_auth.user_needs_otp(user)
        if needs_otp:
            since = services_auth.first_confirmed_device_at(user)
            if since is None or token.created_at < since:
                raise OTPRequired()
        # The same interface OTPMiddleware gives session users: a valid token of a user who
        # needs two-factor vouches for the second factor, as a verified session would.
        user.otp_device = None
        user.is_verified = lambda: needs_otp
        return user, token

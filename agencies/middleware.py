"""Per-request security policy: the user's language, two-factor enforcement, idle-expiry flag.

Two-factor: a logged-in user who needs a second factor (supervisor/admin roles, everyone when
settings.REQUIRE_2FA_ALL, or anyone who enrolled a device) and whose session is not verified is
sent to the setup page (no device yet) or the verify page (has one) for every page except the
login/logout/two-factor pages, static files, /healthz and /i18n/. API calls get a structured
403 {"error": {"code": "otp_required", ...}} instead of a redirect; token-authenticated API calls
are checked by agencies.auth_api.OTPTokenAuthentication.

Idle expiry: sessions end after SESSION_COOKIE_AGE of inactivity (saved on every request). To
tell the user why, a flag cookie without any personal data marks "this browser had a session";
the login page shows the expiry notice when the flag is present but the session is gone, and
logout removes the flag so a deliberate logout does not show it.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import user_has_device

from agencies import jpdates, policy

ACTIVE_COOKIE = "tsunagu_active"
OTP_ENROLLED_SESSION_KEY = "tsunagu_otp_enrolled"

# Pages an unverified user may still reach (by URL name).
OTP_EXEMPT_URL_NAMES = frozenset(
    {"login", "logout", "otp_setup", "otp_verify", "set_language", "healthz", "javascript-catalog"}
)


def _is_exempt(request) -> bool:
    match = request.resolver_match
    if match is not None and match.url_name in OTP_EXEMPT_URL_NAMES and not match.namespace:
        return True
    path = request.path_info
    return path.startswith(settings.STATIC_URL) or path.startswith("/i18n/")


def is_api_request(request) -> bool:
    return request.path_info.startswith("/api/")


def otp_enrolled(request, user) -> bool:
    """Has the user a confirmed device? Asked once per session (no query on every request)."""
    enrolled = request.session.get(OTP_ENROLLED_SESSION_KEY)
    if enrolled is None:
        enrolled = user_has_device(user)
        request.session[OTP_ENROLLED_SESSION_KEY] = enrolled
    return enrolled


def is_verified(user) -> bool:
    # Right after login() request.user is the bare user, without OTPMiddleware's accessor.
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_verification(request, user) -> bool:
    if not user.is_authenticated or is_verified(user):
        return False
    if user.requires_2fa():
        return True
    if not otp_enrolled(request, user):
        return False
    # Enrolled by choice, says the session; an admin may have reset the device since.
    if user_has_device(user):
        return True
    request.session[OTP_ENROLLED_SESSION_KEY] = False
    return False


def otp_url_for(user, next_url: str = "") -> str:
    """Where an unverified user goes: verify when they have a device, setup when not."""
    name = "otp_verify" if user_has_device(user) else "otp_setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject):
            user = request.user = _unwrapped(user)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        token = jpdates.SHOW_SEIREKI.set(
            bool(user is not None and user.is_authenticated and user.show_seireki)
        )
        try:
            with policy.decisions_cached():
                response = self.get_response(request)
        finally:
            jpdates.SHOW_SEIREKI.reset(token)
        return self._after(request, response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or _is_exempt(request) or not needs_verification(request, user):
            return None
        if is_api_request(request):
            return JsonResponse(
                {
                    "error": {
                        "code": "otp_required",
                        "message": _("二要素認証が必要です。認証を済ませてから操作してください。"),
                    }
                },
                status=403,
            )
        target = otp_url_for(user, request.get_full_path())
        if request.headers.get("HX-Request"):
            return _hx_redirect(target)
        return redirect(target)

    def _after(self, request, response):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.COOKIES.get(ACTIVE_COOKIE) != "1":
                response.set_cookie(
                    ACTIVE_COOKIE,
                    "1",
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        elif (
            request.headers.get("HX-Request")
            and response.status_code == 302
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            # An htmx fragment request after the session expired: load the login page as a page,
            # not into the fragment's target.
            return _hx_redirect(response["Location"])
        return response


def _unwrapped(user):
    """The user behind `request.user`'s lazy wrapper (authentication and two-factor each wrap it).
    Every page asks for the user first thing here, so the wrapper has nothing left to delay,
    while each attribute read through it costs a proxy call — several hundred per page (the
    policy, the panels, the templates' `user.…`)."""
    while isinstance(user, SimpleLazyObject):  # two-factor's wrapper holds authentication's
        bool(user.is_authenticated)  # evaluates it (two-factor's fields included)
        user = user._wrapped
    return user


def _hx_redirect(url: str) -> HttpResponse:
    response = HttpResponse(status=200)
    response["HX-Redirect"] = url
    return response

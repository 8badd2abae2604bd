"""Login, logout, two-factor, account security and password views. Thin: one service call each."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from . import services_auth, tokens
from .auth_forms import ApiTokenForm, LoginForm, OTPSetupForm, OTPVerifyForm, PasswordResetForm
from .forms import apply_service_errors
from .middleware import ACTIVE_COOKIE, OTP_ENROLLED_SESSION_KEY, needs_verification, otp_url_for
from .models import User


def _next_url(request, default: str = "") -> str:
    """A safe local redirect target from ?next= / POST next, else the dashboard."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


# --- login / logout ------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        # The flag cookie outlives the session: present while logged out means it expired.
        self.session_expired = (
            request.COOKIES.get(ACTIVE_COOKIE) == "1" and not request.user.is_authenticated
        )
        response = super().dispatch(request, *args, **kwargs)
        if self.session_expired:
            response.delete_cookie(ACTIVE_COOKIE, samesite="Lax")
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session_expired=self.session_expired,
            session_idle_minutes=settings.SESSION_COOKIE_AGE // 60,
            **kwargs,
        )

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        if needs_verification(self.request, user):
            return otp_url_for(user, url)
        return url


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(ACTIVE_COOKIE, samesite="Lax")
        if was_logged_in:
            messages.info(request, _("ログアウトしました。"))
        return response


# --- two-factor ----------------------------------------------------------------------------


def _qr_svg(device) -> str:
    # Inline SVG made on the server: no external request, no script (the CSP forbids both).
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(
        scale=5, border=4, title=_("二要素認証の設定用QRコード"), svgclass="qr-code"
    )


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_setup(request):
    """Enrol an authenticator app: QR code and manual key, then confirm with a code.

    A user who already has a device must verify with it first (otherwise knowing the password
    would be enough to enrol another phone); a verified user may replace their device here.
    """
    user = request.user
    if user_has_device(user) and not user.is_verified():
        return redirect(otp_url_for(user, _next_url(request)))
    form = OTPSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services_auth.totp_device(user, confirmed=False)
        if device is None:
            return redirect(request.get_full_path())
        result = services_auth.otp_setup_confirm(
            user=user, device=device, token=form.cleaned_data["token"]
        )
        if result.ok:
            otp_login(request, result.device)
            request.session[OTP_ENROLLED_SESSION_KEY] = True
            # Backup codes are shown once, on this response, and never stored in the session.
            return render(
                request,
                "agencies/otp_backup_codes.html",
                {
                    "codes": result.backup_codes,
                    "next_url": _next_url(request),
                    "just_enrolled": True,
                },
            )
        form.add_error(
            "token",
            _("失敗が続いたため、しばらく待ってから入力してください。")
            if result.throttled
            else _(
                "確認コードが正しくありません。認証アプリの時刻が合っているか確認してください。"
            ),
        )
    device = services_auth.otp_setup_start(user=user)
    return render(
        request,
        "agencies/otp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": services_auth.otp_secret_b32(device),
            "next_url": _next_url(request),
            "replacing": user.is_verified(),
        },
    )


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request):
    """The second step of login: a code from the app or a backup code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not user_has_device(user):
        request.session[OTP_ENROLLED_SESSION_KEY] = False
        if user.requires_2fa():
            return redirect(otp_url_for(user, next_url))
        return redirect(next_url)
    form = OTPVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services_auth.otp_verify(user=user, token=form.cleaned_data["token"])
        if result.ok:
            otp_login(request, result.device)
            request.session[OTP_ENROLLED_SESSION_KEY] = True
            if services_auth.backup_codes_remaining(user) <= 2:
                messages.warning(
                    request,
                    _(
                        "バックアップコードの残りが少なくなっています。アカウント設定で再発行してください。"
                    ),
                )
            return redirect(next_url)
        form.add_error(
            "token",
            _("失敗が続いたため、しばらく待ってから入力してください。")
            if result.throttled
            else _("確認コードが正しくありません。"),
        )
    return render(request, "agencies/otp_verify.html", {"form": form, "next_url": next_url})


# --- the user's own account ----------------------------------------------------------------


def _security_page(request, *, new_token: str = "", new_token_name: str = "", form=None):
    user = request.user
    return render(
        request,
        "agencies/otp_security.html",
        {
            "device": services_auth.totp_device(user),
            "backup_remaining": services_auth.backup_codes_remaining(user),
            "requires_2fa": user.requires_2fa(),
            "tokens": tokens.api_tokens_of(user),
            "token_form": form or ApiTokenForm(),
            "new_token": new_token,
            "new_token_name": new_token_name,
        },
    )


@never_cache
@login_required
def account_security(request):
    """Two-factor status, backup codes, API token and password change for the user's own account."""
    return _security_page(request)


@never_cache
@require_POST
@login_required
def backup_codes_regenerate(request):
    if not user_has_device(request.user):
        return redirect("account_security")
    codes = services_auth.backup_codes_regenerate(user=request.user, actor=request.user)
    return render(
        request,
        "agencies/otp_backup_codes.html",
        {"codes": codes, "next_url": reverse("account_security"), "just_enrolled": False},
    )


@never_cache
@require_POST
@login_required
def api_token_issue(request):
    """Issue a named token; the others stay valid. The key is shown on this response only; the
    page behind the 2FA middleware is what makes a token of a two-factor user trustworthy (see
    agencies.auth_api)."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _security_page(request, form=form)
    try:
        token, key = tokens.api_token_issue(
            user=request.user,
            actor=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _security_page(request, form=form)
    return _security_page(request, new_token=key, new_token_name=token.name)


@require_POST
@login_required
def api_token_revoke(request, public_id):
    token = get_object_or_404(tokens.ApiToken, public_id=public_id, user=request.user)
    if tokens.api_token_revoke(token=token, actor=request.user):
        messages.success(
            request, _("APIトークン「%(name)s」を無効にしました。") % {"name": token.name}
        )
    return redirect("account_security")


# --- admin actions on another account (buttons in the staff admin pages) --------------------


@require_POST
@login_required
def staff_unlock(request, pk: int):
    staff = get_object_or_404(User, pk=pk)
    services_auth.user_unlock(user=staff, actor=request.user)
    messages.success(
        request, _("%(username)s のログイン制限を解除しました。") % {"username": staff.username}
    )
    return redirect(_next_url(request, reverse("agencies:staff_list")))


@require_POST
@login_required
def staff_otp_reset(request, pk: int):
    staff = get_object_or_404(User, pk=pk)
    services_auth.user_otp_reset(user=staff, actor=request.user)
    messages.success(
        request,
        _("%(username)s の二要素認証をリセットしました。次回ログイン時に再設定が必要です。")
        % {"username": staff.username},
    )
    return redirect(_next_url(request, reverse("agencies:staff_list")))


# --- passwords -----------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services_auth.user_password_changed(user=form.user, actor=self.request.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services_auth.user_password_reset_completed(user=form.user)
        return response

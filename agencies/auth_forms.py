"""Forms for login, two-factor and password reset. Labels and errors in Japanese (gettext)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import services_auth

# One message for every failed login: a wrong password, an unknown login ID and an inactive
# account look the same, so the form never tells whether an account exists.
LOGIN_FAILED = _("ログインIDまたはパスワードが正しくありません。")


class LoginForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("ログインID"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {"invalid_login": LOGIN_FAILED, "inactive": LOGIN_FAILED}


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("確認コード"),
        max_length=32,
        help_text=_("認証アプリに表示されている6桁の数字を入力してください。"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class OTPVerifyForm(OTPTokenForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].help_text = _(
            "認証アプリに表示されている6桁の数字、またはバックアップコードを入力してください。"
        )


class OTPSetupForm(OTPTokenForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs["inputmode"] = "numeric"


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; the mail is written in the recipient's language and audited."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        with translation.override(user.language or "ja"):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
        services_auth.password_reset_mail_sent(user=user)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("名前(用途)"),
        max_length=80,
        help_text=_("例: 統計システム連携。一覧で見分けるための名前です。"),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("有効期限"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("なし")), (30, _("30日")), (90, _("90日")), (365, _("1年"))],
    )

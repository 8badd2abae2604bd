"""Authentication: login, lockout, two-factor, idle expiry, password reset and change."""

import re
import time
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import services_auth
from agencies.choices import Role
from agencies.middleware import ACTIVE_COOKIE
from agencies.policy import PolicyDenied
from agencies.tests.factories import staff
from agencies.tests.utils import issue_token
from agencies.tokens import ApiToken
from audit.models import AuditEvent

PASSWORD = "Correct-Horse-42"
LOGIN_URL = "/accounts/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def normalise(html: str) -> str:
    """Drop the per-response CSRF tokens so two pages can be compared."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def add_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def verified_client(client, user):
    """A client logged in as `user` whose session passed the second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or add_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def supervisor(agency):
    return staff(agency, Role.SUPERVISOR)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- login -------------------------------------------------------------------------------


def test_login_page_has_japanese_labels(client, db):
    response = client.get(LOGIN_URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_username">ログインID' in body
    assert 'for="id_password">パスワード' in body
    assert "パスワードを忘れた場合" in body


def test_caseworker_logs_in_and_sees_dashboard(client, caseworker):
    response = login(client, caseworker.username)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert f"{caseworker.display_name}さんの対応事項" in page.content.decode()
    assert AuditEvent.objects.filter(action="auth.login", actor=caseworker).exists()


def test_wrong_password_and_unknown_login_id_get_the_same_message(client, caseworker):
    wrong = login(client, caseworker.username, "wrong-password-1")
    unknown = login(client, "no-such-user", "wrong-password-1")
    message = "ログインIDまたはパスワードが正しくありません。"
    assert wrong.status_code == unknown.status_code == 200
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_inactive_account_gets_the_generic_message(client, caseworker):
    caseworker.is_active = False
    caseworker.save()
    response = login(client, caseworker.username)
    assert "ログインIDまたはパスワードが正しくありません。" in response.content.decode()
    assert not _logged_in(client)


def test_failed_login_is_audited_without_the_attempted_login_id(client, caseworker):
    login(client, caseworker.username, "wrong-password-1")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert caseworker.username not in f"{event.actor_label}{event.object_repr}{event.object_id}"


def test_logout_is_audited_and_says_so(client, caseworker):
    client.force_login(caseworker)
    response = client.post(reverse("logout"), follow=True)
    assert "ログアウトしました。" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.logout", actor=caseworker).exists()


def test_login_ignores_an_external_next(client, caseworker):
    response = login(client, caseworker.username, next="https://evil.example/")
    assert response["Location"] == "/"


# --- lockout -----------------------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_account(client, caseworker):
    for _ in range(LIMIT - 1):
        assert login(client, caseworker.username, "wrong-password-1").status_code == 200
    locked = login(client, caseworker.username, "wrong-password-1")
    assert locked.status_code == 429
    assert "ログインを一時的に制限しています" in locked.content.decode()
    assert services_auth.user_is_locked(caseworker)


def test_locked_account_cannot_log_in_with_the_right_password(client, caseworker):
    for _ in range(LIMIT):
        login(client, caseworker.username, "wrong-password-1")
    response = login(client, caseworker.username)
    assert response.status_code == 429
    assert not _logged_in(client)
    assert client.get("/").status_code == 302


def test_lockout_page_is_identical_for_an_unknown_login_id(client, caseworker):
    for _ in range(LIMIT):
        real = login(client, caseworker.username, "wrong-password-1")
        fake = login(client, "no-such-user", "wrong-password-1")
    assert real.status_code == fake.status_code == 429
    assert normalise(real.content.decode()) == normalise(fake.content.decode())
    assert caseworker.username not in real.content.decode()


def test_lockout_is_audited_once_and_names_only_real_accounts(client, caseworker):
    for _ in range(LIMIT + 2):
        login(client, caseworker.username, "wrong-password-1")
        login(client, "no-such-user", "wrong-password-1")
    events = AuditEvent.objects.filter(action="auth.lockout")
    assert events.count() == 2
    assert {e.object_repr for e in events} == {caseworker.username, ""}


def test_admin_unlocks_a_locked_account_and_it_is_audited(client, caseworker, admin_user):
    for _ in range(LIMIT):
        login(client, caseworker.username, "wrong-password-1")
    verified_client(client, admin_user)
    response = client.post(reverse("staff_unlock", args=[caseworker.pk]), {"next": "/"})
    assert response.status_code == 302
    assert not services_auth.user_is_locked(caseworker)
    event = AuditEvent.objects.get(action="staff.unlock")
    assert event.actor == admin_user and event.object_repr == caseworker.username
    assert event.basis == "admin"
    client.post(reverse("logout"))
    assert login(client, caseworker.username).status_code == 302
    assert _logged_in(client)


@pytest.mark.parametrize("who", ["self", "colleague", "supervisor", "outsider"])
def test_only_an_admin_may_unlock(client, caseworker, colleague, outsider, supervisor, who):
    actor = {
        "self": caseworker,
        "colleague": colleague,
        "supervisor": supervisor,
        "outsider": outsider,
    }[who]
    with pytest.raises(PolicyDenied):
        services_auth.user_unlock(user=caseworker, actor=actor)
    verified_client(client, actor)
    assert client.post(reverse("staff_unlock", args=[caseworker.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="staff.unlock").exists()


def test_locked_usernames_answers_a_list_in_one_query(
    client, caseworker, colleague, django_assert_num_queries
):
    for _ in range(LIMIT):
        login(client, caseworker.username, "wrong-password-1")
    with django_assert_num_queries(1):
        locked = services_auth.locked_usernames([caseworker.username, colleague.username])
    assert locked == {caseworker.username}


# --- two-factor enforcement ----------------------------------------------------------------


def test_supervisor_without_device_is_forced_to_setup(client, supervisor):
    response = login(client, supervisor.username)
    assert response["Location"].startswith(reverse("otp_setup"))
    dashboard = client.get("/")
    assert dashboard.status_code == 302 and dashboard["Location"].startswith(reverse("otp_setup"))
    assert client.get(reverse("agencies:staff_list")).status_code == 302


def test_unverified_supervisor_gets_a_structured_403_from_the_api(client, supervisor):
    login(client, supervisor.username)
    response = client.get("/api/v1/agencies/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "otp_required"


def test_unverified_supervisor_may_still_reach_exempt_pages(client, supervisor):
    login(client, supervisor.username)
    assert client.get(reverse("otp_setup")).status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.post(reverse("set_language"), {"language": "ja", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert not _logged_in(client)


def test_supervisor_sets_up_totp_then_reaches_dashboard_and_api(client, supervisor):
    login(client, supervisor.username)
    page = client.get(reverse("otp_setup"), {"next": "/"})
    body = page.content.decode()
    assert "<svg" in body and "qr-code" in body
    assert "<script" not in body.split("<main", 1)[1]
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url

    wrong = client.post(reverse("otp_setup"), {"token": "000000", "next": "/"})
    assert "確認コードが正しくありません" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()

    done = client.post(reverse("otp_setup"), {"token": code_for(device), "next": "/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == services_auth.BACKUP_CODE_COUNT
    assert "この画面でしか表示されません" in done.content.decode()
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/agencies/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_setup", actor=supervisor).exists()
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=supervisor).exists()


def test_supervisor_with_device_is_asked_for_a_code_after_password(client, supervisor):
    device = add_device(supervisor)
    response = login(client, supervisor.username)
    assert response["Location"].startswith(reverse("otp_verify"))
    assert client.get("/")["Location"].startswith(reverse("otp_verify"))

    wrong = client.post(reverse("otp_verify"), {"token": "000000", "next": "/"})
    assert "確認コードが正しくありません。" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=supervisor).count() == 1
    device.refresh_from_db()
    device.throttle_reset()

    ok = client.post(reverse("otp_verify"), {"token": code_for(device), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_verify", actor=supervisor).exists()


def test_repeated_wrong_codes_are_throttled(client, supervisor):
    device = add_device(supervisor)
    login(client, supervisor.username)
    client.post(reverse("otp_verify"), {"token": "000000"})
    response = client.post(reverse("otp_verify"), {"token": code_for(device)})
    assert "しばらく待ってから" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_backup_code_works_once(client, supervisor):
    add_device(supervisor)
    codes = services_auth.backup_codes_regenerate(user=supervisor, actor=supervisor)
    login(client, supervisor.username)
    assert client.post(reverse("otp_verify"), {"token": codes[0].upper()})["Location"] == "/"
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.post(reverse("logout"))
    login(client, supervisor.username)
    again = client.post(reverse("otp_verify"), {"token": codes[0]})
    assert again.status_code == 200 and client.get("/").status_code == 302


def test_unverified_user_with_a_device_cannot_enrol_another(client, supervisor):
    add_device(supervisor)
    login(client, supervisor.username)
    response = client.get(reverse("otp_setup"))
    assert response["Location"].startswith(reverse("otp_verify"))
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=False).exists()


def test_verified_user_replaces_their_device(client, supervisor):
    old = add_device(supervisor)
    verified_client(client, supervisor)
    client.get(reverse("otp_setup"))
    new = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    client.post(reverse("otp_setup"), {"token": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=supervisor)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_caseworker_is_not_forced(client, caseworker):
    assert login(client, caseworker.username)["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/agencies/").status_code == 200


def test_caseworker_who_enrolled_is_asked_for_the_code(client, caseworker):
    add_device(caseworker)
    assert login(client, caseworker.username)["Location"].startswith(reverse("otp_verify"))
    assert client.get("/").status_code == 302


@override_settings(REQUIRE_2FA_ALL=True)
def test_require_2fa_all_forces_everyone(client, caseworker):
    assert login(client, caseworker.username)["Location"].startswith(reverse("otp_setup"))
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/agencies/").json()["error"]["code"] == "otp_required"


def test_htmx_request_of_an_unverified_user_gets_hx_redirect(client, supervisor):
    login(client, supervisor.username)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("otp_setup"))


# --- admin reset of two-factor -------------------------------------------------------------


def test_admin_resets_two_factor_and_the_user_must_set_up_again(client, supervisor, admin_user):
    add_device(supervisor)
    services_auth.backup_codes_regenerate(user=supervisor, actor=supervisor)
    issue_token(supervisor)
    services_auth.user_otp_reset(user=supervisor, actor=admin_user)
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert not ApiToken.objects.filter(user=supervisor).active().exists()
    assert AuditEvent.objects.filter(action="staff.otp_reset", actor=admin_user).exists()
    assert login(client, supervisor.username)["Location"].startswith(reverse("otp_setup"))


def test_non_admin_cannot_reset_two_factor(client, supervisor, colleague):
    add_device(supervisor)
    verified_client(client, colleague)
    assert client.post(reverse("staff_otp_reset", args=[supervisor.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=supervisor).exists()


# --- API tokens ----------------------------------------------------------------------------


def test_token_of_a_supervisor_issued_before_two_factor_is_refused(client, supervisor):
    key = issue_token(supervisor)
    response = client.get("/api/v1/agencies/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "otp_required"
    # Enrolling later does not make the old token good: it was not issued after verification.
    add_device(supervisor)
    response = client.get("/api/v1/agencies/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 403


def test_token_issued_from_a_verified_session_works(client, supervisor):
    verified_client(client, supervisor)
    page = client.post(reverse("api_token_issue"), {"name": "連携"})
    key = page.context["new_token"]
    assert AuditEvent.objects.filter(action="api_token.create", actor=supervisor).exists()
    api = client.__class__()
    response = api.get("/api/v1/agencies/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200


def test_unverified_supervisor_cannot_issue_a_token(client, supervisor):
    add_device(supervisor)
    login(client, supervisor.username)
    assert client.post(reverse("api_token_issue")).status_code == 302
    assert not ApiToken.objects.filter(user=supervisor).active().exists()


def test_caseworker_token_works_without_two_factor(client, caseworker):
    key = issue_token(caseworker)
    response = client.get("/api/v1/agencies/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200


def test_account_page_regenerates_backup_codes(client, supervisor):
    verified_client(client, supervisor)
    assert "二要素認証" in client.get(reverse("account_security")).content.decode()
    response = client.post(reverse("otp_backup_codes"))
    assert len(response.context["codes"]) == services_auth.BACKUP_CODE_COUNT
    assert services_auth.backup_codes_remaining(supervisor) == services_auth.BACKUP_CODE_COUNT
    assert AuditEvent.objects.filter(action="auth.backup_codes_create").exists()


# --- idle expiry ---------------------------------------------------------------------------


def test_session_expires_after_inactivity_with_a_notice(client, caseworker):
    login(client, caseworker.username)
    assert client.get("/").status_code == 200
    assert client.cookies[ACTIVE_COOKIE].value == "1"
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
        page = client.get(response["Location"])
    body = page.content.decode()
    assert "一定時間操作がなかったためログアウトしました" in body
    # Shown once: the flag is cleared.
    assert "一定時間操作がなかったため" not in client.get(LOGIN_URL).content.decode()


def test_activity_keeps_the_session_alive(client, caseworker):
    login(client, caseworker.username)
    step = timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with time_machine.travel(timezone.now() + step, tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + 2 * step, tick=False):
        assert client.get("/").status_code == 200


def test_deliberate_logout_shows_no_expiry_notice(client, caseworker):
    login(client, caseworker.username)
    client.post(reverse("logout"))
    assert "一定時間操作がなかったため" not in client.get(LOGIN_URL).content.decode()


def test_expired_htmx_request_redirects_the_whole_page(client, caseworker):
    login(client, caseworker.username)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(LOGIN_URL)


# --- passwords -----------------------------------------------------------------------------


def test_password_reset_mail_is_japanese_and_the_page_the_same_for_unknown(client, caseworker):
    known = client.post(reverse("password_reset"), {"email": caseworker.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.jp"}, follow=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [caseworker.email]
    assert message.subject == "【つなぐ】パスワード再設定のご案内"
    assert "新しいパスワードを設定してください" in message.body
    assert "/accounts/reset/" in message.body
    assert known.redirect_chain == unknown.redirect_chain
    assert normalise(known.content.decode()) == normalise(unknown.content.decode())
    assert "登録されている場合は" in known.content.decode()
    assert AuditEvent.objects.filter(action="auth.password_reset_mail").count() == 1


def test_password_reset_link_sets_a_new_password_and_lifts_the_lockout(client, caseworker):
    for _ in range(LIMIT):
        login(client, caseworker.username, "wrong-password-1")
    client.post(reverse("password_reset"), {"email": caseworker.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "新しいパスワードの設定" in form_page.content.decode()
    url = form_page.redirect_chain[-1][0]
    done = client.post(
        url,
        {"new_password1": "Another-Kettle-77", "new_password2": "Another-Kettle-77"},
        follow=True,
    )
    assert "パスワードを再設定しました" in done.content.decode()
    assert AuditEvent.objects.filter(action="auth.password_reset", actor=caseworker).exists()
    assert login(client, caseworker.username, "Another-Kettle-77").status_code == 302


def test_invalid_reset_link_says_so_in_japanese(client, caseworker):
    response = client.get("/accounts/reset/MQ/bad-token/")
    assert "このリンクは無効です" in response.content.decode()


def test_password_change_validates_and_is_audited(client, caseworker):
    client.force_login(caseworker)
    page = client.get(reverse("password_change"))
    assert "パスワードの変更" in page.content.decode()
    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200 and weak.context["form"].errors
    done = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Kettle-77",
            "new_password2": "Another-Kettle-77",
        },
        follow=True,
    )
    assert "パスワードを変更しました" in done.content.decode()
    assert AuditEvent.objects.filter(action="auth.password_change", actor=caseworker).exists()


# --- demo ----------------------------------------------------------------------------------


def test_demo_supervisor_and_admin_get_the_demo_device_and_demo_otp_prints_the_code(db):
    from agencies import demo

    ctx: dict = {}
    demo.seed(ctx)
    for username in ("kakaricho", "admin"):
        device = TOTPDevice.objects.get(user__username=username)
        assert device.key == services_auth.DEMO_OTP_KEY and device.confirmed
        out = StringIO()
        call_command("demo_otp", username, stdout=out, stderr=StringIO())
        assert out.getvalue().strip() in {
            code_for(device),
            code_for(device, 1),
            code_for(device, -1),
        }
    assert not TOTPDevice.objects.filter(user__username="houkatsu-n1").exists()


def test_demo_otp_refuses_a_real_device(supervisor):
    add_device(supervisor)
    with pytest.raises(CommandError):
        call_command("demo_otp", supervisor.username, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("demo_otp", "no-such-user", stdout=StringIO())


def test_demo_logins_mention_make_otp(db):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "make otp USER=kakaricho" in out.getvalue()


def test_middleware_does_not_look_up_devices_on_every_request(client, caseworker):
    client.force_login(caseworker)
    client.get(reverse("account_security"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("password_change")).status_code == 200
    assert not [q for q in queries.captured_queries if "otp_" in q["sql"]]


def test_caseworker_whose_optional_device_was_reset_is_let_through(client, caseworker, admin_user):
    add_device(caseworker)
    login(client, caseworker.username)
    assert client.get("/").status_code == 302
    services_auth.user_otp_reset(user=caseworker, actor=admin_user)
    assert client.get("/").status_code == 200


def test_lockout_logs_do_not_contain_the_typed_login_id(client, db, caplog):
    with caplog.at_level("INFO", logger="axes"):
        for _ in range(LIMIT):
            login(client, "yamada-taro", "wrong-password-1")
    assert caplog.records
    assert "yamada-taro" not in caplog.text


def test_views_get_the_user_itself_with_its_second_factor(client, supervisor):
    """`request.user` reaches the views unwrapped (no lazy proxy per attribute read), with the
    two-factor fields django-otp sets on it."""
    from agencies.models import User

    verified_client(client, supervisor)
    request = client.get(reverse("dashboard")).wsgi_request
    assert type(request.user) is User and request.user.pk == supervisor.pk
    assert request.user.is_verified() is True
    assert request.user.otp_device is not None


def test_an_unverified_user_is_unwrapped_and_still_unverified(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_setup"))
    assert type(response.wsgi_request.user).__name__ == "User"
    assert response.wsgi_request.user.is_verified() is False


def test_an_anonymous_visitor_stays_anonymous(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated is False

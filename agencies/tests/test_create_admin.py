import io

import pytest
from django.core.management import CommandError, call_command

from agencies.choices import Role
from agencies.models import Agency, Membership, User
from agencies.tests.factories import AgencyFactory
from audit.models import AuditEvent

PASSWORD = "Midori-Admin-2026!"


@pytest.fixture
def admin_password(monkeypatch):
    monkeypatch.setenv("TSUNAGU_ADMIN_PASSWORD", PASSWORD)


@pytest.mark.django_db
def test_create_admin_creates_agency_user_and_admin_membership_with_audit(admin_password):
    call_command(
        "create_admin",
        "--username",
        "sato",
        "--agency-code",
        "fukushi-soudan",
        "--agency-name",
        "福祉相談課",
        "--display-name",
        "佐藤 一郎",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="sato")
    assert user.check_password(PASSWORD)
    assert user.display_name == "佐藤 一郎"
    assert not user.is_superuser
    agency = Agency.objects.get(code="fukushi-soudan")
    assert agency.is_municipal
    assert user.is_tsunagu_admin and user.requires_2fa()
    assert user.roles_at(agency.pk) == {Role.ADMIN}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agency.create", "user.create", "membership.create"} <= actions
    assert not AuditEvent.objects.filter(object_repr__contains="佐藤").exists()


@pytest.mark.django_db
def test_create_admin_is_idempotent_and_promotes_an_existing_user(admin_password):
    agency = AgencyFactory()
    args = ["create_admin", "--username", "admin2", "--agency-code", agency.code]
    call_command(*args, stdout=io.StringIO())
    call_command(*args, "--superuser", stdout=io.StringIO())
    user = User.objects.get(username="admin2")
    assert user.is_superuser and user.is_staff
    assert Membership.objects.filter(user=user, agency=agency, role=Role.ADMIN).count() == 1


@pytest.mark.django_db
def test_create_admin_refuses_unknown_agency_without_a_name(admin_password):
    with pytest.raises(CommandError, match="--agency-name"):
        call_command("create_admin", "--username", "x", "--agency-code", "nowhere")
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_create_admin_rejects_a_weak_password_and_creates_nothing(monkeypatch):
    monkeypatch.setenv("TSUNAGU_ADMIN_PASSWORD", "12345678")
    agency = AgencyFactory()
    with pytest.raises(CommandError):
        call_command("create_admin", "--username", "weak", "--agency-code", agency.code)
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.django_db
def test_create_admin_without_terminal_or_env_says_how_to_pass_the_password(monkeypatch):
    monkeypatch.delenv("TSUNAGU_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    agency = AgencyFactory()
    with pytest.raises(CommandError, match="TSUNAGU_ADMIN_PASSWORD"):
        call_command("create_admin", "--username", "nobody", "--agency-code", agency.code)

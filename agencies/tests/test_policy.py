"""The access policy for agencies and staff: deny by default, and the four kinds of user
(admin, staff of the agency, staff of another agency, resident) get different answers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from agencies import policy, services
from agencies.choices import Role
from agencies.models import Membership
from agencies.policy import Basis, check, known_actions
from agencies.tests.factories import AgencyFactory, MembershipFactory, UserFactory, staff

AGENCY_ACTIONS = [
    a
    for a in known_actions()
    if a.split(".")[0] in {"agency", "area", "staff", "membership", "audit", "settings", "api"}
]


@pytest.fixture
def resident(agency):
    return staff(agency, Role.RESIDENT)


@pytest.fixture
def supervisor(agency):
    return staff(agency, Role.SUPERVISOR)


def test_unknown_action_is_denied_even_for_an_admin(admin_user, caplog):
    decision = check(admin_user, "agency.obliterate", None)
    assert not decision.allowed
    # The 403 page shows reasons; a missing rule is for the log, not the user.
    assert decision.reason == ""
    assert "no rule for agency.obliterate" in caplog.text


@pytest.mark.parametrize("action", AGENCY_ACTIONS)
def test_anonymous_user_is_denied_every_action(db, action, agency):
    assert not check(AnonymousUser(), action, agency).allowed
    assert not check(None, action, agency).allowed


@pytest.mark.parametrize("action", AGENCY_ACTIONS)
def test_inactive_admin_is_denied_every_action(admin_user, action, agency):
    admin_user.is_active = False
    assert not check(admin_user, action, agency).allowed


@pytest.mark.parametrize("action", ["agency.view", "area.view", "staff.list", "membership.list"])
def test_directory_is_open_to_professionals_and_closed_to_residents(
    action, caseworker, outsider, admin_user, resident
):
    assert check(caseworker, action).basis == Basis.STAFF_DIRECTORY
    assert check(outsider, action).allowed
    assert check(admin_user, action).allowed
    assert not check(resident, action).allowed


def test_user_without_current_membership_sees_no_directory(db):
    assert not check(UserFactory(), "agency.view").allowed


@pytest.mark.parametrize(
    "action",
    [
        "agency.create",
        "agency.set_active",
        "agency.import",
        "area.manage",
        "staff.create",
        "staff.import",
        "staff.password_setup",
        "membership.manage",
        "audit.view",
        "audit.export",
        "settings.manage",
    ],
)
def test_admin_only_actions(action, admin_user, caseworker, supervisor, outsider, resident):
    assert check(admin_user, action).basis == Basis.ADMIN
    for user in (caseworker, supervisor, outsider, resident):
        assert not check(user, action).allowed, user


def test_superuser_counts_as_admin(db):
    root = UserFactory(is_superuser=True)
    assert check(root, "audit.view").basis == Basis.ADMIN


def test_staff_view_separates_self_colleague_outsider_admin_and_resident(
    caseworker, colleague, outsider, admin_user, resident
):
    assert check(caseworker, "staff.view", caseworker).basis == Basis.SELF
    assert check(colleague, "staff.view", caseworker).basis == Basis.SAME_AGENCY
    assert check(admin_user, "staff.view", caseworker).basis == Basis.ADMIN
    assert not check(outsider, "staff.view", caseworker).allowed
    # A resident shares the agency but is not a professional.
    assert not check(resident, "staff.view", caseworker).allowed


def test_former_colleague_loses_access_after_an_april_transfer(caseworker, colleague, other_agency):
    membership = Membership.objects.get(user=colleague)
    yesterday = timezone.localdate() - timedelta(days=1)
    membership.end_date = yesterday
    membership.save()
    MembershipFactory(user=colleague, agency=other_agency, start_date=timezone.localdate())
    colleague = type(colleague).objects.get(pk=colleague.pk)  # fresh membership cache
    assert not check(colleague, "staff.view", caseworker).allowed


def test_staff_update_self_or_admin_only(caseworker, colleague, admin_user):
    assert check(caseworker, "staff.update", caseworker).basis == Basis.SELF
    assert check(admin_user, "staff.update", caseworker).basis == Basis.ADMIN
    assert not check(colleague, "staff.update", caseworker).allowed


def test_admin_cannot_deactivate_themselves(admin_user, caseworker):
    assert check(admin_user, "staff.set_active", caseworker).allowed
    decision = check(admin_user, "staff.set_active", admin_user)
    assert not decision.allowed
    assert "自分自身" in decision.reason


def test_agency_update_by_its_supervisor_only(
    agency, other_agency, supervisor, caseworker, admin_user
):
    assert check(supervisor, "agency.update", agency).basis == Basis.AGENCY_SUPERVISOR
    assert not check(supervisor, "agency.update", other_agency).allowed
    assert not check(caseworker, "agency.update", agency).allowed
    assert check(admin_user, "agency.update", other_agency).basis == Basis.ADMIN


def test_agency_history_for_own_agency_and_admin(
    agency, other_agency, caseworker, outsider, admin_user
):
    assert check(caseworker, "agency.view_history", agency).basis == Basis.SAME_AGENCY
    assert not check(outsider, "agency.view_history", agency).allowed
    assert check(admin_user, "agency.view_history", agency).allowed


def test_supervisor_may_change_contact_fields_but_not_the_kind(agency, supervisor):
    services.agency_update(
        actor=supervisor, agency=agency, data={"phone": "03-1111-2222"}, expected_version=1
    )
    agency.refresh_from_db()
    assert agency.phone == "03-1111-2222"
    with pytest.raises(policy.PolicyDenied):
        services.agency_update(
            actor=supervisor, agency=agency, data={"kind": "npo"}, expected_version=agency.version
        )
    agency.refresh_from_db()
    assert agency.kind != "npo"


def test_staff_may_change_own_name_but_not_staff_number(caseworker):
    services.staff_update(
        actor=caseworker, staff=caseworker, data={"kana": "たなか"}, expected_version=1
    )
    with pytest.raises(policy.PolicyDenied):
        services.staff_update(
            actor=caseworker, staff=caseworker, data={"staff_number": "X1"}, expected_version=2
        )


def test_services_refuse_callers_without_policy(caseworker, agency):
    with pytest.raises(policy.PolicyDenied):
        services.agency_create(
            actor=caseworker, data={"code": "x", "name": "x", "kana": "x", "kind": "npo"}
        )
    with pytest.raises(policy.PolicyDenied):
        services.membership_start(
            actor=caseworker, user=caseworker, agency=AgencyFactory(), role=Role.CSW
        )


def test_current_memberships_in_agency_kana_order_newest_first(db):
    """Sorted without an ORDER BY (one query a request): by agency kana, then newest first;
    ended and future memberships left out."""
    from datetime import timedelta

    from django.utils import timezone

    from agencies.models import Membership
    from agencies.tests.factories import AgencyFactory, staff

    today = timezone.localdate()
    ka, a = AgencyFactory(kana="かきくけこ"), AgencyFactory(kana="あいうえお")
    user = staff(ka, Role.CASEWORKER)
    Membership.objects.create(user=user, agency=a, role=Role.CASEWORKER, start_date=today)
    older = Membership.objects.create(
        user=user, agency=a, role=Role.SUPERVISOR, start_date=today - timedelta(days=30)
    )
    Membership.objects.create(
        user=user,
        agency=a,
        role=Role.ADMIN,
        start_date=today - timedelta(days=60),
        end_date=today - timedelta(days=1),
    )
    Membership.objects.create(
        user=user, agency=a, role=Role.ADMIN, start_date=today + timedelta(days=1)
    )
    rows = user.current_memberships()
    assert [(m.agency.kana, m.role) for m in rows] == [
        ("あいうえお", Role.CASEWORKER),
        ("あいうえお", Role.SUPERVISOR),
        ("かきくけこ", Role.CASEWORKER),
    ]
    assert rows[1].pk == older.pk

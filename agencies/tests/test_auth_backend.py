"""The user of every request (agencies.auth_backend): read in one statement with today's
memberships and their agencies, whole and equal to the ORM's read, and nothing else per page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.auth_backend import SessionUserBackend
from agencies.choices import Role
from agencies.models import Membership
from agencies.tests.factories import AgencyFactory, MembershipFactory, staff

pytestmark = pytest.mark.django_db


def _whole(m):
    return [getattr(m, f.attname) for f in Membership._meta.concrete_fields] + [
        getattr(m.agency, f.attname) for f in type(m.agency)._meta.concrete_fields
    ]


def test_the_user_comes_with_todays_memberships_whole(django_assert_num_queries):
    today = timezone.localdate()
    user = staff(
        AgencyFactory(name="北部地域包括支援センター", kana="ほくぶ", programmes=["consultation"])
    )
    MembershipFactory(user=user, agency=AgencyFactory(kana="あおば"), role=Role.SUPERVISOR)
    MembershipFactory(user=user, end_date=today - dt.timedelta(days=1))  # ended: not today's
    with django_assert_num_queries(1):
        read = SessionUserBackend().get_user(user.pk)
        memberships = read.current_memberships()
    expected = sorted(
        Membership.objects.current().filter(user=user).select_related("agency"),
        key=lambda m: (m.agency.kana, -m.start_date.toordinal(), m.pk),
    )
    assert [_whole(m) for m in memberships] == [_whole(m) for m in expected]
    assert [m.agency.kana for m in memberships] == ["あおば", "ほくぶ"]
    assert memberships[1].agency.programmes == ["consultation"] and memberships[0].user is read
    assert read.roles() == {Role.SUPERVISOR, Role.CASEWORKER}
    assert SessionUserBackend().get_user(-1) is None


def test_a_page_reads_memberships_only_with_the_user(client):
    user = staff()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries]
    assert not [sql for sql in statements if sql.startswith('SELECT "agencies_membership"')]
    user_read = next(sql for sql in statements if sql.startswith('SELECT "agencies_user"'))
    assert "agencies_membership" in user_read and "notifications_notification" in user_read

"""A related list read in its parent's statement (agencies.jsonrows): the instances equal the
rows read apart — dates, aware datetimes, NULLs, booleans, related columns, order, a limit."""

import datetime as dt

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from agencies.jsonrows import JSONRows, instances
from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, staff
from notifications.models import Notification

pytestmark = pytest.mark.django_db

NOTIFICATION_FIELDS = ("title", "created_at", "read_at", "level", "recipient__username")
MEMBERSHIP_FIELDS = ("start_date", "end_date", "role", "user__is_active", "user__display_name")


def test_rows_come_back_as_the_instances_read_apart(django_assert_num_queries):
    user = staff(display_name="参加 花子")
    at = timezone.now().replace(microsecond=123456)
    for i in range(3):
        Notification.objects.create(
            recipient=user,
            rule="monitoring_due",
            title=f"通知{i}",
            url="/",
            created_at=at - dt.timedelta(hours=i),
            read_at=at if i == 1 else None,
        )
    rows = JSONRows(
        Notification.objects.filter(recipient=OuterRef("pk")).order_by("created_at"),
        NOTIFICATION_FIELDS,
        limit=2,
    )
    with django_assert_num_queries(1):
        read = type(user).objects.annotate(notes=rows).get(pk=user.pk)
        notes = instances(Notification, NOTIFICATION_FIELDS, read.notes)
    apart = list(Notification.objects.filter(recipient=user).order_by("created_at")[:2])
    fields = ("title", "created_at", "read_at", "level")
    assert [[getattr(n, f) for f in fields] for n in notes] == [
        [getattr(n, f) for f in fields] for n in apart
    ]
    assert notes[0].created_at == at - dt.timedelta(hours=2) and timezone.is_aware(
        notes[0].created_at
    )
    assert notes[0].read_at is None and notes[1].read_at == at
    assert {n.recipient.username for n in notes} == {user.username}


def test_booleans_and_an_empty_list():
    agency = AgencyFactory()
    worker = staff(agency, display_name="在籍 太郎")
    gone = staff(agency, display_name="退職 次郎", is_active=False)
    Membership.objects.filter(user=gone).update(end_date=timezone.localdate())
    rows = JSONRows(
        Membership.objects.filter(agency=OuterRef("pk")).order_by("user__display_name"),
        MEMBERSHIP_FIELDS,
    )
    read = Agency.objects.annotate(staff_rows=rows).get(pk=agency.pk)
    got = instances(Membership, MEMBERSHIP_FIELDS, read.staff_rows)
    assert [(m.user.display_name, m.user.is_active, m.end_date) for m in got] == [
        ("在籍 太郎", True, None),
        ("退職 次郎", False, timezone.localdate()),
    ]
    assert got[0].start_date == Membership.objects.get(user=worker).start_date
    empty = Agency.objects.annotate(staff_rows=rows).get(pk=AgencyFactory().pk)
    assert instances(Membership, MEMBERSHIP_FIELDS, empty.staff_rows) == []


def test_a_json_column_nests_as_json():
    agency = AgencyFactory(programmes=["consultation", "outreach"])
    user = staff(agency)
    rows = JSONRows(Membership.objects.filter(user=OuterRef("pk")), ("agency__programmes", "role"))
    read = type(user).objects.annotate(agency_rows=rows).get(pk=user.pk)
    assert read.agency_rows == [[["consultation", "outreach"], "caseworker"]]


def test_a_null_relation_is_none_and_a_column_not_read_is_deferred():
    from agencies.tests.factories import AreaFactory

    fields = ("id", "name", "area__id", "area__name")
    rows = JSONRows(Agency.objects.filter(pk=OuterRef("pk")), fields)
    for area in (AreaFactory(name="北部圏域"), None):
        agency = AgencyFactory(area=area)
        (got,) = instances(Agency, fields, Agency.objects.annotate(a=rows).get(pk=agency.pk).a)
        assert got.area == area and (got.area is None or got.area.name == "北部圏域")
        assert got.name == agency.name and "kana" in got.get_deferred_fields()
        assert got.kana == agency.kana  # read on access, by its key

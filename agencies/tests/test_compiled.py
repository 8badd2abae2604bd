"""Statements compiled once (agencies.compiled): the same instances as the queryset read each
time, new values on every run, the SQL built once, a placeholder that is not a parameter refused."""

import datetime as dt

import pytest
from django.utils import timezone

from agencies.compiled import CompiledOnce
from agencies.models import Membership
from agencies.tests.factories import AgencyFactory, MembershipFactory, staff

pytestmark = pytest.mark.django_db


def _current(user_id, on):
    return Membership.objects.current(on).filter(user_id=user_id).select_related("agency")


def test_instances_equal_the_querysets_with_new_values_each_run(django_assert_num_queries):
    built = []

    def build(user_id, on):
        built.append(user_id)
        return _current(user_id, on).order_by("pk")

    read = CompiledOnce(build, -1_000_001, dt.date(1900, 1, 2))
    today = timezone.localdate()
    one = staff()
    MembershipFactory(user=one, agency=AgencyFactory(name="二つ目の機関"))
    MembershipFactory(
        user=one, start_date=today - dt.timedelta(days=400), end_date=today - dt.timedelta(days=1)
    )
    other = staff()
    for user in (one, other, one):
        with django_assert_num_queries(1):  # agencies come with their memberships
            got = [
                (m.pk, m.role, m.start_date, m.end_date, m.agency.name, m.agency.kind)
                for m in read.instances(user.pk, today)
            ]
        assert got == [
            (m.pk, m.role, m.start_date, m.end_date, m.agency.name, m.agency.kind)
            for m in _current(user.pk, today).order_by("pk")
        ]
    assert len(read.instances(one.pk, today)) == 2
    assert len(read.instances(one.pk, today - dt.timedelta(days=380))) == 1  # the ended one
    assert built == [-1_000_001]


def test_annotations_come_with_the_instances():
    from notifications.models import Notification
    from notifications.selectors import UNREAD_COUNT_CACHE, with_unread_count

    user = staff()
    for read_at in (None, None, timezone.now()):
        Notification.objects.create(
            recipient=user, rule="monitoring_due", title="t", url="/", read_at=read_at
        )
    read = CompiledOnce(lambda pk: with_unread_count(type(user).objects.filter(pk=pk)), -1_000_003)
    (got,) = read.instances(user.pk)
    assert got == user and getattr(got, UNREAD_COUNT_CACHE) == 2
    assert read.instances(-5) == []


def test_a_placeholder_that_is_not_a_parameter_is_refused():
    read = CompiledOnce(
        lambda pk, on: Membership.objects.filter(pk=pk), -1_000_004, dt.date(1900, 1, 2)
    )
    with pytest.raises(ValueError, match="placeholders"):
        read.instances(1, timezone.localdate())


def test_rows_equal_a_values_list_with_new_values_each_run():
    read = CompiledOnce(
        lambda pk: (
            Membership.objects.filter(user_id=pk)
            .order_by("pk")
            .values_list("role", "agency__name", "start_date")
        ),
        -1_000_005,
    )
    for user in (staff(), staff()):
        expected = list(
            Membership.objects.filter(user=user)
            .order_by("pk")
            .values_list("role", "agency__name", "start_date")
        )
        assert read.rows(user.pk) == expected and len(expected) == 1


def test_primed_rows_answer_the_related_manager_and_their_key(django_assert_num_queries):
    """`prime_related`: rows read apart answer `instance.<name>.all()` and each row's foreign key
    back to the instance, without a query — as a prefetch would; a filter still asks the
    database."""
    from agencies.compiled import prime_related

    user = staff()
    MembershipFactory(user=user, agency=AgencyFactory(name="二つ目の機関"))
    read = CompiledOnce(lambda pk: Membership.objects.filter(user_id=pk).order_by("pk"), -1_000_006)
    rows = read.instances(user.pk)
    prime_related(user, "memberships", rows)
    with django_assert_num_queries(0):
        assert list(user.memberships.all()) == rows and len(rows) == 2
        assert all(m.user is user for m in user.memberships.all())
    with django_assert_num_queries(1):
        assert user.memberships.filter(agency__name="二つ目の機関").count() == 1


def test_a_list_of_keys_is_compiled_once_per_length_and_reads_as_the_queryset(
    django_assert_num_queries,
):
    """`Keys`: a statement filtering by a list of keys is compiled once for each length of list,
    gives what the queryset gives for any list of that length, and an empty list that leaves
    nothing to match reads nothing without a query; an empty list beside another condition
    (an OR) leaves that condition."""
    from django.db.models import Q

    from agencies.compiled import KEY, KEYS
    from agencies.models import Agency

    built = []

    def build(user_id, agency_ids):
        built.append(len(agency_ids))
        return (
            Membership.objects.filter(Q(user_id=user_id) | Q(agency_id__in=agency_ids))
            .select_related("agency")
            .order_by("pk")
        )

    def alone(agency_ids):
        return Membership.objects.filter(agency_id__in=agency_ids).order_by("pk")

    both = CompiledOnce(build, KEY, KEYS)
    only = CompiledOnce(alone, KEYS)
    one, two, three = AgencyFactory(), AgencyFactory(), AgencyFactory()
    first, second, third = staff(one), staff(two), staff(three)
    for user, ids in (
        (first, {two.pk}),
        (second, {one.pk}),
        (first, {two.pk, three.pk}),
        (third, {three.pk, one.pk}),
        (second, set()),
    ):
        expected = list(build(user.pk, list(ids)))
        got = both.instances(user.pk, ids)
        assert got == expected and [m.agency.name for m in got] == [m.agency.name for m in expected]
    assert sorted(set(built)) == [0, 1, 2] and built.count(1) == 3  # the queryset's own calls too
    assert only.instances([one.pk]) == list(alone([one.pk]))
    with django_assert_num_queries(0):
        assert only.instances(set()) == []
    assert not Agency.objects.filter(pk__in=[KEYS.base, KEYS.base - 1]).exists()


def test_lists_of_keys_that_would_meet_are_refused():
    """Two placeholders standing for the same value would mix up their parameters: refused."""
    from agencies.compiled import KEYS, SECOND_KEYS

    read = CompiledOnce(
        lambda first, second: Membership.objects.filter(agency_id__in=first).exclude(
            agency_id__in=second
        ),
        KEYS,
        SECOND_KEYS,
    )
    assert read.instances([1, 2], [3]) == []
    with pytest.raises(ValueError, match="same value"):
        read.instances(range(1, 1002), [3])

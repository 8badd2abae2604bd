"""Role dashboards with charts: each chart has its table; counts only; per role."""

import pytest
import time_machine
from django.urls import reverse

from agencies.dashboard import panels_for
from cases.tests.factories import login_verified
from reports import services
from reports.tests.city import JST

pytestmark = pytest.mark.usefixtures("city_db")


@pytest.fixture(autouse=True)
def _on_as_of_date():
    import datetime as dt

    with time_machine.travel(dt.datetime(2027, 2, 28, 12, tzinfo=JST), tick=False):
        yield


def _panel(user, key):
    return next((p for p in panels_for(user) if p.key == key), None)


def test_coordinator_sees_caseload_charts_with_tables(city_db):
    p = _panel(city_db.coordinator, "caseload")
    assert p is not None and p.count == 2  # c00 and c3 are open
    assert p.body.count("<svg") == 2 and p.body.count("<table") == 2
    assert "表で見る" in p.body and "受付" in p.body
    assert _panel(city_db.worker, "caseload") is None


def test_caseload_counts_the_coordinators_cases_past_their_monitoring_date(city_db):
    """Counted a second way, by the database, over the same cases."""
    import datetime as dt

    from cases.models import SupportCase

    mine = SupportCase.objects.filter(coordinator=city_db.coordinator).open()
    today = dt.date(2027, 2, 28)
    SupportCase.objects.filter(pk=mine.order_by("pk").first().pk).update(
        next_monitoring_on=today - dt.timedelta(days=1)
    )
    badges = {i.label: i.badge for i in _panel(city_db.coordinator, "caseload").items}
    expected = mine.filter(next_monitoring_on__lt=today).count()
    assert expected == 1
    assert badges["モニタリング予定日を過ぎた担当ケース"] == str(expected)


def test_supervisor_sees_monthly_and_route_charts(city_db):
    p = _panel(city_db.supervisor, "supervisor_figures")
    assert p is not None and p.body.count("<svg") == 3
    assert "4月" in p.body and "2月" in p.body
    badges = {i.label: i.badge for i in p.items}
    assert badges["つなぎもどしの割合"] == "33.3%" and badges["会議の開催"] == "2回"
    assert _panel(city_db.coordinator, "supervisor_figures") is None


def test_admin_sees_year_to_date_against_targets_without_persons(client, city_db):
    from decimal import Decimal

    services.target_set(
        actor=city_db.admin,
        fiscal_year=2026,
        figure_code="consultation.contacts",
        kind="quantitative",
        value=Decimal(10),
    )
    p = _panel(city_db.admin, "targets")
    assert p.count == 1 and "<svg" in p.body and "相談受付(延べ件数)" in p.body
    login_verified(client, city_db.admin)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-chart="targets"' in html
    assert "青木" not in html and "土屋" not in html


def test_dashboard_page_renders_charts_for_the_supervisor(
    client, city_db, django_assert_max_num_queries
):
    login_verified(client, city_db.supervisor)
    with django_assert_max_num_queries(80):
        page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-chart="monthly-consultations"' in html and "<details" in html


def test_supervisor_figures_are_cached_citywide_and_survive_a_dead_cache(
    city_db, settings, django_assert_max_num_queries
):
    from unittest import mock

    from django.core.cache import cache

    from reports.panels import supervisor_overview

    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    first = supervisor_overview(city_db.supervisor)
    with django_assert_max_num_queries(3):  # role and permission checks only
        again = supervisor_overview(city_db.supervisor)
    assert again.body == first.body and "4月" in again.body
    with mock.patch.object(cache, "get", side_effect=ConnectionError("redis down")):
        down = supervisor_overview(city_db.supervisor)
    assert down.body == first.body
    cache.clear()


def test_turnaround_is_counted_by_the_database_as_by_local_dates_in_python(city_db):
    """The coordinator's 平均日数 (and the annual figure) is summed in SQL over local dates; the
    same mean as reading every pair and taking each one's date in Asia/Tokyo, including a
    つなぐシート sent at 23:50 and answered at 00:10 (one day, though 20 minutes)."""
    import datetime as dt

    from cases.models import Referral
    from reports.figures.registry import local_date, mean_days, mean_local_days

    late = Referral.objects.filter(answered_at__isnull=False).order_by("pk").first()
    late.sent_at = dt.datetime(2027, 1, 5, 23, 50, tzinfo=JST)
    late.answered_at = dt.datetime(2027, 1, 6, 0, 10, tzinfo=JST)
    late.save(update_fields=["sent_at", "answered_at"])
    answered = Referral.objects.filter(answered_at__isnull=False, sent_at__isnull=False)
    by_python = mean_days(
        (local_date(a), local_date(b)) for a, b in answered.values_list("sent_at", "answered_at")
    )
    assert by_python is not None
    assert mean_local_days(answered, "sent_at", "answered_at") == by_python
    assert mean_local_days(answered.filter(pk=late.pk), "sent_at", "answered_at") == 1
    assert mean_local_days(answered.none(), "sent_at", "answered_at") is None
    badges = {i.label: i.badge for i in _panel(city_db.coordinator, "caseload").items}
    mine = answered.filter(
        to_agency_id__in=city_db.coordinator.agency_ids(),
        answered_at__gte=dt.datetime(2026, 4, 1, tzinfo=JST),
    )
    expected = mean_days(
        (local_date(a), local_date(b)) for a, b in mine.values_list("sent_at", "answered_at")
    )
    assert badges["つなぐシートの回答までの平均日数(今年度)"] == f"{expected}日"

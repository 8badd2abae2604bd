"""Drill-down: a figure and the records it counted always agree; the rows are narrowed to what
the viewer may see; an admin sees counts only."""

import re

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.tests.factories import login_verified
from reports import figures
from reports.drilldown import drilldown
from reports.figures import Period
from reports.tests.city import AS_OF, FY

pytestmark = pytest.mark.usefixtures("city_db")
PERIOD = Period.of(FY, AS_OF)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_every_count_figure_agrees_with_its_records(city_db):
    for figure in figures.all_figures():
        result = drilldown(figure, PERIOD, city_db.coordinator)
        if figure.is_count:
            assert result.total == figure.value(PERIOD), figure.code
        assert result.visible <= result.total
        assert len(result.rows) == min(result.visible, 200)
        # Dated rows read in the one date style (令和…), never 2026-11-26.
        assert not any(ISO_DATE.search(label) for label, _url in result.rows), figure.code


def test_rows_follow_the_viewers_access(city_db):
    contacts = figures.get("consultation.contacts")
    assert drilldown(contacts, PERIOD, city_db.worker).visible == 6  # the 包括's consultations
    assert drilldown(contacts, PERIOD, city_db.csw).visible == 2  # the 社協's
    outsider = staff(AgencyFactory(), Role.CASEWORKER)
    result = drilldown(contacts, PERIOD, outsider)
    assert result.total == 9 and result.visible == 0 and result.rows == []
    cases = figures.get("case.accepted")
    assert drilldown(cases, PERIOD, city_db.coordinator).visible == 3


def test_admin_sees_counts_not_persons(client, city_db):
    persons = figures.get("consultation.new.persons")
    result = drilldown(persons, PERIOD, city_db.admin)
    assert result.counts_only and result.total == 5 and result.rows == []
    login_verified(client, city_db.admin)
    page = client.get(
        reverse("reports:figure_detail", args=["consultation.new.persons"]),
        {"fy": 2026, "as_of": "2027-02-28"},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "青木" not in html and "土屋" not in html
    assert 'data-testid="records-total">5<' in html


def test_page_lists_visible_records_and_audits_them(client, city_db):
    client.force_login(city_db.worker)
    page = client.get(
        reverse("reports:figure_detail", args=["consultation.new.persons"]),
        {"fy": 2026, "as_of": "2027-02-28"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="figure-value">5<' in html and "青木 一郎" in html
    assert "土屋" not in html  # the 社協's person: not the worker's to see
    assert AuditEvent.objects.filter(action="report.drilldown", actor=city_db.worker).exists()


def test_unknown_figure_is_404_and_bad_dates_400(client, city_db):
    client.force_login(city_db.worker)
    assert client.get(reverse("reports:figure_detail", args=["no.such"])).status_code == 404
    r = client.get(
        reverse("reports:figure_detail", args=["case.accepted"]), {"fy": "2026", "as_of": "x"}
    )
    assert r.status_code == 400


def test_residents_cannot_drill_down(client, city_db):
    client.force_login(city_db.resident)
    r = client.get(reverse("reports:figure_detail", args=["case.accepted"]))
    assert r.status_code == 403


def test_programme_records_follow_each_apps_access(city_db):
    c = city_db
    outsider = staff(AgencyFactory(), Role.CASEWORKER)
    targets = figures.get("outreach.targets.new")
    assert drilldown(targets, PERIOD, c.ow).visible == 3  # the outreach agency's own targets
    assert drilldown(targets, PERIOD, c.worker).visible == 0
    visits = figures.get("outreach.visits")
    result = drilldown(visits, PERIOD, c.ow2)
    assert result.visible == 5 and all(url.startswith("/outreach/") for _label, url in result.rows)
    placements = figures.get("participation.placements")
    assert drilldown(placements, PERIOD, c.coordinator).visible == 2  # the cases' coordinator
    assert drilldown(placements, PERIOD, outsider).visible == 0
    volunteers = figures.get("community.volunteers.active")
    assert drilldown(volunteers, PERIOD, c.csw).visible == 2
    assert drilldown(volunteers, PERIOD, c.worker).visible == 0  # names of volunteers: not his
    sessions = figures.get("community.participants")
    assert drilldown(sessions, PERIOD, outsider).visible == 2  # tallies: no personal data
    admin = drilldown(figures.get("outreach.targets.contacted"), PERIOD, c.admin)
    assert admin.counts_only and admin.total == 3 and admin.rows == []

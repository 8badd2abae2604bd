"""Targets, the municipality profile and narrative fields: admin only, audited, in the report."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.policy import PolicyDenied
from audit.models import AuditEvent
from cases.tests.factories import login_verified
from reports import services
from reports.build import build_annual_report, report_json
from reports.outputs import to_pdf
from reports.tests.city import AS_OF, FY

pytestmark = pytest.mark.usefixtures("city_db")


def test_report_shows_target_actual_and_rate(city_db):
    services.target_set(
        actor=city_db.admin,
        fiscal_year=FY,
        figure_code="consultation.new.households",
        kind="quantitative",
        value=Decimal("20"),
    )
    services.target_set(
        actor=city_db.admin,
        fiscal_year=FY,
        figure_code="meeting.held",
        kind="qualitative",
        text="毎月開催し、顔の見える関係をつくる",
    )
    data = {f["code"]: f for f in report_json(build_annual_report(FY, AS_OF))["figures"]}
    assert data["consultation.new.households"]["target"] == 20.0
    assert data["consultation.new.households"]["rate"] == 30.0  # 6 / 20
    assert data["meeting.held"]["target"] is None
    assert data["meeting.held"]["target_text"].startswith("毎月開催")
    assert AuditEvent.objects.filter(action="target.create").count() == 2


def test_target_validation_in_japanese(city_db):
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            actor=city_db.admin, fiscal_year=FY, figure_code="nope", kind="quantitative"
        )
    assert "figure_code" in exc.value.message_dict and "value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            actor=city_db.admin, fiscal_year=FY, figure_code="meeting.held", kind="qualitative"
        )
    assert "text" in exc.value.message_dict


@pytest.mark.parametrize("who", ["supervisor", "coordinator", "worker"])
def test_only_admins_set_targets(city_db, who):
    with pytest.raises(PolicyDenied):
        services.target_set(
            actor=getattr(city_db, who),
            fiscal_year=FY,
            figure_code="meeting.held",
            kind="quantitative",
            value=Decimal(12),
        )


def test_admin_pages_save_profile_narrative_and_targets(client, city_db):
    login_verified(client, city_db.admin)
    r = client.post(
        reverse("reports:profile") + "?fy=2026",
        {"population": "98765", "households": "45678", "aging_rate": "31.25", "features": "港町"},
    )
    assert r.status_code == 302
    r = client.post(reverse("reports:narrative") + "?fy=2026", {"aim": "断らない相談"})
    assert r.status_code == 302
    r = client.post(
        reverse("reports:targets") + "?fy=2026",
        {"fy": "2026", "figure_code": "case.accepted", "kind": "quantitative", "value": "10"},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("reports:targets") + "?fy=2026",
        {"fy": "2026", "figure_code": "case.accepted", "kind": "quantitative", "value": ""},
    )
    assert r.status_code == 400 and "量的目標には目標値" in r.content.decode()
    report = build_annual_report(FY, AS_OF)
    assert report.profile.population == 98765 and report.narrative.aim == "断らない相談"
    assert report.row("case.accepted").rate == Decimal("30.0")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(to_pdf(report))).pages)
    assert "98765" in text and "断らない相談" in text


@pytest.mark.parametrize("name", ["targets", "profile", "narrative"])
def test_configuration_pages_refused_to_supervisors(client, city_db, name):
    login_verified(client, city_db.supervisor)
    assert client.get(reverse(f"reports:{name}")).status_code == 403


def test_targets_api_for_admins(client, city_db, openapi_schema):
    login_verified(client, city_db.admin)
    url = reverse("api-report-targets")
    r = client.post(
        url,
        {"fiscal_year": 2026, "figure_code": "case.accepted", "kind": "quantitative", "value": 12},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["value"] == 12.0
    r = client.post(
        url,
        {"fiscal_year": 2026, "figure_code": "case.accepted", "kind": "qualitative"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "text" in r.json()["error"]["fields"]
    r = client.get(url, {"fy": 2026})
    assert [t["figure_code"] for t in r.json()] == ["case.accepted"]
    assert client.get(url, {"fy": "x"}).status_code == 400
    assert "/api/v1/reports/targets/" in openapi_schema.schema["paths"]


def test_targets_api_refuses_supervisors(client, city_db):
    login_verified(client, city_db.supervisor)
    assert client.get(reverse("api-report-targets"), {"fy": 2026}).status_code == 403

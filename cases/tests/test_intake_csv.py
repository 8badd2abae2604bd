"""CSV export of the consultation list: BOM, formulas neutralised, filters, scope, audit."""

import csv
import io

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.tests.factories import ConsultationFactory


@pytest.fixture
def setup(db):
    agency = AgencyFactory()
    owner = staff(agency, Role.CASEWORKER)
    outsider = staff(AgencyFactory(), Role.CASEWORKER)
    return agency, owner, outsider


def _rows(response):
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_has_bom_header_and_neutralised_cells(client, setup):
    agency, owner, _outsider = setup
    ConsultationFactory(
        agency=agency,
        staff=owner,
        summary='=HYPERLINK("http://x")',
        consulter_note="+81",
        response="@SUM(A1)",
        categories=["8050", "kaigo"],
    )
    ConsultationFactory(agency=agency, staff=owner, summary="-1+1", categories=["kakei"])
    client.force_login(owner)
    response = client.get(reverse("cases:consultation_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][0] == "受付ID" and "課題の分類" in rows[0]
    cells = [c for row in rows[1:] for c in row]
    assert (
        '\'=HYPERLINK("http://x")' in cells
        and "'+81" in cells
        and "'@SUM(A1)" in cells
        and "'-1+1" in cells
    )
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "8050・介護" in cells
    assert b"\r\n" in response.content


def test_export_follows_filters_and_scope(client, setup):
    agency, owner, outsider = setup
    ConsultationFactory(agency=agency, staff=owner, route="phone")
    ConsultationFactory(agency=agency, staff=owner, route="raisho")
    client.force_login(owner)
    assert len(_rows(client.get(reverse("cases:consultation_export"), {"route": "phone"}))) == 2
    client.force_login(outsider)
    assert len(_rows(client.get(reverse("cases:consultation_export")))) == 1  # header only


def test_export_is_audited_and_forbidden_to_residents(client, setup):
    agency, owner, _outsider = setup
    ConsultationFactory(agency=agency, staff=owner)
    client.force_login(owner)
    client.get(reverse("cases:consultation_export"))
    event = AuditEvent.objects.get(action="consultation.export")
    assert event.actor == owner and event.object_id == "1 rows"
    client.force_login(staff(agency, Role.RESIDENT))
    assert client.get(reverse("cases:consultation_export")).status_code == 403


def test_list_links_to_export_with_filters(client, setup):
    agency, owner, _outsider = setup
    client.force_login(owner)
    response = client.get(reverse("cases:consultation_list"), {"route": "phone", "page": "1"})
    export = reverse("cases:consultation_export")
    assert response.context["export_url"] == export
    html = response.content.decode()
    assert f'href="{export}?route=phone&amp;fmt=csv"' in html
    assert f'href="{export}?route=phone&amp;fmt=xlsx"' in html

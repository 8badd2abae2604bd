"""The annual report's outputs against the fixture city: XLSX equals the JSON, CSV keeps
Japanese (UTF-8 with BOM), the PDF is A4; the command, the API and the pages; permissions."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cases.tests.factories import login_verified
from reports.build import build_annual_report, report_json
from reports.outputs import to_csv, to_pdf, to_xlsx
from reports.tests.city import AS_OF, FY

pytestmark = pytest.mark.usefixtures("city_db")


@pytest.fixture
def report():
    return build_annual_report(FY, AS_OF)


def test_json_has_the_interface_shape(report):
    data = report_json(report)
    assert data["fiscal_year"] == 2026 and data["as_of"] == "2027-02-28"
    first = data["figures"][0]
    assert {"code", "label", "basis", "value", "target"} <= set(first)
    by_code = {f["code"]: f for f in data["figures"]}
    assert by_code["consultation.new.households"]["value"] == 6
    assert by_code["consultation.new.households"]["basis_label"] == "実数・世帯"


def test_xlsx_numbers_equal_the_json(report):
    wb = load_workbook(io.BytesIO(to_xlsx(report)))
    data = {f["label"]: f for f in report_json(report)["figures"] if not f["group"]}
    assert wb.sheetnames[0] == "概要" and "多機関協働事業" in wb.sheetnames
    seen = 0
    for ws in [w for w in wb.worksheets[1:] if not w.title.startswith("表")]:
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws["E2"].value == "庁内限り"
        for row in ws.iter_rows(min_row=5, values_only=True):
            label, _child, _basis, value = row[:4]
            if label in data:
                assert value == data[label]["value"], label
                assert value is None or isinstance(value, int | float)
                seen += 1
    assert seen == len(data)


def test_csv_is_utf8_with_bom_and_keeps_japanese(report):
    raw = to_csv(report)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "新規相談(世帯)" in text and "実数・世帯" in text and "庁内限り" in text
    assert "\r\n" in text


def test_pdf_is_a4_and_marked_internal(report):
    pdf = PdfReader(io.BytesIO(to_pdf(report)))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210,
        297,
    )
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "庁内限り" in text and "成果目標の達成状況" in text


def test_public_version_hides_small_counts_of_people(report):
    text = to_csv(report, public=True).decode("utf-8-sig")
    line = next(ln for ln in text.splitlines() if ",case.accepted.persons," in ln)
    assert ",*," in line  # 4 persons < 5
    contacts = next(ln for ln in text.splitlines() if ",consultation.contacts," in ln)
    assert ",9," in contacts  # events, not people: published


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "pdf"])
def test_command_writes_each_format(tmp_path, fmt):
    out = tmp_path / f"r.{fmt}"
    call_command("annual_report", fy=2026, as_of="2027-02-28", format=fmt, output=str(out))
    data = out.read_bytes()
    assert data
    if fmt == "json":
        assert json.loads(data)["fiscal_year"] == 2026


def test_api_answers_admin_with_counts(client, city_db):
    login_verified(client, city_db.admin)
    response = client.get(reverse("api-report-annual"), {"fy": 2026, "as_of": "2027-02-28"})
    assert response.status_code == 200
    body = response.json()
    assert body["fiscal_year"] == 2026 and body["as_of"] == "2027-02-28"
    values = {f["code"]: f["value"] for f in body["figures"]}
    assert values["case.accepted"] == 3
    assert values["outreach.visits.staff"] == 7 and values["participation.placed"] == 2
    assert values["community.participants"] == 27 and values["participation.activity_hours"] == 12.5
    programmes = {f["programme"] for f in body["figures"]}
    assert programmes == {"consultation", "multiagency", "outreach", "participation", "community"}
    assert "青木" not in response.content.decode()


def test_api_bad_input_is_a_structured_400(client, city_db):
    login_verified(client, city_db.admin)
    response = client.get(reverse("api-report-annual"), {"fy": "x"})
    assert response.status_code == 400
    assert "fy" in response.json()["error"]["fields"]
    response = client.get(reverse("api-report-annual"), {"fy": 2026, "as_of": "2026-01-01"})
    assert response.status_code == 400 and "as_of" in response.json()["error"]["fields"]


def test_api_refuses_caseworkers(client, city_db):
    client.force_login(city_db.worker)
    response = client.get(reverse("api-report-annual"), {"fy": 2026})
    assert response.status_code == 403


def test_api_in_schema_without_warnings(openapi_schema):
    op = openapi_schema.schema["paths"]["/api/v1/reports/annual/"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"fy", "as_of"}
    assert set(op["responses"]) >= {"200", "400", "403"}
    assert not openapi_schema.issues_in("reports/")


def test_report_page_and_download_for_supervisor(client, city_db):
    login_verified(client, city_db.supervisor)
    page = client.get(reverse("reports:index"), {"fy": 2026, "as_of": "2027-02-28"})
    assert page.status_code == 200
    assert "新規相談(世帯)" in page.content.decode()
    xlsx = client.get(
        reverse("reports:download"), {"fy": 2026, "as_of": "2027-02-28", "format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="report.export", actor=city_db.supervisor).exists()


@pytest.mark.parametrize("who", ["worker", "csw", "resident"])
def test_report_page_refused_without_role(client, city_db, who):
    client.force_login(getattr(city_db, who))
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("reports:download"), {"fy": 2026, "format": "csv"}).status_code == 403


def test_download_bad_input_is_400_not_500(client, city_db):
    login_verified(client, city_db.admin)
    r = client.get(reverse("reports:download"), {"fy": "abc", "format": "exe"})
    assert r.status_code == 400


def test_definitions_page_readable_by_staff(client, city_db):
    client.force_login(city_db.worker)
    page = client.get(reverse("reports:definitions"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "consultation.new.households" in html and "名寄せ" in html
    for code in ("outreach.visits.staff", "participation.placed", "community.participants"):
        assert code in html, code
    assert "延べ訪問人数" in html and "協力事業者数" in html and "集計表" in html
    client.force_login(city_db.resident)
    assert client.get(reverse("reports:definitions")).status_code == 403


def test_people_table_total_equals_the_figure_and_public_copy_is_protected(report):
    from reports.tests.test_suppression import assert_protected

    table = report.tables[0]
    assert table.bordered[-1][-1] == report.row("consultation.new.persons").value == 5
    internal = load_workbook(io.BytesIO(to_xlsx(report)))["表1"]
    public = load_workbook(io.BytesIO(to_xlsx(report, public=True)))["表1"]
    assert internal["D2"].value == "庁内限り"
    last_row = 5 + len(table.row_labels)  # the totals row
    assert internal.cell(row=last_row, column=2 + len(table.col_labels)).value == 5
    published = [
        [c for c in row[1:]]
        for row in public.iter_rows(min_row=5, max_row=last_row, values_only=True)
    ]
    for prow, brow in zip(published, table.bordered, strict=True):
        for shown, real in zip(prow, brow, strict=False):
            assert shown == "*" if 0 < real < 5 else shown == real
    assert_protected(table)


@pytest.mark.parametrize("public", [False, True])
def test_a_year_without_records_still_writes_every_format(public):
    empty = build_annual_report(2030, None)
    assert empty.tables[0].bordered[-1][-1] == 0
    assert load_workbook(io.BytesIO(to_xlsx(empty, public=public)))["表1"]
    assert to_csv(empty, public=public) and to_pdf(empty, public=public)


def test_report_page_costs_the_same_whatever_the_data(
    client, city_db, django_assert_max_num_queries
):
    """One query per figure (about 100), however many records: a guard against N+1."""
    from reports import figures

    login_verified(client, city_db.admin)
    with django_assert_max_num_queries(len(figures.all_figures()) + 30):
        page = client.get(reverse("reports:index"), {"fy": 2026, "as_of": "2027-02-28"})
    assert page.status_code == 200


def test_schema_enums_cover_every_basis_and_unit(openapi_schema):
    from reports import figures

    fields = openapi_schema.schema["components"]["schemas"]
    units = next(v["enum"] for k, v in fields.items() if k.startswith("Unit") and "enum" in v)
    assert {f.unit for f in figures.all_figures()} <= set(units)


def test_pdf_follows_the_national_form_sections(report):
    """Section 3 holds 包括的相談支援・アウトリーチ・参加支援・地域づくり, section 4 多機関協働."""
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(report))).pages)
    flat = "".join(text.split())
    section_3 = flat.index("3.包括的相談支援・アウトリーチ・参加支援・地域づくりについて")
    section_4 = flat.index("4.多機関協働事業について")
    for label in ("アウトリーチ等を通じた継続的支援事業", "参加支援事業", "地域づくり事業"):
        assert section_3 < flat.index(label) < section_4, label
    assert flat.index("延べ訪問人数(職員)") < section_4
    assert flat.index("つなぐシート(多機関協働への連絡)") > section_4


def test_places_table_by_area_and_kind_is_published_as_is(report):
    """拠点・居場所 by 圏域 and kind: its total is the figure, and places are not people, so the
    public copy keeps the small counts."""
    table = report.tables[1]
    assert table.bordered[-1][-1] == report.row("community.places").value == 2
    assert table.col_labels == ["常設サロン", "地域食堂・子ども食堂"]
    public = load_workbook(io.BytesIO(to_xlsx(report, public=True)))["表2"]
    values = [c for row in public.iter_rows(min_row=5, values_only=True) for c in row[1:] if c]
    assert "*" not in values and values[-1] == 2
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(report))).pages)
    flat = "".join(text.split())
    assert flat.index("拠点・居場所の数(圏域別・種類別)") > flat.index("地域づくり事業")

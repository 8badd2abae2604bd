"""The shared exporter: CSV with BOM and XLSX, formula-safe (full-width too), numbers and dates."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from agencies import csvio, tabular

DANGEROUS = [
    "=1+1",
    "+81",
    "-1+2",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "\nLF",
    '＝HYPERLINK("http://x")',
    "＋1",
    "－1",
    "＠A1",
    "﹦1",
    "−1",
    "  =1+1",
    "\u3000＝1",
]
SAFE = ["山田 太郎", "090-1234-5678", "a=b", "R8.11.26", "'quoted", ""]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_gets_an_apostrophe(text):
    assert tabular.looks_like_formula(text)
    assert tabular.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_ordinary_text_is_left_alone(text):
    assert not tabular.looks_like_formula(text)
    assert tabular.neutralise(text) == text


def test_numbers_stay_numbers_and_dates_use_the_file_style():
    aware = dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC)
    assert tabular.neutralise(-5) == -5
    assert tabular.neutralise(Decimal("1.5")) == Decimal("1.5")
    assert tabular.neutralise(True) == 1
    assert tabular.neutralise(None) == ""
    assert tabular.neutralise(dt.date(2026, 11, 26)) == "2026-11-26"
    # Times are shown in Asia/Tokyo, never UTC.
    assert tabular.neutralise(aware) == "2026-11-26 09:30"


@given(st.text(max_size=20))
def test_no_text_reaches_a_spreadsheet_as_a_formula(text):
    cell = tabular.neutralise(text)
    assert cell == text or cell == "'" + text
    if cell != text:
        assert tabular.needs_apostrophe(text)
    # The reader undoes the apostrophe: an export imports back unchanged.
    assert csvio._clean(cell) == text.strip(" \t\u3000") or tabular.looks_like_formula(text)


def test_text_starting_with_an_apostrophe_imports_back_unchanged():
    for text in ("'=1", "'@SUM(A1)", "'＝x"):
        cell = tabular.neutralise(text)
        assert cell == "'" + text
        assert csvio._clean(cell) == text
    assert tabular.neutralise("'abc") == "'abc"


def _csv_lines(response) -> list[str]:
    return response.content.decode("utf-8-sig").split("\r\n")


def test_csv_export_neutralises_full_width_formula_characters():
    response = tabular.tabular_response(
        "csv", "一覧", ["名前", "件数"], [['＝HYPERLINK("x")', 3], ["＠A1", -2]]
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = _csv_lines(response)
    assert lines[1] == '"\'＝HYPERLINK(""x"")",3'
    assert lines[2] == "'＠A1,-2"


def test_csv_export_round_trips_through_the_reader():
    rows = [["=1+1", "山田"], ["＋81", "－"]]
    response = tabular.csv_response("x.csv", ["a", "b"], rows)
    table = csvio.read_csv_upload(io.BytesIO(response.content), ["a", "b"])
    assert [[r["a"], r["b"]] for r in table] == [["=1+1", "山田"], ["＋81", "－"]]


def _xlsx(response):
    assert response["Content-Type"] == tabular.XLSX_CONTENT_TYPE
    assert response["Cache-Control"] == "no-store"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_xlsx_keeps_numbers_dates_and_never_writes_a_formula():
    when = dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC)
    response = tabular.tabular_response(
        "xlsx",
        "相談受付一覧_20261126",
        ["受付日", "受付日時", "件数", "内容", "全角"],
        [
            [dt.date(2026, 11, 26), when, 12, "=cmd|'/c calc'!A1", "＝1+1"],
            [None, None, 0.5, "\x01ok", "普通"],
        ],
        sheet_title="相談受付",
    )
    assert "%E7%9B%B8%E8%AB%87" in response["Content-Disposition"]  # 相談 (UTF-8 file name)
    book = _xlsx(response)
    sheet = book["相談受付"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("受付日", "受付日時", "件数", "内容", "全角")
    first = rows[1]
    assert first[0] == dt.datetime(2026, 11, 26)  # a real date cell
    assert first[1] == dt.datetime(2026, 11, 26, 9, 30)  # Asia/Tokyo
    assert first[2] == 12 and isinstance(first[2], int)
    assert first[3] == "'=cmd|'/c calc'!A1"
    assert first[4] == "'＝1+1"
    assert rows[2][2] == 0.5
    assert rows[2][3] == "ok"  # control characters XML cannot hold are dropped
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert sheet["A2"].number_format == tabular.XLSX_DATE_FORMAT
    assert sheet["B2"].number_format == tabular.XLSX_DATETIME_FORMAT


def test_xlsx_sheet_titles_are_made_valid():
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, [("a/b:c" * 10, ["x"], [[1]])])
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == [("a_b_c" * 10)[:31]]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        tabular.tabular_response("ods", "x", ["a"], [])


def test_local_time_zone_is_tokyo(settings):
    assert ZoneInfo(settings.TIME_ZONE) == ZoneInfo("Asia/Tokyo")

"""Rows for the place register export, and the response (through the shared tabular exporter
when present: agencies.tabular; otherwise CSV through agencies.csvio)."""

from django.utils.translation import gettext as _

PLACE_HEADER = [
    "公開ID",
    "名称",
    "ふりがな",
    "種類",
    "拠点・居場所",
    "状態",
    "運営者",
    "運営主体",
    "住民主体",
    "圏域",
    "小地域",
    "所在地",
    "開催頻度",
    "曜日・時間",
    "定員",
    "対象",
    "多世代・多属性",
    "機能",
    "担い手として参加可",
    "社会福祉法人の関わり",
    "財源",
    "開始日",
    "今年度の開催回数",
    "今年度の参加者数(延べ)",
    "最終開催日",
]


def place_rows(qs) -> tuple[list[str], list[list]]:
    rows = []
    for r in qs:
        rows.append(
            [
                str(r.public_id),
                r.name,
                r.kana,
                r.get_kind_display(),
                1 if r.is_place else 0,
                r.get_status_display(),
                r.operator_name,
                r.get_operator_kind_display(),
                1 if r.resident_run else 0,
                r.area.name if r.area_id else "",
                r.small_area.name if r.small_area_id else "",
                r.address,
                r.get_schedule_display(),
                r.schedule_note,
                r.capacity,
                "・".join(r.target_group_labels),
                1 if r.mixes_generations else 0,
                "・".join(r.function_labels),
                1 if r.accepts_helpers else 0,
                r.get_shafuku_involvement_display() if r.shafuku_involvement else "",
                "・".join(r.funding_source_labels),
                r.start_date,
                getattr(r, "n_sessions", None),
                getattr(r, "n_participants", None),
                getattr(r, "last_session", None),
            ]
        )
    return PLACE_HEADER, rows


def _safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in (
        "=",
        "+",
        "-",
        "@",
        "＝",
        "＋",
        "－",
        "＠",
        "\t",
        "\r",
    ):
        return "'" + value
    return value


def _xlsx_response(stem: str, header, rows, sheet_title: str):
    """XLSX with openpyxl (write-only, bold frozen header, text cells never formulas)."""
    import io

    from django.http import HttpResponse
    from django.utils.http import content_disposition_header
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for title in header:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    for row in rows:
        out = []
        for value in row:
            cell = WriteOnlyCell(ws, value=_safe(value))
            if isinstance(value, str):
                cell.data_type = "s"
            elif hasattr(value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}.xlsx")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def table_response(fmt: str, stem: str, header, rows):
    """The shared exporter (agencies.tabular) when installed; else CSV through agencies.csvio and
    XLSX through openpyxl here."""
    try:
        from agencies.tabular import tabular_response
    except ImportError:
        tabular_response = None
    if tabular_response is not None:
        return tabular_response(fmt, stem, header, rows, sheet_title=_("拠点・居場所"))
    if fmt == "xlsx":
        return _xlsx_response(stem, header, rows, str(_("拠点・居場所")))
    from agencies.csvio import csv_response

    return csv_response(f"{stem}.csv", header, rows)

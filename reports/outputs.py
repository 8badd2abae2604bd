"""The annual report as files: CSV (UTF-8 with BOM), XLSX (a sheet per programme plus a summary,
A4 print setup, numbers as numbers) and PDF (the national report form's sections 1–5, A4).
All read one AnnualReport (reports.build), so every format shows the same numbers.

`public=True` is the version that leaves the office: small counts of people are suppressed
(reports.suppression); the internal version is marked 「庁内限り」 on every page and sheet.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from agencies import jpdates
from agencies.choices import Programme

try:  # the shared tabular exporter (daily, agencies/tabular.py) once it is on main
    from agencies.tabular import iter_csv, neutralise
except ImportError:  # pragma: no cover - before it lands the same helpers live in csvio
    from agencies.csvio import iter_csv, neutralise

from .build import AnnualReport, FigureRow
from .suppression import SUPPRESSED_MARK, protect, suppressed_values, threshold

INTERNAL_MARK = "庁内限り"


def classification(public: bool) -> str:
    return _("公表用(少数秘匿済み)") if public else _(INTERNAL_MARK)


def _cell_value(row: FigureRow, hidden: dict[str, str], public: bool):
    if public and row.figure.code in hidden:
        return hidden[row.figure.code]
    value = row.value
    return float(value) if isinstance(value, Decimal) else value


def _rate(row: FigureRow, hidden: dict[str, str], public: bool):
    if public and row.figure.code in hidden:
        return ""
    return float(row.rate) if row.rate is not None else None


def _target(row: FigureRow):
    if row.target_value is not None:
        return float(row.target_value)
    return row.target_text or None


def table_header() -> list[str]:
    return [
        _("事業"),
        _("コード"),
        _("指標"),
        _("内訳の区分"),
        _("基準"),
        _("実績"),
        _("目標"),
        _("達成率(%)"),
        _("年度"),
        _("基準日"),
    ]


def table_rows(report: AnnualReport, *, public: bool = False):
    hidden = suppressed_values(report) if public else {}
    labels = {s.programme: s.label for s in report.sections}
    for row in report.rows():
        f = row.figure
        yield [
            labels[f.programme],
            f.code,
            str(f.label),
            str(f.group_label),
            f.basis_text,
            _cell_value(row, hidden, public),
            _target(row),
            _rate(row, hidden, public),
            report.period.label,
            report.as_of.isoformat(),
        ]


def to_csv(report: AnnualReport, *, public: bool = False) -> bytes:
    """UTF-8 with a BOM (Excel opens it as UTF-8), CRLF, formula-like text neutralised."""
    head = [[classification(public)], table_header()]
    lines = iter_csv(head[0], [head[1], *table_rows(report, public=public)])
    return "".join(lines).encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------


def _a4(ws, *, landscape: bool = False, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows


def _put(ws, row: int, col: int, value, *, bold: bool = False, fmt: str | None = None):
    from openpyxl.styles import Alignment, Font

    cell = ws.cell(row=row, column=col)
    if isinstance(value, Decimal):
        value = float(value)
    cell.value = value if isinstance(value, int | float) or value is None else neutralise(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    if fmt:
        cell.number_format = fmt
    return cell


def _number_format(row: FigureRow) -> str:
    return "#,##0" if isinstance(row.value, int) else "#,##0.0"


def to_xlsx(report: AnnualReport, *, public: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    hidden = suppressed_values(report) if public else {}
    grey = PatternFill("solid", fgColor="E6E6E6")
    wb = Workbook()
    summary = wb.active
    summary.title = _("概要")
    _put(summary, 1, 1, _("重層的支援体制整備事業 実績報告"), bold=True)
    _put(summary, 2, 1, report.period.label)
    _put(summary, 3, 1, _("基準日"))
    _put(summary, 3, 2, jpdates.wareki(report.as_of))
    _put(summary, 4, 1, classification(public), bold=True)
    r = 6
    _put(summary, r, 1, _("自治体の基本情報"), bold=True)
    r += 1
    for label, value, fmt in profile_items(report):
        _put(summary, r, 1, label)
        _put(summary, r, 2, value, fmt=fmt)
        r += 1
    r += 1
    _put(summary, r, 1, _("成果目標と実績"), bold=True)
    r += 1
    for col, head in enumerate([_("指標"), _("基準"), _("目標"), _("実績"), _("達成率(%)")], 1):
        _put(summary, r, col, head, bold=True).fill = grey
    for row in report.targets():
        r += 1
        _put(summary, r, 1, str(row.figure.label))
        _put(summary, r, 2, row.figure.basis_text)
        _put(summary, r, 3, _target(row), fmt=_number_format(row))
        _put(summary, r, 4, _cell_value(row, hidden, public), fmt=_number_format(row))
        _put(summary, r, 5, _rate(row, hidden, public), fmt="0.0")
    for col, width in zip("ABCDE", (40, 14, 14, 12, 12), strict=True):
        summary.column_dimensions[col].width = width
    _a4(summary)

    for section in report.sections:
        ws = wb.create_sheet(section.label[:31])
        _put(ws, 1, 1, section.label, bold=True)
        _put(ws, 2, 1, f"{report.period.label} {_('基準日')} {jpdates.wareki(report.as_of)}")
        _put(ws, 2, 5, classification(public), bold=True)
        headers = [_("指標"), _("内訳"), _("基準"), _("実績"), _("目標"), _("達成率(%)")]
        for col, head in enumerate(headers, 1):
            _put(ws, 4, col, head, bold=True).fill = grey
        r = 4
        for top in section.rows:
            for row in [top, *top.breakdown]:
                r += 1
                is_child = row is not top
                _put(ws, r, 1, "" if is_child else str(row.figure.label), bold=not is_child)
                _put(ws, r, 2, str(row.figure.label) if is_child else "")
                _put(ws, r, 3, row.figure.basis_text)
                _put(ws, r, 4, _cell_value(row, hidden, public), fmt=_number_format(row))
                _put(ws, r, 5, _target(row), fmt=_number_format(row))
                _put(ws, r, 6, _rate(row, hidden, public), fmt="0.0")
        for col, width in zip("ABCDEF", (34, 26, 12, 10, 12, 10), strict=True):
            ws.column_dimensions[col].width = width
        _a4(ws, title_rows="4:4")
    for n, table in enumerate(report.tables, 1):
        _table_sheet(wb.create_sheet(_("表%(n)s") % {"n": n}), report, table, public, grey)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def suppression_note() -> str:
    return _("*: %(n)s未満の人数と、合計から逆算できないよう併せて秘匿した数。") % {
        "n": threshold()
    }


def table_grid(table, *, public: bool) -> list[list]:
    """The bordered table (totals last) as published: protected cells shown as "*" when public."""
    if public and table.of_people:
        protect(table)
        return table.display()
    return table.bordered


def _table_sheet(ws, report, table, public: bool, fill) -> None:
    _put(ws, 1, 1, table.title, bold=True)
    _put(ws, 2, 1, f"{report.period.label} {_('基準日')} {jpdates.wareki(report.as_of)}")
    _put(ws, 2, 4, classification(public), bold=True)
    header = [f"{table.row_heading}＼{table.col_heading}", *table.col_labels, _("計")]
    for col, head in enumerate(header, 1):
        _put(ws, 4, col, head, bold=True).fill = fill
    labels = [*table.row_labels, _("計")]
    for r, (label, row) in enumerate(zip(labels, table_grid(table, public=public), strict=True)):
        _put(ws, 5 + r, 1, label, bold=True)
        for c, value in enumerate(row):
            _put(ws, 5 + r, 2 + c, value, fmt="#,##0")
    if public and table.of_people:
        _put(
            ws,
            6 + len(labels),
            1,
            _("*: 5未満の人数と、合計から逆算できないよう併せて秘匿した数。"),
        )
    ws.column_dimensions["A"].width = 20
    _a4(ws, landscape=True, title_rows="4:4")


def profile_items(report: AnnualReport):
    """(label with unit, value, number format) of the municipality profile (様式 1-1)."""
    p = report.profile
    if p is None:
        return []
    fields = [
        ("population", "#,##0"),
        ("households", "#,##0"),
        ("aging_rate", "0.00"),
        ("welfare_rate", "0.00"),
        ("area_km2", "#,##0.00"),
        ("neighbourhood_rate", "0.00"),
        ("elementary_schools", "0"),
        ("junior_high_schools", "0"),
        ("houkatsu_centres", None),
        ("livelihood_agencies", None),
    ]
    return [
        (str(p._meta.get_field(name).verbose_name), getattr(p, name), fmt)
        for name, fmt in fields
        if getattr(p, name) not in (None, "")
    ]


# --- PDF (the national report form) -----------------------------------------------------------


def to_pdf(report: AnnualReport, *, public: bool = False) -> bytes:
    from agencies.pdf import render_pdf

    hidden = suppressed_values(report) if public else {}
    sections = []
    for section in report.sections:
        rows = []
        for top in section.rows:
            for row in [top, *top.breakdown]:
                rows.append(
                    {
                        "label": str(row.figure.label),
                        "child": row is not top,
                        "basis": row.figure.basis_text,
                        "value": display_value(row, hidden, public),
                        "target": display_target(row),
                        "rate": "" if row.figure.code in hidden else (row.rate or ""),
                    }
                )
        sections.append({"programme": section.programme, "label": section.label, "rows": rows})
    # The national form: section 3 is 包括的相談支援・アウトリーチ・参加支援・地域づくり, section 4
    # 多機関協働 — so the 多機関協働 figures come last (the order is otherwise kept).
    sections.sort(key=lambda s: s["programme"] == Programme.MULTIAGENCY)
    return render_pdf(
        "reports/print/annual.html",
        {
            "report": report,
            "sections": sections,
            "profile_items": profile_items(report),
            "targets": [
                {
                    "label": str(r.figure.label),
                    "basis": r.figure.basis_text,
                    "target": display_target(r),
                    "value": display_value(r, hidden, public),
                    "rate": "" if r.figure.code in hidden else (r.rate or ""),
                }
                for r in report.targets()
            ],
            "classification": classification(public),
            "as_of_label": jpdates.format_date(report.as_of),
            "tables": [
                {
                    "table": t,
                    "rows": list(
                        zip([*t.row_labels, _("計")], table_grid(t, public=public), strict=True)
                    ),
                }
                for t in report.tables
            ],
            "public": public,
            "suppression_note": suppression_note(),
        },
    )


def display_value(row: FigureRow, hidden=None, public=False) -> str:
    if public and hidden and row.figure.code in hidden:
        return hidden[row.figure.code]
    if row.value is None:
        return "—"
    if isinstance(row.value, int):
        return f"{row.value:,}"
    return f"{row.value}"


def display_target(row: FigureRow) -> str:
    if row.target_value is not None:
        v = row.target_value
        return f"{v:,.0f}" if v == v.to_integral_value() else f"{v}"
    return row.target_text


__all__ = ["SUPPRESSED_MARK", "to_csv", "to_pdf", "to_xlsx"]

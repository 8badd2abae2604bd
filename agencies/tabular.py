"""Tables that leave the product as files: CSV (UTF-8 with BOM) and XLSX. Every export uses this.

    from agencies.tabular import tabular_response
    return tabular_response("xlsx", "相談受付一覧_20261126", header, rows, sheet_title="相談受付")

Rules (the same for CSV and XLSX, so a file means the same whichever format was asked for):

* **Formula injection** — a text cell whose first non-blank character is = + - @ (ASCII, the
  full-width forms ＝ ＋ － ＠ and the small forms ﹦ ﹢ ﹣ ﹫, i.e. anything that NFKC folds
  to one of them, and the minus sign −), or that starts with TAB, CR or LF, gets a leading
  apostrophe. Excel, LibreOffice and Google Sheets then show it as text and never evaluate it
  (Japanese Excel turns a typed ＝ into =, so the full-width forms are as dangerous). The CSV
  reader (agencies.csvio) strips that apostrophe again, so an export imports back unchanged.
* **Numbers stay numbers** (int, float, Decimal); booleans are 1/0; None is an empty cell.
* **Dates** in one style for files: a date is 2026-11-26, a date-time 2026-11-26 09:30 in
  Asia/Tokyo (TIME_ZONE), never UTC. In XLSX they are real date cells (sortable, computable)
  with that display format. Screens show 和暦 (agencies.jpdates.wareki); files are for
  spreadsheets and re-import, so they carry the ISO form that every spreadsheet understands.
* Characters XML cannot hold (control characters other than TAB/LF/CR) are dropped from XLSX.
* Responses are attachments, `Cache-Control: no-store`, file names may be Japanese (RFC 6266).

Audit rows are the caller's job (it knows the basis and what was exported): record one
`<thing>.export` row per download with the row count, as cases/views/intake.py does.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

FORMATS = ("csv", "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# XLSX holds at most 1,048,576 rows; list exports stop well before (narrow the filters instead).
MAX_XLSX_ROWS = 200_000

# After NFKC (＝→=, ＋→+, －→-, ＠→@, ﹦→= …) a cell starting with one of these is a formula.
FORMULA_CHARACTERS = frozenset("=+-@")
# Not folded by NFKC but read as a minus by spreadsheets.
_MINUS_LIKE = frozenset("\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe58")
# Kept raw: a cell starting with these is also read as (the start of) a formula.
_CONTROL_PREFIXES = ("\t", "\r", "\n")
_BLANKS = " \u3000"

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could take the text for a formula (see the module docstring)."""
    if text.startswith(_CONTROL_PREFIXES):
        return True
    stripped = text.lstrip(_BLANKS)
    if not stripped:
        return False
    first = stripped[0]
    if first in _MINUS_LIKE or first in _CONTROL_PREFIXES:
        return True
    return unicodedata.normalize("NFKC", first)[:1] in FORMULA_CHARACTERS


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def cell_value(value):
    """A Python value as the cell it becomes: number, date/datetime (local, naive) or safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return _local(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if needs_apostrophe(text):
        return "'" + text
    return text


def needs_apostrophe(text: str) -> bool:
    """A formula, or text that already starts with the apostrophe an import would take for our
    own neutralisation ("'=1" would come back as "=1"): both get one more."""
    return looks_like_formula(text) or (text[:1] == "'" and looks_like_formula(text[1:]))


def neutralise(value) -> str | int | float | Decimal:
    """One CSV cell: numbers as numbers, dates in the file date style, safe text."""
    value = cell_value(value)
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return value


# --- CSV ----------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text line by line: a BOM, then the header, then the rows, CRLF-terminated."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    for row in rows:
        yield writer.writerow([neutralise(v) for v in row])


def _attachment_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    streaming: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """An attachment download Excel opens correctly. `filename` may be Japanese.

    `streaming=True` streams a large iterable (an audit export) instead of building it in memory.
    """
    headers = _attachment_headers(filename)
    if streaming:
        return StreamingHttpResponse(
            (line.encode("utf-8") for line in iter_csv(header, rows)),
            content_type=CSV_CONTENT_TYPE,
            headers=headers,
        )
    body = "".join(iter_csv(header, rows)).encode("utf-8")
    return HttpResponse(body, content_type=CSV_CONTENT_TYPE, headers=headers)


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def write_xlsx(
    file,
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]],
) -> int:
    """Write (title, header, rows) sheets to a binary file as XLSX; returns the rows written.

    Write-only mode: memory stays flat for large exports. Text cells are always text (never a
    formula, even without the apostrophe), numbers numbers, dates date cells.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    total = 0
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=_sheet_title(title))
        bold = Font(bold=True)
        header_cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=_xlsx_text(str(cell_value(name))))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        sheet.freeze_panes = "A2"
        for row in rows:
            if total >= MAX_XLSX_ROWS:
                raise ValueError("too many rows for one XLSX export")
            out = []
            for raw in row:
                value = cell_value(raw)
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
                    # Always a string: openpyxl would otherwise turn "=…" into a formula.
                    cell.data_type = "s"
                else:
                    cell = WriteOnlyCell(sheet, value=value)
                    if isinstance(value, dt.datetime):
                        cell.number_format = XLSX_DATETIME_FORMAT
                    elif isinstance(value, dt.date):
                        cell.number_format = XLSX_DATE_FORMAT
                out.append(cell)
            sheet.append(out)
            total += 1
    workbook.save(file)
    return total


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'")
    return (cleaned or "Sheet1")[:31]


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet_title: str = "",
) -> FileResponse:
    """One-sheet XLSX attachment. The workbook is spooled (memory, then disk past 8 MB)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the response
    write_xlsx(spool, [(sheet_title or filename.rsplit(".", 1)[0], header, rows)])
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    for key, value in _attachment_headers(filename).items():
        response[key] = value
    return response


def tabular_response(
    fmt: str,
    stem: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet_title: str = "",
    streaming: bool = False,
):
    """`fmt` is "csv" or "xlsx"; the file is named `stem` + the extension."""
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", header, rows, sheet_title=sheet_title or stem)
    if fmt == "csv":
        return csv_response(f"{stem}.csv", header, rows, streaming=streaming)
    raise ValueError(f"unknown export format {fmt!r}")

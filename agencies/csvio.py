"""CSV in and out, shaped for Japanese municipal offices (Excel on Windows). Any app may use it.

Reading — `read_csv_upload(file, required_columns)`:
    * accepts UTF-8 (with or without BOM) and Shift_JIS/CP932, detected from the bytes: a file
      that is valid UTF-8 is UTF-8, otherwise CP932 is tried; anything else is refused;
    * refuses what is not a CSV at all (too big, a wrong extension, binary content, an .xlsx
      saved under a .csv name, UTF-16 "Unicode text") with a Japanese message;
    * matches header cells by name (surrounding spaces, including full-width ones, ignored), so
      column order does not matter; a missing required column or a repeated header is an error;
      with `allowed_columns`, an unknown header is an error too (a typo would otherwise drop data);
    * returns a `CsvTable` of `CsvRow(line, values)` where `line` is the physical line number at
      which the record starts (as the user sees it in a text editor or Excel), blank lines skipped.
    Whole-file problems raise `CsvError(message, line)`. Row-level validation is the caller's job:
    collect `RowError`s and show them all (see agencies/imports.py).

Writing is agencies.tabular (CSV with BOM and XLSX, formula-safe): one exporter for the product.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .tabular import needs_apostrophe

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000
ALLOWED_EXTENSIONS = (".csv", ".txt")
# What browsers send for a .csv (Windows often says Excel, some say octet-stream).
CSV_CONTENT_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "text/x-csv",
        "text/comma-separated-values",
        "application/csv",
        "application/x-csv",
        "application/vnd.ms-excel",
        "application/octet-stream",
    }
)
_SPACES = " \t\u3000"


class CsvError(Exception):
    """The file as a whole cannot be read. `message` is Japanese and safe to show."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(message)

    def __str__(self) -> str:
        if self.line:
            return _("%(line)d行目: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


@dataclass(frozen=True)
class RowError:
    """One problem in one row, for a report the user can act on."""

    line: int
    message: str
    column: str = ""

    def __str__(self) -> str:
        if not self.line:
            return self.message
        if self.column:
            return _("%(line)d行目「%(column)s」: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("%(line)d行目: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    extra_cells: int = 0  # non-empty cells beyond the header: usually a stray comma

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)

    def __getitem__(self, column: str) -> str:
        return self.values[column]


@dataclass
class CsvTable:
    header: list[str]
    rows: list[CsvRow] = field(default_factory=list)
    encoding: str = "utf-8"

    def __iter__(self) -> Iterator[CsvRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def encoding_label(self) -> str:
        return {"utf-8-sig": "UTF-8 (BOM付き)", "utf-8": "UTF-8", "cp932": "Shift_JIS (CP932)"}.get(
            self.encoding, self.encoding
        )


# --- reading ----------------------------------------------------------------------------


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 first (it rarely decodes by accident), then CP932."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvError(
            _(
                "UTF-16(Unicode テキスト)のファイルは読み込めません。"
                "Excel では「CSV UTF-8(コンマ区切り)」または「CSV(コンマ区切り)」で保存してください。"
            )
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise CsvError(
                _("UTF-8 として読めない文字が含まれています。"), _line_of(raw, exc.start)
            )
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise CsvError(
            _("文字コードを判別できません。UTF-8 または Shift_JIS で保存したCSVを選んでください。"),
            _line_of(raw, exc.start),
        )


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _clean(value: str) -> str:
    value = value.strip(_SPACES)
    # Undo our own export neutralisation so an exported file imports back unchanged.
    if len(value) > 1 and value[0] == "'" and needs_apostrophe(value[1:]):
        value = value[1:]
    return value


def _header_name(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip(_SPACES)


def read_csv_upload(
    file,
    required_columns: Sequence[str],
    *,
    allowed_columns: Iterable[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> CsvTable:
    """Read an uploaded CSV (a Django UploadedFile or any binary file object).

    Raises CsvError for problems with the whole file; never touches the database.
    """
    name = getattr(file, "name", "") or ""
    if name and not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise CsvError(_("CSVファイル(拡張子 .csv)を選んでください。"))
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise CsvError(_("ファイルが大きすぎます(上限 %(mb)s MB)。") % {"mb": _mb(max_bytes)})
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read(max_bytes + 1)
    if isinstance(raw, str):  # a text stream (tests, management commands)
        raw = raw.encode("utf-8")
    if len(raw) > max_bytes:
        raise CsvError(_("ファイルが大きすぎます(上限 %(mb)s MB)。") % {"mb": _mb(max_bytes)})
    if not raw.strip():
        raise CsvError(_("ファイルが空です。"))
    if raw.startswith(b"PK\x03\x04"):
        raise CsvError(_("Excel ブック(.xlsx)のようです。CSV 形式で保存し直してください。"))
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvError(_("CSV ではないファイルのようです(バイナリデータが含まれています)。"))

    text, encoding = decode_bytes(raw)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_cells = next(reader)
        while not any(c.strip(_SPACES) for c in header_cells):
            header_cells = next(reader)
    except StopIteration:
        raise CsvError(_("ファイルが空です。"))
    except csv.Error:
        raise CsvError(_("見出し行を読み取れません。"), reader.line_num or 1)
    header_line = reader.line_num
    header = [_header_name(c) for c in header_cells]

    seen: set[str] = set()
    for cell in header:
        if cell and cell in seen:
            raise CsvError(
                _("見出し「%(column)s」が重複しています。") % {"column": cell}, header_line
            )
        seen.add(cell)
    missing = [c for c in required_columns if c not in seen]
    if missing:
        raise CsvError(
            _("必須の列がありません: %(columns)s") % {"columns": "、".join(missing)}, header_line
        )
    if allowed_columns is not None:
        allowed = set(allowed_columns) | set(required_columns)
        unknown = [c for c in header if c and c not in allowed]
        if unknown:
            raise CsvError(
                _("不明な列があります: %(columns)s(見出しの綴りを確認してください)")
                % {"columns": "、".join(unknown)},
                header_line,
            )

    table = CsvTable(header=header, encoding=encoding)
    previous_end = header_line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise CsvError(_('引用符(")の対応が正しくありません。'), previous_end + 1)
        start_line = previous_end + 1
        previous_end = reader.line_num
        if not any(c.strip(_SPACES) for c in cells):
            continue
        if len(table.rows) >= max_rows:
            raise CsvError(_("行数が多すぎます(上限 %(n)d 行)。") % {"n": max_rows}, start_line)
        values = {
            column: _clean(cells[i]) if i < len(cells) else ""
            for i, column in enumerate(header)
            if column
        }
        extra = sum(1 for c in cells[len(header) :] if c.strip(_SPACES))
        table.rows.append(CsvRow(line=start_line, values=values, extra_cells=extra))
    if not table.rows:
        raise CsvError(_("データ行がありません。"))
    return table


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g}"

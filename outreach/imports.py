"""Import a survey or arrears list (CSV in UTF-8 or Shift_JIS, or an Excel .xlsx) into outreach
targets, matched against existing persons with the 名寄せ rules.

The pattern of agencies/imports.py: every row is validated first and every problem reported
with its line number; only a file without a single problem is imported, all in one transaction,
through `services.target_create`; a dry run shows what would happen and writes nothing.

名寄せ: each row goes through `cases.selectors.persons.person_find_duplicates`. A strong match
(氏名 or ふりがな with the same 生年月日) that the importer may see links the target to that
person; a match the importer may not see is only noted ("another agency holds a record") so the
outreach worker can ask through the proper channel; weaker candidates are noted for review.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.csvio import CsvError, CsvRow, CsvTable, RowError, read_csv_upload
from agencies.imports import Column, ImportReport, _choice, parse_date
from agencies.models import Agency, Area, User
from agencies.policy import require
from agencies.selectors import care_staff_of
from audit.services import record
from cases.models.intake import Urgency
from cases.normalize import normalize_name
from cases.selectors.persons import person_find_duplicates

from . import services
from .models import OutreachImport, OutreachTarget, Source

STRONG_MATCH = 90
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

COLUMNS = [
    Column("氏名", "approx_name", False, gettext_lazy("姓と名の間は空白(なくても可)"), "市貝 花子"),
    Column("ふりがな", "approx_kana", False, gettext_lazy("ひらがな・カタカナ"), "いちかい はなこ"),
    Column(
        "生年月日",
        "birth_date",
        False,
        gettext_lazy("1940-05-01、昭和15年5月1日(和暦は令和・平成・昭和)"),
        "1940-05-01",
    ),
    Column("年齢", "approx_age", False, gettext_lazy("生年月日がないとき"), "85"),
    Column("性別", "sex", False, "", "女"),
    Column("住所", "approx_address", False, gettext_lazy("住所または場所の目安"), "大字市塙1-1"),
    Column("圏域", "area", False, gettext_lazy("圏域のコードまたは名称"), "north"),
    Column("世帯の状況", "household_note", False, gettext_lazy("独居、高齢夫婦など"), "独居"),
    Column(
        "気になること",
        "worry",
        False,
        gettext_lazy("空欄のときは名簿の名称が入ります"),
        "ADL低下(調査票)",
    ),
    Column("緊急度", "urgency", False, gettext_lazy("緊急 / 高 / 通常(空欄は通常)"), "通常"),
    Column("情報提供者", "informant", False, gettext_lazy("担当課など"), "健康福祉課"),
    Column("担当者", "lead_worker", False, gettext_lazy("主担当のログインID"), "csw01"),
]
HEADERS = [c.header for c in COLUMNS]

_ERAS = {"昭和": 1925, "s": 1925, "大正": 1911, "t": 1911}


def _parse_birth(text: str) -> dt.date | None:
    """parse_date plus 昭和/大正 (birth dates of older residents)."""
    value = parse_date(text)
    if value is not None:
        return value
    import re

    text = unicodedata.normalize("NFKC", text).strip().lower()
    m = re.fullmatch(r"(昭和|大正|s|t)(\d{1,2}|元)[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        return None
    era, n, month, day = m.groups()
    year = _ERAS[era] + (1 if n == "元" else int(n))
    try:
        return dt.date(year, int(month), int(day))
    except ValueError:
        return None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip(" \t\u3000")


def read_xlsx(file, *, allowed_columns, max_rows: int = MAX_ROWS) -> CsvTable:
    """The first sheet of an .xlsx as a CsvTable (line numbers are the sheet's row numbers)."""
    from openpyxl import load_workbook

    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise CsvError(_("ファイルが大きすぎます(上限 5 MB)。"))
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parse failure is "not a readable workbook"
        raise CsvError(_("Excel ブックとして読めません。.xlsx 形式で保存してください。")) from None
    sheet = book.worksheets[0]
    header: list[str] | None = None
    header_line = 0
    table: CsvTable | None = None
    for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in row]
        if header is None:
            if not any(cells):
                continue
            header = [unicodedata.normalize("NFKC", c).strip() for c in cells]
            header_line = line
            unknown = [c for c in header if c and c not in allowed_columns]
            if unknown:
                raise CsvError(
                    _("不明な列があります: %(columns)s(見出しの綴りを確認してください)")
                    % {"columns": "、".join(unknown)},
                    header_line,
                )
            table = CsvTable(header=header, encoding="xlsx")
            continue
        if not any(cells):
            continue
        if len(table.rows) >= max_rows:
            raise CsvError(_("行数が多すぎます(上限 %(n)d 行)。") % {"n": max_rows}, line)
        values = {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(header) if col}
        extra = sum(1 for c in cells[len(header) :] if c)
        table.rows.append(CsvRow(line=line, values=values, extra_cells=extra))
    book.close()
    if table is None or not table.rows:
        raise CsvError(_("データ行がありません。"))
    return table


def read_list(file) -> CsvTable:
    name = (getattr(file, "name", "") or "").lower()
    if name.endswith(".xlsx"):
        return read_xlsx(file, allowed_columns=set(HEADERS))
    return read_csv_upload(
        file, [], allowed_columns=HEADERS, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )


@dataclass
class _Row:
    line: int
    data: dict
    lead_worker: User | None
    person: object | None
    match_note: str


def _split_name(name: str) -> tuple[str, str]:
    parts = unicodedata.normalize("NFKC", name).split()
    if len(parts) >= 2:
        return parts[0], " ".join(parts[1:])
    return name.strip(), ""


def _match(actor, data: dict) -> tuple[object | None, str]:
    family, given = _split_name(data.get("approx_name", ""))
    fkana, gkana = _split_name(data.get("approx_kana", ""))
    if not family and not fkana:
        return None, ""
    matches = person_find_duplicates(
        actor=actor,
        data={
            "family_name": family,
            "given_name": given,
            "family_name_kana": fkana,
            "given_name_kana": gkana,
            "birth_date": data.get("birth_date"),
        },
        limit=3,
    )
    if not matches:
        return None, ""
    best = matches[0]
    reasons = "・".join(best.reasons)
    if best.score >= STRONG_MATCH:
        if best.visible:
            return best.person, _("既存の対象者記録と一致(%(r)s)") % {"r": reasons}
        return None, _("%(agency)s に一致する記録あり(閲覧権限なし・%(r)s)") % {
            "agency": best.agency_name,
            "r": reasons,
        }
    return None, _("似た記録の候補あり(要確認・%(r)s)") % {"r": reasons}


def import_targets(
    *,
    actor,
    agency: Agency,
    file,
    title: str,
    source: str = Source.SURVEY,
    dry_run: bool,
    known_on: dt.date | None = None,
) -> ImportReport:
    """Validate the whole list, match each row, then import all of it or nothing. `known_on` is
    the date of the list (the survey day); default today."""
    require(actor, "outreach.import", agency)
    report = ImportReport(kind="outreach", dry_run=dry_run)
    title = (title or "").strip()
    if not title:
        report.errors.append(RowError(0, _("名簿の名称を入力してください。")))
    if source not in Source.values:
        report.errors.append(RowError(0, _("把握の経路を選んでください。")))
    try:
        table = read_list(file)
    except CsvError as exc:
        report.errors.append(RowError(line=exc.line or 0, message=exc.message))
        return report
    report.encoding = "Excel (.xlsx)" if table.encoding == "xlsx" else table.encoding_label
    report.total_rows = len(table)

    areas = {a.code: a for a in Area.objects.all()}
    area_names = {unicodedata.normalize("NFKC", a.name): a for a in areas.values()}
    usernames = {r.get("担当者") for r in table if r.get("担当者")}
    # 主担当 as the target page offers it: the agency's own care staff (not another agency's,
    # not a 民生委員 or an admin-only account, who could not work the target).
    workers = {u.username: u for u in care_staff_of(agency.pk).filter(username__in=usernames)}
    existing = {
        (normalize_name(n), b): num
        for n, b, num in OutreachTarget.objects.filter(agency=agency)
        .open()
        .exclude(approx_name="")
        .values_list("approx_name", "birth_date", "number")
    }
    seen: dict[tuple, int] = {}
    rows: list[_Row] = []
    matched = 0
    for row in table:
        errors: list[RowError] = []
        if row.extra_cells:
            errors.append(RowError(row.line, _("見出しより多い列に値があります。")))
        name, address = row.get("氏名"), row.get("住所")
        if not name and not address:
            errors.append(RowError(row.line, _("氏名か住所のどちらかは必要です。"), "氏名"))
        birth = None
        if row.get("生年月日"):
            birth = _parse_birth(row.get("生年月日"))
            if birth is None or birth > timezone.localdate():
                errors.append(
                    RowError(row.line, _("日付として読めません(例: 1940-05-01)。"), "生年月日")
                )
        age = None
        if row.get("年齢"):
            text = unicodedata.normalize("NFKC", row.get("年齢")).removesuffix("歳")
            if text.isdigit() and int(text) <= 130:
                age = int(text)
            else:
                errors.append(RowError(row.line, _("0〜130の数字で入力してください。"), "年齢"))
        area = None
        if row.get("圏域"):
            key = row.get("圏域")
            area = areas.get(key) or area_names.get(unicodedata.normalize("NFKC", key))
            if area is None:
                errors.append(RowError(row.line, _("不明な圏域です。"), "圏域"))
        urgency = Urgency.NORMAL
        if row.get("緊急度"):
            urgency = _choice(row.get("緊急度"), Urgency.choices)
            if urgency is None:
                errors.append(
                    RowError(row.line, _("緊急 / 高 / 通常 から選んでください。"), "緊急度")
                )
        lead = None
        if row.get("担当者"):
            lead = workers.get(row.get("担当者"))
            if lead is None:
                errors.append(
                    RowError(
                        row.line,
                        _("この機関の相談支援の職員のログインIDを入力してください。"),
                        "担当者",
                    )
                )
        if name:
            key = (normalize_name(name), birth)
            if key in seen:
                errors.append(
                    RowError(
                        row.line,
                        _("同じ人の行が重複しています(%(line)d行目と同じ)。") % {"line": seen[key]},
                        "氏名",
                    )
                )
            else:
                seen[key] = row.line
            if key in existing:
                errors.append(
                    RowError(
                        row.line,
                        _("すでに対応中の対象者です(%(n)s)。") % {"n": existing[key]},
                        "氏名",
                    )
                )
        data = {
            "source": source,
            "known_on": known_on or timezone.localdate(),
            "source_detail": title[:200],
            "informant": row.get("情報提供者"),
            "approx_name": name[:100],
            "approx_kana": row.get("ふりがな")[:100],
            "approx_address": address[:200],
            "approx_age": age,
            "birth_date": birth,
            "sex": row.get("性別")[:30],
            "area": area,
            "household_note": row.get("世帯の状況"),
            "worry": row.get("気になること") or title,
            "urgency": urgency or Urgency.NORMAL,
        }
        person, note = (None, "")
        if not errors:
            person, note = _match(actor, data)
            if person is not None:
                matched += 1
        report.errors.extend(errors)
        rows.append(_Row(row.line, data, lead, person, note))
        report.preview.append(
            {
                "line": row.line,
                "name": name,
                "address": address,
                "birth_date": birth,
                "area": area.name if area else "",
                "match": note,
            }
        )
    report.errors.sort(key=lambda e: e.line)
    if report.errors or dry_run:
        report.memberships_created = matched  # shown as "matched" on the page
        return report
    with transaction.atomic():
        batch = OutreachImport.objects.create(
            agency=agency,
            source=source,
            title=title[:200],
            rows=len(rows),
            matched=matched,
            created_by=actor,
        )
        for r in rows:
            services.target_create(
                actor=actor,
                agency=agency,
                data=r.data,
                lead_worker=r.lead_worker,
                person=r.person,
                import_batch=batch,
                match_note=r.match_note,
                audit=False,
            )
        report.created = len(rows)
        report.memberships_created = matched
        record(
            actor=actor,
            action="outreach.import",
            obj=batch,
            kind="create",
            changes=[],
            basis="outreach_agency",
        )
    return report

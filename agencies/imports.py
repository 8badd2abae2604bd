"""CSV import of agencies and of staff (with their memberships).

Two passes: every row is validated first and every problem reported with its line number; only a
file without a single problem is imported, in one transaction, through the same services the
pages use (so each record gets its own audit row, plus one row for the import itself). A dry run
(`dry_run=True`) validates and shows what would be created without writing anything.

Columns are matched by their Japanese header (order does not matter). Codes or Japanese labels
are accepted for kinds, roles and programmes, so a sheet typed by hand works as well as one
exported from another system.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import record

from . import jpdates, policy, services
from .choices import AgencyKind, OperatorType, Programme, Role
from .csvio import CsvError, CsvTable, RowError, read_csv_upload
from .models import Agency, Area, User


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool
    description: Any
    example: str = ""


AGENCY_COLUMNS = [
    Column(
        "機関コード", "code", True, gettext_lazy("半角英数字・ハイフン。重複不可"), "houkatsu-east"
    ),
    Column("機関名", "name", True, gettext_lazy("正式名称。重複不可"), "東部地域包括支援センター"),
    Column(
        "ふりがな", "kana", True, gettext_lazy("ひらがな"), "とうぶちいきほうかつしえんせんたー"
    ),
    Column("略称", "short_name", False, gettext_lazy("一覧やチップに表示"), "東部包括"),
    Column(
        "機関種別", "kind", True, gettext_lazy("種別名またはコード(下表)"), "地域包括支援センター"
    ),
    Column(
        "設置・運営形態",
        "operator_type",
        False,
        gettext_lazy("市直営 / 委託・補助先 / 関係機関。空欄は委託・補助先"),
        "委託・補助先",
    ),
    Column(
        "運営法人", "operator", False, gettext_lazy("委託先の法人名など"), "社会福祉法人 ひがし会"
    ),
    Column(
        "実施事業",
        "programmes",
        False,
        gettext_lazy("事業名またはコードを「、」か「|」で区切る"),
        "包括的相談支援事業|地域包括支援センターの運営(介護)",
    ),
    Column("圏域コード", "area", False, gettext_lazy("登録済みの圏域コード"), "north"),
    Column("郵便番号", "postal_code", False, "", "100-0001"),
    Column("所在地", "address", False, "", "みどり市東町1-1"),
    Column("電話番号", "phone", False, "", "0120-00-0000"),
    Column("FAX", "fax", False, "", ""),
    Column("メールアドレス", "email", False, "", "east@example.jp"),
]

STAFF_COLUMNS = [
    Column(
        "ログインID",
        "username",
        True,
        gettext_lazy("半角英数字と @ . + - _。複数の所属は同じIDで行を分ける"),
        "tanaka01",
    ),
    Column("氏名", "display_name", True, gettext_lazy("画面に表示する氏名"), "田中 一郎"),
    Column("ふりがな", "kana", False, gettext_lazy("ひらがな"), "たなか いちろう"),
    Column("職員番号", "staff_number", False, gettext_lazy("重複不可"), "M1001"),
    Column(
        "メールアドレス",
        "email",
        False,
        gettext_lazy("パスワード設定メールの宛先"),
        "tanaka@example.jp",
    ),
    Column("電話番号", "phone", False, "", "0120-00-0000"),
    Column("機関コード", "agency", False, gettext_lazy("所属する機関のコード"), "fukushi-soudan"),
    Column(
        "役割",
        "role",
        False,
        gettext_lazy("役割名またはコード(下表)。機関コードと組で指定"),
        "相談員",
    ),
    Column(
        "開始日",
        "start_date",
        False,
        gettext_lazy("2025-04-01、2025/4/1、令和7年4月1日など。空欄は本日"),
        "2025-04-01",
    ),
]

_PERSON_FIELDS = ("display_name", "kana", "staff_number", "email", "phone")
_SEPARATORS = re.compile(r"[、,;|/\s]+")


def template_rows(columns: list[Column]) -> tuple[list[str], list[list[str]]]:
    """The header only: an example row left in by mistake would be imported. Examples are shown
    on the import page instead."""
    return [c.header for c in columns], []


@dataclass
class ImportReport:
    kind: str  # "agency" | "staff"
    dry_run: bool
    encoding: str = ""
    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    memberships_created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> bool:
        return self.ok and not self.dry_run and self.created > 0


def _choice(value: str, choices) -> str | None:
    """Accept a code or a Japanese label (NFKC-normalised, spaces ignored)."""
    key = _norm(value)
    for code, label in choices:
        if key in (_norm(code), _norm(str(label))):
            return code
    return None


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def parse_date(text: str) -> date | None:
    """A date cell (the product's one parser, agencies.jpdates.parse_date). None if not a date."""
    return jpdates.parse_date_or_none(text)


def _read(
    file, columns: list[Column], report: ImportReport, *, skip_required=frozenset()
) -> CsvTable | None:
    try:
        table = read_csv_upload(
            file,
            [c.header for c in columns if c.required],
            allowed_columns=[c.header for c in columns],
        )
    except CsvError as exc:
        report.errors.append(RowError(line=exc.line or 0, message=exc.message))
        return None
    report.encoding = table.encoding_label
    report.total_rows = len(table)
    for row in table:
        if row.extra_cells:
            report.errors.append(
                RowError(
                    row.line,
                    _("見出しより多い列に値があります(区切りのコンマを確認してください)。"),
                )
            )
        for c in _blank_required(row, columns, skip_required):
            report.errors.append(RowError(row.line, _("必須項目が空です。"), c.header))
    return table


def _blank_required(row, columns: list[Column], skip=frozenset()) -> list[Column]:
    """The required columns left empty on this row (`_read` reports them)."""
    return [c for c in columns if c.required and c.header not in skip and not row.get(c.header)]


def _model_errors(exc: ValidationError, line: int, columns: list[Column]) -> list[RowError]:
    header_of = {c.field: c.header for c in columns}
    result = []
    for name, messages in exc.message_dict.items():
        for message in messages:
            result.append(RowError(line, message, header_of.get(name, "")))
    return result


# --- agencies ---------------------------------------------------------------------------


def import_agencies(*, actor, file, dry_run: bool) -> ImportReport:
    """Validate the whole file; import all of it or nothing. Admins only."""
    policy.require(actor, "agency.import")
    report = ImportReport(kind="agency", dry_run=dry_run)
    table = _read(file, AGENCY_COLUMNS, report)
    if table is None:
        return report

    areas = {a.code: a for a in Area.objects.all()}
    codes = [r.get("機関コード") for r in table]
    names = [r.get("機関名") for r in table]
    existing_codes = set(Agency.objects.filter(code__in=codes).values_list("code", flat=True))
    existing_names = set(Agency.objects.filter(name__in=names).values_list("name", flat=True))
    first_code: dict[str, int] = {}
    first_name: dict[str, int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []

    for row in table:
        errors: list[RowError] = []
        code, name = row.get("機関コード"), row.get("機関名")
        if code:
            if code in existing_codes:
                errors.append(
                    RowError(row.line, _("この機関コードは既に登録されています。"), "機関コード")
                )
            elif code in first_code:
                errors.append(
                    RowError(
                        row.line,
                        _("機関コードがファイル内で重複しています(%(line)d行目と同じ)。")
                        % {"line": first_code[code]},
                        "機関コード",
                    )
                )
            else:
                first_code[code] = row.line
        if name:
            if name in existing_names:
                errors.append(RowError(row.line, _("この機関名は既に登録されています。"), "機関名"))
            elif name in first_name:
                errors.append(
                    RowError(
                        row.line,
                        _("機関名がファイル内で重複しています(%(line)d行目と同じ)。")
                        % {"line": first_name[name]},
                        "機関名",
                    )
                )
            else:
                first_name[name] = row.line

        kind = _choice(row.get("機関種別"), AgencyKind.choices) if row.get("機関種別") else None
        if row.get("機関種別") and kind is None:
            errors.append(RowError(row.line, _("不明な機関種別です。"), "機関種別"))
        operator_type = OperatorType.CONTRACTED.value
        if row.get("設置・運営形態"):
            operator_type = _choice(row.get("設置・運営形態"), OperatorType.choices)
            if operator_type is None:
                errors.append(RowError(row.line, _("不明な設置・運営形態です。"), "設置・運営形態"))
        programmes = []
        for token in _SEPARATORS.split(row.get("実施事業")):
            if not token:
                continue
            code_ = _choice(token, Programme.choices)
            if code_ is None:
                errors.append(
                    RowError(
                        row.line, _("不明な事業です: %(value)s") % {"value": token}, "実施事業"
                    )
                )
            elif code_ not in programmes:
                programmes.append(code_)
        area = None
        if row.get("圏域コード"):
            area = areas.get(row.get("圏域コード"))
            if area is None:
                errors.append(RowError(row.line, _("不明な圏域コードです。"), "圏域コード"))

        data = {
            "code": code,
            "name": name,
            "kana": row.get("ふりがな"),
            "short_name": row.get("略称"),
            "kind": kind or "",
            "operator_type": operator_type or "",
            "operator": row.get("運営法人"),
            "programmes": programmes,
            "area": area,
            "postal_code": row.get("郵便番号"),
            "address": row.get("所在地"),
            "phone": row.get("電話番号"),
            "fax": row.get("FAX"),
            "email": row.get("メールアドレス"),
        }
        if not errors:
            try:
                # An empty required cell is already reported by `_read`: not again by the model.
                blank = [c.field for c in _blank_required(row, AGENCY_COLUMNS)]
                Agency(**data).full_clean(
                    exclude=blank, validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                errors.extend(_model_errors(exc, row.line, AGENCY_COLUMNS))
        report.errors.extend(errors)
        parsed.append((row.line, data))
        report.preview.append(
            {
                "line": row.line,
                "code": code,
                "name": name,
                "kind": dict(AgencyKind.choices).get(kind, row.get("機関種別")),
                "area": area.name if area else "",
                "programmes": [str(dict(Programme.choices)[p]) for p in programmes],
            }
        )

    report.errors.sort(key=lambda e: e.line)
    if report.errors or dry_run:
        return report
    try:
        with transaction.atomic():
            for _line, data in parsed:
                services.agency_create(actor=actor, data=data)
            report.created = len(parsed)
            record(
                actor=actor,
                action="agency.import",
                basis=policy.Basis.ADMIN,
                object_type="agencies.agency",
                kind="create",
                changes=[],
            )
    except ValidationError as exc:
        # Someone registered the same code between validation and import: nothing was written.
        report.created = 0
        report.errors.append(RowError(0, "; ".join(exc.messages)))
    return report


# --- staff ------------------------------------------------------------------------------


@dataclass
class _StaffEntry:
    line: int
    data: dict[str, Any]
    memberships: list[dict[str, Any]] = field(default_factory=list)


def import_staff(*, actor, file, dry_run: bool, base_url: str = "", send_setup_email=False):
    """Validate the whole file; create every staff member and membership or nothing.

    Several rows with the same ログインID give one person several memberships (a 社協 CSW who
    is also a 推進員); their personal columns must agree. With `send_setup_email`, every new
    account with an e-mail address gets a password-setup link after the import commits."""
    policy.require(actor, "staff.import")
    report = ImportReport(kind="staff", dry_run=dry_run)
    # 氏名 may be left blank on the extra rows of a person with several memberships.
    table = _read(file, STAFF_COLUMNS, report, skip_required={"氏名"})
    if table is None:
        return report

    usernames = {r.get("ログインID") for r in table}
    numbers = {r.get("職員番号") for r in table if r.get("職員番号")}
    existing_users = set(
        User.objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    existing_numbers = set(
        User.objects.filter(staff_number__in=numbers).values_list("staff_number", flat=True)
    )
    agencies = {
        a.code: a
        for a in Agency.objects.filter(
            code__in={r.get("機関コード") for r in table if r.get("機関コード")}
        )
    }
    entries: dict[str, _StaffEntry] = {}
    number_owner: dict[str, tuple[str, int]] = {}
    seen_memberships: dict[tuple[str, str, str], int] = {}

    for row in table:
        errors: list[RowError] = []
        username = row.get("ログインID")
        person = {
            "username": username,
            "display_name": row.get("氏名"),
            "kana": row.get("ふりがな"),
            "staff_number": row.get("職員番号"),
            "email": row.get("メールアドレス"),
            "phone": row.get("電話番号"),
        }
        entry = entries.get(username)
        if username and username in existing_users:
            errors.append(
                RowError(row.line, _("このログインIDは既に登録されています。"), "ログインID")
            )
        if entry is not None:
            for f in _PERSON_FIELDS:
                if person[f] and person[f] != entry.data[f]:
                    header = next(c.header for c in STAFF_COLUMNS if c.field == f)
                    errors.append(
                        RowError(
                            row.line,
                            _("同じログインIDの%(line)d行目と内容が異なります。")
                            % {"line": entry.line},
                            header,
                        )
                    )
        number = person["staff_number"]
        if number:
            if number in existing_numbers:
                errors.append(
                    RowError(row.line, _("この職員番号は既に使われています。"), "職員番号")
                )
            elif number in number_owner and number_owner[number][0] != username:
                errors.append(
                    RowError(
                        row.line,
                        _("職員番号がファイル内で重複しています(%(line)d行目と同じ)。")
                        % {"line": number_owner[number][1]},
                        "職員番号",
                    )
                )
            else:
                number_owner.setdefault(number, (username, row.line))

        membership = None
        agency_code, role_text = row.get("機関コード"), row.get("役割")
        if agency_code or role_text:
            agency = agencies.get(agency_code) if agency_code else None
            role = _choice(role_text, Role.choices) if role_text else None
            if not agency_code:
                errors.append(
                    RowError(
                        row.line, _("役割を指定するときは機関コードも必要です。"), "機関コード"
                    )
                )
            elif agency is None:
                errors.append(RowError(row.line, _("不明な機関コードです。"), "機関コード"))
            elif not agency.active:
                errors.append(RowError(row.line, _("無効な機関です。"), "機関コード"))
            if not role_text:
                errors.append(
                    RowError(row.line, _("機関コードを指定するときは役割も必要です。"), "役割")
                )
            elif role is None:
                errors.append(RowError(row.line, _("不明な役割です。"), "役割"))
            start = None
            if row.get("開始日"):
                start = parse_date(row.get("開始日"))
                if start is None:
                    errors.append(
                        RowError(row.line, _("日付として読めません(例: 2025-04-01)。"), "開始日")
                    )
            if agency is not None and role is not None:
                key = (username, agency.code, role)
                if key in seen_memberships:
                    errors.append(
                        RowError(
                            row.line,
                            _("同じ職員・機関・役割の行が重複しています(%(line)d行目と同じ)。")
                            % {"line": seen_memberships[key]},
                        )
                    )
                else:
                    seen_memberships[key] = row.line
                    membership = {"agency": agency, "role": role}
                    if start is not None:
                        membership["start_date"] = start
        elif entry is not None:
            errors.append(
                RowError(
                    row.line,
                    _("ログインIDが重複しています(%(line)d行目と同じ)。") % {"line": entry.line},
                    "ログインID",
                )
            )

        if entry is None and username and not person["display_name"]:
            errors.append(RowError(row.line, _("必須項目が空です。"), "氏名"))
        if entry is None and username:
            data = {**person}
            if not errors:
                try:
                    User(**data, password="!").full_clean(
                        validate_unique=False, validate_constraints=False
                    )
                except ValidationError as exc:
                    errors.extend(_model_errors(exc, row.line, STAFF_COLUMNS))
            entry = entries[username] = _StaffEntry(row.line, data)
        if membership is not None and entry is not None:
            entry.memberships.append(membership)
        report.errors.extend(errors)
        report.preview.append(
            {
                "line": row.line,
                "username": username,
                "display_name": person["display_name"]
                or (entry.data["display_name"] if entry else ""),
                "agency": agency_code,
                "role": dict(Role.choices).get(membership["role"]) if membership else "",
                "start_date": membership.get("start_date") if membership else None,
            }
        )

    report.errors.sort(key=lambda e: e.line)
    if report.errors or dry_run:
        return report
    try:
        with transaction.atomic():
            created = []
            for entry in entries.values():
                user = services.staff_create(
                    actor=actor, data=entry.data, memberships=entry.memberships
                )
                created.append(user)
                report.memberships_created += len(entry.memberships)
            report.created = len(created)
            record(
                actor=actor,
                action="staff.import",
                basis=policy.Basis.ADMIN,
                object_type="agencies.user",
                kind="create",
            )
            if send_setup_email and base_url:
                for user in created:
                    if user.email:
                        services.staff_send_password_setup(
                            actor=actor, staff=user, base_url=base_url
                        )
    except ValidationError as exc:
        report.created = report.memberships_created = 0
        report.errors.append(RowError(0, "; ".join(exc.messages)))
    return report

"""Rows for the place register export, and the response (through the shared tabular exporter
when present: agencies.tabular; otherwise CSV through agencies.csvio)."""

from django.http import Http404
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


def xlsx_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("agencies.tabular") is not None


def table_response(fmt: str, stem: str, header, rows):
    try:
        from agencies.tabular import tabular_response
    except ImportError:
        tabular_response = None
    if tabular_response is not None:
        return tabular_response(fmt, stem, header, rows, sheet_title=_("拠点・居場所"))
    if fmt != "csv":
        raise Http404  # XLSX needs the shared exporter
    from agencies.csvio import csv_response

    return csv_response(f"{stem}.csv", header, rows)

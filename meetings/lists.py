"""The meetings list: sortable columns and its CSV/XLSX export (agencies.listing).

Only what the list shows: date, body, kind, place, status and the agenda's size, never agenda
content or names (those are behind the meeting page's own rules)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agencies.listing import Column, ListSpec


def _place(m) -> str:
    return str(_("オンライン")) if m.online else m.place


MEETINGS = ListSpec(
    name="meetings",
    default_sort="-starts_at",
    columns=[
        Column("starts_at", _("開催日時"), lambda m: m.starts_at, order=("starts_at",)),
        Column("body", _("会議体"), lambda m: m.body.name, order=("body__name",)),
        Column(
            "kind", _("法的位置付け"), lambda m: m.body.get_kind_display(), order=("body__kind",)
        ),
        Column("place", _("場所"), _place, order=("place",)),
        Column("deadline", _("議題提出期限"), lambda m: m.submission_deadline),
        Column("items", _("議題数"), lambda m: m.item_count, order=("item_count",), css="num"),
        Column("status", _("状態"), lambda m: m.get_status_display(), order=("status",)),
        Column("duration", _("所要時間(分)"), lambda m: m.duration_minutes, shown=False),
        Column("held_at", _("開催記録日時"), lambda m: m.held_at, shown=False),
        Column(
            "minutes_approved_at",
            _("議事録承認日時"),
            lambda m: m.minutes_approved_at,
            shown=False,
        ),
    ],
)

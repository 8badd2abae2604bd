"""Columns of the cases app's lists: how they sort on screen and what their CSV/XLSX exports hold.

One declaration per list (agencies.listing.ListSpec) serves the HTML table's sortable headers and
the export of the same filtered, ordered rows. Export columns never add anything the list's
viewer could not open on the detail page: the querysets are the policy-filtered selectors'.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.listing import Column, ListSpec


def _agency(agency) -> str:
    return (agency.short_name or agency.name) if agency else ""


def _user(user) -> str:
    return (user.display_name or user.get_username()) if user else ""


CASES = ListSpec(
    name="cases",
    default_sort="-opened_on",
    columns=[
        Column("number", _("ケース番号"), lambda c: c.number, order=("number",)),
        Column("status", _("状態"), lambda c: c.get_status_display(), order=("status",)),
        Column("summary", _("概要"), lambda c: c.summary),
        Column(
            "lead_agency",
            _("主担当"),
            lambda c: _agency(c.lead_agency),
            order=("lead_agency__kana",),
        ),
        Column(
            "coordinator",
            _("担当推進員"),
            lambda c: _user(c.coordinator),
            order=("coordinator__kana",),
        ),
        Column("team", _("チーム"), lambda c: c.team_size, order=("team_size",), css="num"),
        Column("opened_on", _("受付日"), lambda c: c.opened_on, order=("opened_on",)),
        Column(
            "next_monitoring_on",
            _("次回モニタリング"),
            lambda c: c.next_monitoring_on,
            order=("next_monitoring_on",),
        ),
        Column(
            "coordinating_agency",
            _("調整機関"),
            lambda c: _agency(c.coordinating_agency),
            shown=False,
        ),
        Column("closed_on", _("終結日"), lambda c: c.closed_on, shown=False),
        Column(
            "closure_reason", _("終結理由"), lambda c: c.get_closure_reason_display(), shown=False
        ),
        Column("reopen_count", _("再開回数"), lambda c: c.reopen_count, shown=False),
    ],
)


CONSULTATIONS = ListSpec(
    name="consultations",
    default_sort="-received_at",
    columns=[
        Column("id", _("受付ID"), lambda c: str(c.public_id), shown=False),
        Column("received_at", _("受付日時"), lambda c: c.received_at, order=("received_at",)),
        Column("agency", _("受付機関"), lambda c: _agency(c.agency), order=("agency__kana",)),
        Column("route", _("相談経路"), lambda c: c.get_route_display(), order=("route",)),
        Column("consulter", _("相談者"), lambda c: c.get_consulter_kind_display()),
        Column("consulter_note", _("相談者(補足)"), lambda c: c.consulter_note, shown=False),
        Column(
            "person",
            _("本人登録"),
            lambda c: gettext("あり") if c.person_id else gettext("なし"),
            shown=False,
        ),
        Column(
            "household",
            _("世帯登録"),
            lambda c: gettext("あり") if c.household_id else gettext("なし"),
            shown=False,
        ),
        Column("categories", _("課題の分類"), lambda c: "・".join(c.category_labels())),
        Column("urgency", _("緊急度"), lambda c: c.get_urgency_display(), order=("urgency",)),
        Column("outcome", _("対応結果"), lambda c: c.get_outcome_display(), order=("outcome",)),
        Column("staff", _("受付者"), lambda c: _user(c.staff), order=("staff__kana",)),
        Column("minutes", _("対応時間(分)"), lambda c: c.minutes_spent, shown=False),
        Column("staff_count", _("対応職員数"), lambda c: c.staff_count, shown=False),
        Column("summary", _("相談内容"), lambda c: c.summary, shown=False),
        Column("response", _("対応内容"), lambda c: c.response, shown=False),
    ],
)


REFERRALS_RECEIVED = ListSpec(
    name="referrals_received",
    default_sort="answer_due_on",
    columns=[
        Column("number", _("シート番号"), lambda r: r.number, order=("number",)),
        Column("sent_at", _("送付日"), lambda r: r.sent_at, order=("sent_at",)),
        Column(
            "from_agency",
            _("つなぎ元"),
            lambda r: _agency(r.from_agency),
            order=("from_agency__kana",),
        ),
        Column("variant", _("様式"), lambda r: r.get_variant_display(), order=("variant",)),
        Column("triggers", _("つなぐ理由"), lambda r: "・".join(r.trigger_labels())),
        Column("urgency", _("緊急度"), lambda r: r.get_urgency_display(), order=("urgency",)),
        Column("status", _("状態"), lambda r: r.get_status_display(), order=("status",)),
        Column("answer_due_on", _("回答期限"), lambda r: r.answer_due_on, order=("answer_due_on",)),
        Column("assignee", _("担当"), lambda r: _user(r.assignee), order=("assignee__kana",)),
        Column("answered_at", _("回答日時"), lambda r: r.answered_at, shown=False),
        Column("case", _("支援ケース"), lambda r: _case_number(r), shown=False),
    ],
)


REFERRALS_SENT = ListSpec(
    name="referrals_sent",
    default_sort="-sent_at",
    columns=[
        Column("number", _("シート番号"), lambda r: r.number, order=("number",)),
        Column(
            "person",
            _("本人"),
            lambda r: r.person.full_name if r.person_id else gettext("世帯"),
            order=("person__family_name_kana", "person__given_name_kana"),
        ),
        Column(
            "to_agency", _("つなぎ先"), lambda r: _agency(r.to_agency), order=("to_agency__kana",)
        ),
        Column(
            "from_worker", _("作成者"), lambda r: _user(r.from_worker), order=("from_worker__kana",)
        ),
        Column("sent_at", _("送付日"), lambda r: r.sent_at, order=("sent_at",)),
        Column("status", _("状態"), lambda r: r.get_status_display(), order=("status",)),
        Column("case", _("支援ケース"), lambda r: _case_number(r)),
        Column("answer_due_on", _("回答期限"), lambda r: r.answer_due_on, shown=False),
        Column("answered_at", _("回答日時"), lambda r: r.answered_at, shown=False),
    ],
)


def _case_number(referral) -> str:
    case = getattr(referral, "case", None)
    return case.number if case else ""

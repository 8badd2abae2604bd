"""The reasons the system writes on a support case's status change (CaseTransition) and 主担当
period (LeadAgencyHistory), by code: one registry of translatable templates.

A reason the system generates ("アセスメント開始", "評価第2回の決定: 終結") is stored as a code and
parameters, so each reader sees it in their own language whoever acted — the case page's history,
the team page and the API render it at read time (`render`). A reason a user typed is stored and
shown as typed (empty code). The Japanese text is still stored in `reason` as a snapshot: it is
what rows from before the codes show, and the fallback if a code is ever retired. Migration
0015 gave the codes to older rows whose text is one of these reasons.

Parameters follow agencies.coded_text: numbers as they are, choices (`choice()`) as the reader's
label, text a meeting recorded (the changes of an approval) as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from agencies.coded_text import choice, fill, in_primary_language

REASONS = {
    # --- status changes a sheet brings with it ---
    "assessment_started": _("アセスメント開始"),
    "planning_started": _("プラン作成開始"),
    "plan_submitted": _("プランを会議に提出"),
    "evaluation_started": _("評価を開始"),
    # --- decisions of a meeting ---
    "plan_approved": _("プラン第%(n)s版を承認"),
    "plan_approved_with_changes": _("プラン第%(n)s版を承認(修正あり: %(changes)s)"),
    "evaluation_decided": _("評価第%(n)s回の決定: %(decision)s"),
    # a meeting decision without a note: the decision's label (meetings.decision.kind)
    "meeting_decision": "%(decision)s",
    # --- closure by death or moving away: the closure reason's label ---
    "closure": "%(closure)s",
    # --- 主担当 ---
    "lead_at_intake": _("受付時"),
}
# The codes a status change may carry (the API documents these); the rest are 主担当 periods'.
TRANSITION_CODES = [code for code in REASONS if code != "lead_at_intake"]


@dataclass(frozen=True)
class Coded:
    """A system-generated reason: a code of REASONS and its parameters (plain JSON)."""

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in REASONS:
            raise ValueError(f"unknown reason code: {self.code}")


def coded(code: str, **params) -> Coded:
    return Coded(code, params)


def plan_approved(number: int, changes: str = "") -> Coded:
    if changes:
        return coded("plan_approved_with_changes", n=number, changes=changes)
    return coded("plan_approved", n=number)


def evaluation_decided(number: int, decision: str) -> Coded:
    return coded(
        "evaluation_decided", n=number, decision=choice("cases.evaluation.decision", decision)
    )


def closure(reason: str) -> Coded:
    return coded("closure", closure=choice("cases.supportcase.closure_reason", reason))


def meeting_decision(kind: str) -> Coded:
    return coded("meeting_decision", decision=choice("meetings.decision.kind", kind))


def stored(reason: str | Coded, *, max_length: int | None = None) -> dict:
    """The model fields for a reason: text a user typed as typed (no code); a coded reason as
    its code, parameters and the Japanese snapshot."""
    if isinstance(reason, Coded):
        text = in_primary_language(lambda: fill(REASONS, reason.code, reason.params) or "")
        code, params = reason.code, dict(reason.params)
    else:
        text, code, params = str(reason), "", {}
    return {"reason": text[:max_length], "reason_code": code, "reason_params": params}


def render(code: str, params: Mapping | None, text: str) -> str:
    """The reason in the active language; the stored text for a typed reason, an older row or a
    code that no longer renders."""
    if code:
        rendered = fill(REASONS, code, params)
        if rendered is not None:
            return rendered
    return text

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

# What each code means, with its parameters named rather than filled: the API schema lists the
# codes with these (a client that knows the code may word the reason itself); the reason as shown
# is REASONS filled with the row's parameters.
LABELS = {
    "assessment_started": _("アセスメント開始"),
    "planning_started": _("プラン作成開始"),
    "plan_submitted": _("プランを会議に提出"),
    "evaluation_started": _("評価を開始"),
    "plan_approved": _("会議がプラン第n版を承認"),
    "plan_approved_with_changes": _("会議がプラン第n版を修正のうえ承認(修正内容つき)"),
    "evaluation_decided": _("会議が評価第n回を決定(決定内容つき)"),
    "meeting_decision": _("会議の決定(決定の種類。例: 再アセスメント)"),
    "closure": _("死亡・転出による終結(終結理由)"),
    "lead_at_intake": _("受付時の主担当"),
}
# A reason without a code: typed by a user, or recorded before the codes.
NO_CODE_LABEL = _("コードなし(入力された理由、またはコード導入前の記録)")


def code_choices(codes) -> list[tuple[str, str]]:
    """(code, label) choices for a serializer's reason_code: "" first (a reason without a code),
    then `codes` — what the API answers, each with what it means."""
    return [("", NO_CODE_LABEL), *((code, LABELS[code]) for code in codes)]


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

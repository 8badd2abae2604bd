"""The bridge from meeting decisions to the support-case lifecycle (cases.services.support).

Decisions are the main path for case transitions: plan approval → 支援実施, re-assessment,
and the evaluation decision (終結 / 継続 / 再プラン / つなぎもどし). Each call passes the agenda
item's opaque reference (`via_item`) so the case history links back to the meeting. The calls
run inside the decision's transaction: if the lifecycle refuses, nothing of the decision stays.

Role assignments (役割分担) of a decision that approves a plan, or continues / re-plans under
one, become rows of that approved plan (`roles_to_plan`); all others stay tasks of their owner.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.jpdates import format_date

from .choices import DecisionKind

# Meeting decision → Evaluation.Decision value of the cases app.
EVALUATION_DECISIONS = {
    DecisionKind.CLOSURE_APPROVED: "close",
    DecisionKind.CONTINUE: "continue",
    DecisionKind.REPLAN: "replan",
    DecisionKind.HAND_BACK: "hand_back",
}


def _support():
    try:
        from cases.services import support
    except ImportError as exc:  # the lifecycle module is part of the cases app
        raise ValidationError(
            _("支援ケースの状態管理が利用できないため、決定を記録できません。")
        ) from exc
    return support


def send_to_meeting(*, case, actor) -> None:
    """Mark a case as 会議付議 when its plan goes on an agenda. plan_submit usually did it
    already; a case still in プラン作成/再プラン is moved when the secretariat may manage it (the
    status is informational for the agenda, so a refusal does not block the agenda)."""
    if case.status not in ("planning", "replan") or not case.can_move_to("in_meeting"):
        return
    try:
        with transaction.atomic():
            _support().case_send_to_meeting(case=case, actor=actor)
    except (PermissionDenied, ValidationError):
        return


# Decisions under which the agreed roles become rows of the case's approved plan.
PLAN_DECISIONS = (
    DecisionKind.PLAN_APPROVED,
    DecisionKind.PLAN_APPROVED_WITH_CHANGES,
    DecisionKind.CONTINUE,
    DecisionKind.REPLAN,
)

NO_RIGHT = gettext_lazy(
    "この決定を支援ケースに反映する権限がありません。ケースの担当推進員、または多機関協働・主担当機関の係長が記録してください。"
)


def apply_decision(*, item, decision, actor, lead_agency=None, closure_reason=None) -> str:
    """Call the lifecycle service for the decision; returns a label of what was done ('' if the
    decision does not move a case). A lifecycle refusal becomes a ValidationError so the caller's
    transaction rolls back and the user reads why."""
    try:
        return _apply(
            item=item,
            decision=decision,
            actor=actor,
            lead_agency=lead_agency,
            closure_reason=closure_reason,
        )
    except PermissionDenied:
        raise ValidationError(str(NO_RIGHT)) from None


def roles_to_plan(*, item, decision, actor) -> int:
    """Make each role assignment of a plan decision a row of the case's approved plan (the plan
    just approved, or the one the evaluation looked at), linked back by `plan_item`. Returns how
    many rows were added; 0 when the decision does not follow a plan or the case has no approved
    plan (the assignments then stay tasks). Call after `apply_decision`, in its transaction."""
    if decision.kind not in PLAN_DECISIONS or item.case_id is None:
        return 0
    roles = list(decision.roles.filter(plan_item__isnull=True).order_by("pk"))
    if not roles:
        return 0
    support = _support()
    subject = item.subject
    preferred = None
    if subject is not None:
        model = subject._meta.model_name
        preferred = subject if model == "plan" else getattr(subject, "plan", None)
    plan = support.plan_for_assignments(item.case, preferred=preferred)
    if plan is None:
        return 0
    meeting = item.meeting
    label = f"{meeting.body.name} {format_date(meeting.date, seireki=False)}"
    try:
        for role in roles:
            role.plan_item = support.plan_item_add_from_assignment(
                plan=plan,
                actor=actor,
                agency=role.owner_agency,
                staff=role.owner_user,
                action=role.task,
                due_on=role.due_on,
                issue=str(_("会議で決めた役割分担")),
                decided_on=decision.decided_on,
                via_item=item.ref,
                via_label=label,
            )
            role.save(update_fields=["plan_item"])
    except PermissionDenied:
        raise ValidationError(str(NO_RIGHT)) from None
    return len(roles)


def _apply(*, item, decision, actor, lead_agency=None, closure_reason=None) -> str:
    kind = decision.kind
    via = item.ref
    subject = item.subject
    if kind in (DecisionKind.PLAN_APPROVED, DecisionKind.PLAN_APPROVED_WITH_CHANGES):
        if subject is None or subject._meta.model_name != "plan":
            raise ValidationError(_("この議題には承認するプランが結び付いていません。"))
        _support().plan_approve(
            plan=subject,
            actor=actor,
            decided_on=decision.decided_on,
            with_changes=decision.changes
            if kind == DecisionKind.PLAN_APPROVED_WITH_CHANGES
            else "",
            via_item=via,
        )
        return "plan_approve"
    if kind == DecisionKind.REASSESS:
        if item.case is None:
            raise ValidationError(_("再アセスメントを決めるには、議題に支援ケースが必要です。"))
        support = _support()
        from cases import reasons

        support.case_request_reassessment(
            case=item.case,
            actor=actor,
            # no note: the decision itself, in each reader's language
            reason=decision.text or reasons.meeting_decision(DecisionKind.REASSESS),
            decided_on=decision.decided_on,
            via_item=via,
        )
        return "case_request_reassessment"
    if kind in EVALUATION_DECISIONS:
        if subject is None or subject._meta.model_name != "evaluation":
            raise ValidationError(_("この議題には評価シートが結び付いていません。"))
        _support().evaluation_decide(
            evaluation=subject,
            actor=actor,
            decided_on=decision.decided_on,
            decision=EVALUATION_DECISIONS[kind],
            lead_agency=lead_agency,
            closure_reason=closure_reason,
            via_item=via,
        )
        return "evaluation_decide"
    return ""

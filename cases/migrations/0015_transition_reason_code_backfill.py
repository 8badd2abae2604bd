"""Give the reason codes (cases.reasons) to the status changes and 主担当 periods recorded before
them, so their system-written reasons show in each reader's language too.

Before the codes, the system wrote these reasons in the language of whoever acted: Japanese, or
English for a user in English mode. Both are recognised here, as the texts were then (frozen: the
catalogue may change later). A reason a user typed matches none of them and keeps no code; it
shows as typed, as does any row this does not recognise. The stored text is left as it is, so
going back is a no-op.
"""

import re

from django.db import migrations

# code → the texts the system wrote for it (Japanese, English)
EXACT = {
    "assessment_started": ("アセスメント開始", "Assessment started"),
    "planning_started": ("プラン作成開始", "Planning started"),
    "plan_submitted": ("プランを会議に提出", "Plan submitted to meeting"),
    "evaluation_started": ("評価を開始", "Evaluation started"),
}
LEAD_EXACT = {"lead_at_intake": ("受付時", "At intake")}

PLAN_APPROVED = [re.compile(r"プラン第(\d+)版を承認"), re.compile(r"Plan version (\d+) approved")]
PLAN_APPROVED_WITH_CHANGES = [
    re.compile(r"プラン第(\d+)版を承認\(修正あり: (.*)\)", re.S),
    re.compile(r"Plan version (\d+) approved \(with changes: (.*)\)", re.S),
]
EVALUATION_DECIDED = [
    re.compile(r"評価第(\d+)回の決定: (.+)", re.S),
    re.compile(r"Decision on evaluation round (\d+): (.+)", re.S),
]
DECISIONS = {
    "終結": "close",
    "Closure": "close",
    "継続": "continue",
    "Continue": "continue",
    "再プラン": "replan",
    "Re-plan": "replan",
    "つなぎもどし": "hand_back",
    "Hand-back": "hand_back",
}
CLOSURES = {"死亡": "died", "Died": "died", "転出": "moved", "Moved away": "moved"}
REASSESS = ("再アセスメント", "Reassessment")


def _choice(field: str, value: str) -> dict:
    return {"choice": field, "value": value}


def _evaluation_decided(text: str):
    for pattern in EVALUATION_DECIDED:
        m = pattern.fullmatch(text)
        if m and m.group(2) in DECISIONS:
            decision = _choice("cases.evaluation.decision", DECISIONS[m.group(2)])
            return "evaluation_decided", {"n": int(m.group(1)), "decision": decision}
    return None


def transition_code(text: str, *, to_status: str, via: str):
    """(code, params) for a transition's stored reason, or None."""
    for code, texts in EXACT.items():
        if text in texts:
            return code, {}
    for pattern in PLAN_APPROVED_WITH_CHANGES:
        if m := pattern.fullmatch(text):
            return "plan_approved_with_changes", {"n": int(m.group(1)), "changes": m.group(2)}
    for pattern in PLAN_APPROVED:
        if m := pattern.fullmatch(text):
            return "plan_approved", {"n": int(m.group(1))}
    if found := _evaluation_decided(text):
        return found
    if to_status == "closed" and text in CLOSURES:
        return "closure", {"closure": _choice("cases.supportcase.closure_reason", CLOSURES[text])}
    if to_status == "assessment" and via == "meeting" and text in REASSESS:
        return "meeting_decision", {"decision": _choice("meetings.decision.kind", "reassess")}
    return None


def lead_code(text: str):
    for code, texts in LEAD_EXACT.items():
        if text in texts:
            return code, {}
    return _evaluation_decided(text)


def forwards(apps, schema_editor):
    CaseTransition = apps.get_model("cases", "CaseTransition")
    LeadAgencyHistory = apps.get_model("cases", "LeadAgencyHistory")
    changed = []
    rows = CaseTransition.objects.filter(reason_code="").exclude(reason="")
    for row in rows.only("pk", "reason", "to_status", "via").iterator():
        found = transition_code(row.reason, to_status=row.to_status, via=row.via)
        if found:
            row.reason_code, row.reason_params = found
            changed.append(row)
    CaseTransition.objects.bulk_update(changed, ["reason_code", "reason_params"], batch_size=500)
    changed = []
    rows = LeadAgencyHistory.objects.filter(reason_code="").exclude(reason="")
    for row in rows.only("pk", "reason").iterator():
        if found := lead_code(row.reason):
            row.reason_code, row.reason_params = found
            changed.append(row)
    LeadAgencyHistory.objects.bulk_update(changed, ["reason_code", "reason_params"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_transition_reason_code")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]

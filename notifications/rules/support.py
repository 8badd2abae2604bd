"""Support-case rules (多機関協働): assessment, plan, monitoring, evaluation, inactivity, and the
check after closure. Calendar days; every rule reads its rows in one or two queries.

Recipients follow the case: the case's coordinator (担当推進員) while still in post, else the
coordinators of the coordinating agency (or of the lead agency); escalation goes to the
supervisors of those agencies.
"""

from datetime import timedelta

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..models import Level, ref_for
from .registry import Directory, Hit, RuleContext, Setting, register, safe_url, steps_passed

OPEN = ("received", "assessment", "planning", "in_meeting", "supporting", "evaluation", "replan")
CASE_FIELDS = (
    "id",
    "public_id",
    "number",
    "coordinator_id",
    "coordinating_agency_id",
    "lead_agency_id",
)


def case_owner(d: Directory, case) -> set[int]:
    if d.is_current(case.coordinator_id):
        return {case.coordinator_id}
    return d.coordinators(case.coordinating_agency_id) or d.coordinators(case.lead_agency_id)


def case_supervisors(d: Directory, case) -> set[int]:
    return (
        d.supervisors(case.coordinating_agency_id)
        or d.supervisors(case.lead_agency_id)
        or d.supervisors_of_user(case.coordinator_id)
    )


def case_url(case) -> str:
    return safe_url(case, "cases:case_detail", case.public_id)


def _agency(case) -> int | None:
    return case.coordinating_agency_id or case.lead_agency_id


def _two_step(ctx, setting, case, *, ref, due, subject, title, params, start=None) -> list[Hit]:
    """Owner when `start` (default: the day after `due`) has come, supervisors after E more days.
    Every step reached is returned (a missed run loses nothing; sent steps are no-ops)."""
    start = start or due + timedelta(days=1)
    reached = steps_passed(ctx.today, start, setting.escalation, 1)
    d = ctx.directory
    hits = []
    for step in range(reached + 1):
        recipients = case_owner(d, case) if step == 0 else case_supervisors(d, case)
        if not recipients:
            continue
        hits.append(
            Hit(
                object_ref=ref,
                due_date=due,
                step=step,
                recipients=recipients,
                subject=subject,
                title=title,
                params=params,
                body=("escalated.supervisors",) if step == 1 else (),
                url=case_url(case),
                agency_id=_agency(case),
                level=Level.URGENT if step else Level.NORMAL,
            )
        )
    return hits


@register(
    code="assessment_overdue",
    area="support",
    label=_("アセスメント未実施"),
    description=_("受付(受理)からN日たっても、インテーク・アセスメントシートが作成されていない。"),
    threshold_label=_("受付からの日数"),
    default_threshold=14,
    default_escalation=7,
    unit="days",
    requires=("cases.SupportCase.opened_on", "cases.Assessment.case"),
)
def assessment_overdue(ctx: RuleContext, setting: Setting):
    from cases.models import Assessment, SupportCase

    cases = (
        SupportCase.objects.filter(
            status__in=OPEN, opened_on__lt=ctx.today - timedelta(days=setting.threshold)
        )
        .annotate(has_assessment=Exists(Assessment.objects.filter(case=OuterRef("pk"))))
        .filter(has_assessment=False)
        .only(*CASE_FIELDS, "opened_on")
        .order_by("pk")
    )
    for case in cases.iterator(chunk_size=2000):
        due = case.opened_on + timedelta(days=setting.threshold)
        yield from _two_step(
            ctx,
            setting,
            case,
            ref=ref_for("cases.supportcase", case.pk),
            due=due,
            subject=case.number,
            title="assessment_overdue.title",
            params={"n": case.number, "days": setting.threshold},
        )


@register(
    code="plan_overdue",
    area="support",
    label=_("プラン未提出"),
    description=_("アセスメントからN日たっても、プランが会議に提出(または承認)されていない。"),
    threshold_label=_("アセスメントからの日数"),
    default_threshold=30,
    default_escalation=14,
    unit="days",
    requires=("cases.Assessment.assessed_on", "cases.Plan.assessment", "cases.Plan.submitted_at"),
)
def plan_overdue(ctx: RuleContext, setting: Setting):
    from cases.models import Assessment, Plan

    submitted_plan = Plan.objects.filter(
        case=OuterRef("case_id"), status__in=["submitted", "approved"]
    ).filter(Q(assessment=OuterRef("pk")) | Q(drafted_on__gte=OuterRef("assessed_on")))
    rows = (
        Assessment.objects.filter(
            superseded_at__isnull=True,
            case__status__in=OPEN,
            assessed_on__lt=ctx.today - timedelta(days=setting.threshold),
        )
        .annotate(has_plan=Exists(submitted_plan))
        .filter(has_plan=False)
        .select_related("case")
        .only("id", "assessed_on", *(f"case__{f}" for f in CASE_FIELDS))
        .order_by("pk")
    )
    for a in rows.iterator(chunk_size=2000):
        case = a.case
        due = a.assessed_on + timedelta(days=setting.threshold)
        yield from _two_step(
            ctx,
            setting,
            case,
            ref=ref_for("cases.assessment", a.pk),
            due=due,
            subject=case.number,
            title="plan_overdue.title",
            params={"n": case.number, "days": setting.threshold},
        )


@register(
    code="monitoring_due",
    area="support",
    label=_("モニタリング予定日"),
    description=_(
        "承認済みプランの項目ごとの次回モニタリング日。N日前に担当者へ、過ぎたら担当者、"
        "さらに経過すると主担当機関の推進員、係長の順に知らせる。"
    ),
    threshold_label=_("予定日の何日前に知らせるか"),
    default_threshold=7,
    default_escalation=7,
    unit="days",
    requires=("cases.PlanItem.staff", "cases.Monitoring.next_on", "cases.Plan.next_monitoring_on"),
)
def monitoring_due(ctx: RuleContext, setting: Setting):
    """Ladder: 0 approaching → 1 overdue (staff) → 2 lead agency coordinators → 3 supervisors."""
    from cases.models import Monitoring, PlanItem

    latest = Monitoring.objects.filter(item=OuterRef("pk")).order_by("-monitored_on", "-pk")
    has_monitoring = Exists(Monitoring.objects.filter(item=OuterRef("pk")))
    rows = (
        PlanItem.objects.filter(plan__status="approved", plan__case__status__in=OPEN)
        .annotate(
            monitored=has_monitoring,
            last_next=Subquery(latest.values("next_on")[:1]),
        )
        .annotate(due=Coalesce(F("last_next"), F("plan__next_monitoring_on")))
        .filter(due__isnull=False, due__lte=ctx.today + timedelta(days=setting.threshold))
        # An item whose latest monitoring set no next date is finished (達成・中止).
        .exclude(monitored=True, last_next__isnull=True)
        .select_related("plan__case")
        .only(
            "id",
            "order",
            "staff_id",
            "agency_id",
            "plan__id",
            *(f"plan__case__{f}" for f in CASE_FIELDS),
        )
        .order_by("pk")
    )
    d = ctx.directory
    for item in rows.iterator(chunk_size=2000):
        case, due = item.plan.case, item.due
        if ctx.today < due - timedelta(days=setting.threshold):
            continue
        if ctx.today <= due:
            step = 0
        else:
            # overdue: day 1..E → 1 (staff), E+1..2E → 2 (lead agency), later → 3 (supervisors)
            step = 1 + steps_passed(ctx.today, due + timedelta(days=1), setting.escalation, 2)
        responsible = (
            {item.staff_id} if d.is_current(item.staff_id, item.agency_id) else set()
        ) or case_owner(d, case)
        ladder = {
            0: responsible,
            1: responsible,
            2: d.coordinators(case.lead_agency_id) or case_owner(d, case),
            3: d.supervisors(case.lead_agency_id) or case_supervisors(d, case),
        }
        n = item.order or 0
        # Approaching: step 0 only. Overdue: every overdue step reached (1..step).
        for s in [0] if step == 0 else range(1, step + 1):
            if not ladder[s]:
                continue
            yield Hit(
                object_ref=ref_for("cases.planitem", item.pk),
                due_date=due,
                step=s,
                recipients=ladder[s],
                subject=case.number,
                title="monitoring_due.approaching" if s == 0 else "monitoring_due.overdue",
                params={"n": case.number, "date": due.strftime("%Y-%m-%d"), "i": n},
                body=("escalated.upper",) if s >= 2 else (),
                url=case_url(case),
                agency_id=case.lead_agency_id,
                level=Level.URGENT if s >= 2 else Level.NORMAL,
            )


@register(
    code="evaluation_due",
    area="support",
    label=_("評価の時期(プラン期間の終了)"),
    description=_("承認済みプランの支援期間の終了N日前から、評価シートが会議に提出されるまで。"),
    threshold_label=_("期間終了の何日前に知らせるか"),
    default_threshold=14,
    default_escalation=14,
    unit="days",
    requires=("cases.Plan.period_end", "cases.Evaluation.plan"),
)
def evaluation_due(ctx: RuleContext, setting: Setting):
    from cases.models import Evaluation, Plan

    rows = (
        Plan.objects.filter(
            status="approved",
            case__status__in=OPEN,
            period_end__isnull=False,
            period_end__lte=ctx.today + timedelta(days=setting.threshold),
        )
        .annotate(
            evaluated=Exists(
                Evaluation.objects.filter(plan=OuterRef("pk"), status__in=["ready", "decided"])
            )
        )
        .filter(evaluated=False)
        .select_related("case")
        .only("id", "period_end", *(f"case__{f}" for f in CASE_FIELDS))
        .order_by("pk")
    )
    d = ctx.directory
    for plan in rows.iterator(chunk_size=2000):
        case, due = plan.case, plan.period_end
        if ctx.today <= due:
            steps = [0]
        else:
            steps = range(
                1, 2 + steps_passed(ctx.today, due + timedelta(days=1), setting.escalation, 1)
            )
        for step in steps:
            recipients = case_supervisors(d, case) if step == 2 else case_owner(d, case)
            if not recipients:
                continue
            yield Hit(
                object_ref=ref_for("cases.plan", plan.pk),
                due_date=due,
                step=step,
                recipients=recipients,
                subject=case.number,
                title="evaluation_due.approaching" if step == 0 else "evaluation_due.overdue",
                params={"n": case.number, "date": due.strftime("%Y-%m-%d")},
                url=case_url(case),
                agency_id=_agency(case),
                level=Level.URGENT if step == 2 else Level.NORMAL,
            )


@register(
    code="case_inactive",
    area="support",
    label=_("支援経過の記録がないケース"),
    description=_(
        "継続中のケースで、最後の支援経過記録(または受付・状態の変更)からN日間記録がない。"
    ),
    threshold_label=_("記録がない日数"),
    default_threshold=60,
    default_escalation=30,
    unit="days",
    requires=("cases.ActivityNote.occurred_at", "cases.SupportCase.status_changed_at"),
)
def case_inactive(ctx: RuleContext, setting: Setting):
    from django.utils import timezone

    from cases.models import SupportCase

    cutoff = ctx.today - timedelta(days=setting.threshold)
    rows = (
        SupportCase.objects.filter(status__in=OPEN, opened_on__lt=cutoff)
        .annotate(last_note=Max("notes__occurred_at"))
        .filter(Q(last_note__isnull=True) | Q(last_note__date__lt=cutoff))
        .only(*CASE_FIELDS, "opened_on", "status_changed_at")
        .order_by("pk")
    )
    for case in rows.iterator(chunk_size=2000):
        dates = [case.opened_on, timezone.localdate(case.status_changed_at)]
        if case.last_note:
            dates.append(timezone.localdate(case.last_note))
        last = max(dates)
        due = last + timedelta(days=setting.threshold)
        yield from _two_step(
            ctx,
            setting,
            case,
            ref=ref_for("cases.supportcase", case.pk),
            due=due,
            subject=case.number,
            title="case_inactive.title",
            params={"n": case.number, "date": last.strftime("%Y-%m-%d")},
        )


@register(
    code="post_closure_check",
    area="support",
    label=_("終結後の確認"),
    description=_(
        "終結したケース(転出・死亡を除く)の終結後の確認日(見守り継続: 会議の決定で設定、"
        "未設定なら終結からN日後)に、主担当機関へ一度だけ知らせる。"
        "確認の支援経過記録を残すか、ケースを再開すると解消。"
    ),
    threshold_label=_("終結から確認までの日数(確認日が未設定のとき)"),
    default_threshold=90,
    default_escalation=30,
    unit="days",
    requires=(
        "cases.SupportCase.closed_on",
        "cases.SupportCase.closure_reason",
        "cases.SupportCase.followup_on",
        "cases.ActivityNote.occurred_at",
    ),
)
def post_closure_check(ctx: RuleContext, setting: Setting):
    from django.utils import timezone

    from cases.models import SupportCase

    fallback = ctx.today - timedelta(days=setting.threshold)
    rows = (
        SupportCase.objects.filter(status="closed", closed_on__isnull=False)
        .filter(
            Q(followup_on__lte=ctx.today) | Q(followup_on__isnull=True, closed_on__lte=fallback)
        )
        .exclude(closure_reason__in=["moved", "died"])
        .annotate(last_note=Max("notes__occurred_at"))
        .only(*CASE_FIELDS, "closed_on", "followup_on", "followup_note")
        .order_by("pk")
    )
    d = ctx.directory
    for case in rows.iterator(chunk_size=2000):
        due = case.followup_on or case.closed_on + timedelta(days=setting.threshold)
        if case.last_note and timezone.localdate(case.last_note) >= due:
            continue  # checked: a note on or after the check date
        # Once, to the 主担当 (lead agency) that carries the case after closure.
        recipients = (
            d.coordinators(case.lead_agency_id)
            or d.supervisors(case.lead_agency_id)
            or case_owner(d, case)
        )
        if not recipients:
            continue
        yield Hit(
            object_ref=ref_for("cases.supportcase", case.pk),
            due_date=due,
            step=0,
            recipients=recipients,
            agency_id=case.lead_agency_id or _agency(case),
            subject=case.number,
            title="post_closure_check.title",
            params={"n": case.number, "date": due.strftime("%Y-%m-%d")},
            # The note typed when the case was closed, else the standing instruction.
            body=() if case.followup_note else ("post_closure_check.body",),
            body_text=case.followup_note,
            url=case_url(case),
        )

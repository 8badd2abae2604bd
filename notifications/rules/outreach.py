"""Outreach rules (アウトリーチ等事業): a target nobody has contacted for N days, and a target
closed as "refused for now" whose next try date has come. Calendar days; one query per rule.

Recipients: the target's lead worker while in post at the holding agency, else the agency's CSWs
and coordinators; escalation goes to the agency's supervisors.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import Role

from ..models import Level, ref_for
from .registry import Directory, Hit, RuleContext, Setting, register, safe_url, steps_passed

FIELDS = ("id", "public_id", "number", "agency_id", "lead_worker_id", "created_at")


def _owner(d: Directory, target) -> set[int]:
    if d.is_current(target.lead_worker_id, target.agency_id):
        return {target.lead_worker_id}
    return d.with_role(target.agency_id, Role.CSW, Role.COORDINATOR)


def _url(target) -> str:
    return safe_url(target, "outreach:target_detail", target.public_id)


@register(
    code="outreach_stagnant",
    area="outreach",
    label=_("アウトリーチ対象者への接触の停滞"),
    description=_(
        "終結していないアウトリーチ対象者に、N日間だれも接触(手紙・電話・訪問など)していない。"
    ),
    threshold_label=_("最後の接触からの日数"),
    default_threshold=30,
    default_escalation=14,
    unit="days",
    requires=("outreach.OutreachTarget.last_contact_at",),
)
def outreach_stagnant(ctx: RuleContext, setting: Setting):
    """Step 0 → the lead worker (or the agency's CSWs); step 1 after E more days → supervisors."""
    from outreach.models import OutreachTarget

    targets = (
        OutreachTarget.objects.stagnant(ctx.today, setting.threshold)
        .only(*FIELDS, "last_contact_at")
        .order_by("pk")
    )
    d = ctx.directory
    for target in targets.iterator(chunk_size=2000):
        last = target.last_contact_at or target.created_at
        due = timezone.localdate(last) + timedelta(days=setting.threshold)
        reached = steps_passed(ctx.today, due, setting.escalation, 1)
        for step in range(reached + 1):
            recipients = _owner(d, target) if step == 0 else d.supervisors(target.agency_id)
            if not recipients:
                continue
            yield Hit(
                object_ref=ref_for("outreach.outreachtarget", target.pk),
                due_date=due,
                step=step,
                recipients=recipients,
                subject=target.number,
                title="outreach_stagnant.title",
                params={"n": target.number, "days": setting.threshold},
                body=("outreach_stagnant.body",) if step == 0 else ("outreach_stagnant.escalated",),
                url=_url(target),
                agency_id=target.agency_id,
                level=Level.URGENT if step else Level.NORMAL,
            )


@register(
    code="outreach_retry_due",
    area="outreach",
    label=_("拒否で終結した対象者への再接触"),
    description=_(
        "「本人の拒否(時期をみて再度接触)」で終結した対象者の次回接触予定日のN日前に知らせる。"
    ),
    threshold_label=_("予定日の何日前に知らせるか"),
    default_threshold=7,
    default_escalation=14,
    unit="days",
    requires=("outreach.OutreachTarget.next_try_on",),
)
def outreach_retry_due(ctx: RuleContext, setting: Setting):
    from outreach.models import ClosureReason, OutreachTarget, Stage

    targets = (
        OutreachTarget.objects.filter(
            stage=Stage.CLOSED,
            closure_reason=ClosureReason.REFUSED,
            next_try_on__isnull=False,
            next_try_on__lte=ctx.today + timedelta(days=setting.threshold),
        )
        .only(*FIELDS, "next_try_on")
        .order_by("pk")
    )
    d = ctx.directory
    for target in targets.iterator(chunk_size=2000):
        recipients = _owner(d, target)
        if not recipients:
            continue
        yield Hit(
            object_ref=ref_for("outreach.outreachtarget", target.pk),
            due_date=target.next_try_on,
            step=0,
            recipients=recipients,
            subject=target.number,
            title="outreach_retry_due.title",
            params={"n": target.number, "d": target.next_try_on.isoformat()},
            url=_url(target),
            agency_id=target.agency_id,
            level=Level.NORMAL,
        )

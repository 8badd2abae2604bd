"""参加支援: a placement (見学・体験・参加) with no follow-up for N days. 定着支援 means regular
contact with the person and the host; a placement nobody has looked in on is how people drop
out unnoticed. Calendar days; one query for all placements.

Recipients: the placement's 参加支援員 while still in post at the placement's agency, else that
agency's supervisors and 参加支援員; after E more days the agency's supervisors too.
"""

from datetime import timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from agencies.choices import Role

from ..models import Level, ref_for
from .registry import Hit, RuleContext, Setting, register, safe_url, steps_passed


@register(
    code="placement_follow_up_gap",
    area="participation",
    label=_("参加先のフォローアップ"),
    description=_(
        "見学・体験・参加中の参加先に、本人または受け入れ先へのフォローアップがN日間ない。"
        "担当の参加支援員に知らせ、さらに経過すると係長に知らせる。"
    ),
    threshold_label=_("最後のフォローアップ(または状態の変更)からの日数"),
    default_threshold=14,
    default_escalation=7,
    unit="days",
    requires=("participation.Placement.status", "participation.FollowUp.on"),
)
def placement_follow_up_gap(ctx: RuleContext, setting: Setting):
    from participation.models import Placement

    cutoff = ctx.today - timedelta(days=setting.threshold)
    rows = (
        Placement.objects.filter(status__in=list(Placement.FOLLOWED))
        .annotate(last=Max("follow_ups__on"))
        .annotate(since=Greatest(Coalesce("last", "status_changed_on"), "status_changed_on"))
        .filter(since__lt=cutoff)
        .select_related("case", "resource")
        .only(
            "id",
            "public_id",
            "status_changed_on",
            "agency_id",
            "worker_id",
            "case__number",
            "resource__name",
        )
        .order_by("pk")
    )
    d = ctx.directory
    for p in rows.iterator(chunk_size=2000):
        due = p.since + timedelta(days=setting.threshold)
        reached = steps_passed(ctx.today, due, setting.escalation, 1)
        for step in range(reached + 1):
            if step == 0:
                recipients = (
                    {p.worker_id}
                    if d.is_current(p.worker_id, p.agency_id)
                    else d.with_role(p.agency_id, Role.PARTICIPATION_WORKER, Role.SUPERVISOR)
                )
            else:
                recipients = d.supervisors(p.agency_id) or d.with_role(
                    p.agency_id, Role.COORDINATOR
                )
            if not recipients:
                continue
            yield Hit(
                object_ref=ref_for("participation.placement", p.pk),
                due_date=due,
                step=step,
                recipients=recipients,
                subject=p.case.number,
                title="placement_follow_up_gap.title",
                params={"n": p.case.number, "r": p.resource.name, "days": setting.threshold},
                body=("placement_follow_up_gap.body", "escalated.supervisors")
                if step
                else ("placement_follow_up_gap.body",),
                url=safe_url(p),
                agency_id=p.agency_id,
                level=Level.URGENT if step else Level.NORMAL,
            )

"""Community rules (地域づくり): a place with no session logged for too long.

A place whose schedule has a rhythm (常設, 週1, 月1, 奇数月 …) and that is active, but has had no
session logged for N days (and at least twice its own rhythm: a bimonthly place is not chased
after six weeks). Recipients: the place's CSW while in post, else the operating agency's CSWs
and supervisors; escalation to the CSW's supervisors. Titles name the place only. One query.
"""

from datetime import timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agencies.choices import Role

from ..models import Level, ref_for
from .registry import Hit, RuleContext, Setting, register, safe_url, steps_passed


@register(
    code="place_no_session",
    area="community",
    label=_("開催記録のない拠点・居場所"),
    description=_(
        "活動中の拠点・居場所で、最後の開催記録からN日(開催頻度の2倍より短いときはその日数)"
        "たっても次の開催が記録されていない。"
    ),
    threshold_label=_("最後の開催からの日数"),
    default_threshold=42,
    default_escalation=14,
    unit="days",
    requires=("community.Resource.schedule", "community.Session.held_on"),
)
def place_no_session(ctx: RuleContext, setting: Setting):
    from community.choices import SCHEDULE_EXPECTED_GAP_WEEKS, ResourceStatus
    from community.models import Resource

    rhythmic = [code for code, weeks in SCHEDULE_EXPECTED_GAP_WEEKS.items() if weeks]
    places = (
        Resource.objects.filter(is_place=True, status=ResourceStatus.ACTIVE, schedule__in=rhythmic)
        .annotate(last=Coalesce(Max("sessions__held_on"), "start_date"))
        .filter(last__isnull=False, last__lt=ctx.today - timedelta(days=setting.threshold))
        .only("id", "public_id", "name", "schedule", "csw_id", "operating_agency_id")
        .order_by("pk")
    )
    d = ctx.directory
    for place in places.iterator(chunk_size=2000):
        gap_days = max(setting.threshold, 2 * 7 * SCHEDULE_EXPECTED_GAP_WEEKS[place.schedule])
        due = place.last + timedelta(days=gap_days)
        if ctx.today <= due:
            continue
        if d.is_current(place.csw_id):
            owner = {place.csw_id}
            supervisors = d.supervisors_of_user(place.csw_id)
        else:
            owner = d.with_role(place.operating_agency_id, Role.CSW, Role.SUPERVISOR)
            supervisors = d.supervisors(place.operating_agency_id)
        reached = steps_passed(ctx.today, due + timedelta(days=1), setting.escalation, 1)
        for step in range(reached + 1):
            recipients = owner if step == 0 else supervisors
            if not recipients:
                continue
            yield Hit(
                object_ref=ref_for("community.resource", place.pk),
                due_date=due,
                step=step,
                recipients=recipients,
                subject=place.name,
                title="place_no_session.title",
                params={
                    "name": place.name,
                    "days": (ctx.today - place.last).days,
                    "d": place.last.isoformat(),
                },
                body=("place_no_session.body", "place_no_session.escalated")
                if step
                else ("place_no_session.body",),
                url=safe_url(place, "community:place_detail", place.public_id),
                agency_id=place.operating_agency_id,
                level=Level.URGENT if step else Level.NORMAL,
            )

"""Dashboard panel for outreach workers: their visits planned for the coming days and their
targets nobody has contacted for a while."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.dashboard import Panel, PanelItem, panel
from agencies.jpdates import format_monthday, format_time

from . import policy
from .models import OutreachTarget, PlannedVisit
from .selectors import STAGNANT_DAYS


@panel(order=400)
def outreach_today(user) -> Panel | None:
    if not policy.outreach_agency_ids(user):
        return None
    today = timezone.localdate()
    visits = list(
        PlannedVisit.objects.filter(
            staff=user,
            cancelled=False,
            contact__isnull=True,
            planned_on__gte=today,
            planned_on__lte=today + dt.timedelta(days=2),
        )
        .select_related("target")
        .order_by("planned_on", "planned_time")[:8]
    )
    items = [
        PanelItem(
            label=" ".join(
                part
                for part in (
                    format_monthday(v.planned_on),
                    format_time(v.planned_time) if v.planned_time else "",
                    v.target.number,
                )
                if part
            ),
            url=reverse("outreach:target_detail", args=[v.target.public_id]),
            badge=v.get_kind_display(),
        )
        for v in visits
    ]
    stagnant = (
        OutreachTarget.objects.filter(lead_worker=user).stagnant(today, STAGNANT_DAYS).count()
    )
    if stagnant:
        items.append(
            PanelItem(
                label=_("%(days)s日以上接触のない担当対象者") % {"days": STAGNANT_DAYS},
                url=reverse("outreach:index") + "?mine=1&stagnant=1",
                badge=str(stagnant),
                tone="warn",
            )
        )
    return Panel(
        key="outreach-today",
        title=_("アウトリーチ: 直近の訪問予定"),
        empty_text=_("3日以内の訪問予定はありません。"),
        items=items,
        more_url=reverse("outreach:visit_plan"),
        more_label=_("訪問予定を見る"),
    )

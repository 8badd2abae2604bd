from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.dashboard import Panel, PanelItem, panel
from agencies.jpdates import format_datetime
from agencies.paging import head_and_count
from agencies.policy import can


@panel(order=15)
def emergency_review_panel(user) -> Panel | None:
    """Unreviewed emergency uses: supervisors of the worker's agency and privacy officers."""
    if not can(user, "emergency.list"):
        return None
    from .emergency import unreviewed_for

    qs = unreviewed_for(user).select_related("user", "agency", "case").order_by("started_at")
    rows, count = head_and_count(qs, 6)
    return Panel(
        key="emergency_review",
        title=_("緊急時のアクセス 未確認"),
        count=count,
        empty_text=_("未確認の緊急時アクセスはありません。"),
        items=[
            PanelItem(
                f"{a.case.number} / {a.user.display_name or a.user.username}",
                reverse("access:emergency_review", args=[a.public_id]),
                meta=format_datetime(a.started_at),
                badge=str(_("未確認")),
                tone="danger",
            )
            for a in rows
        ],
        more_url=reverse("access:emergency_list"),
        more_label=_("一覧を開く"),
    )

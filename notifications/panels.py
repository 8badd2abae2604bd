"""Dashboard panels: my unread urgent reminders; overdue counts for supervisors."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.dashboard import Panel, PanelItem, panel
from agencies.jpdates import format_date
from agencies.policy import can

from . import selectors
from .rules import get_rule


@panel(order=50)
def urgent_reminders(user) -> Panel | None:
    count, items = selectors.unread_urgent(user)
    return Panel(
        key="notifications-urgent",
        title=_("至急の通知"),
        empty_text=_("未読の至急通知はありません。期限を過ぎた項目があるとここに表示されます。"),
        items=[
            PanelItem(
                n.display_title,
                reverse("notifications:open", args=[n.public_id]),
                meta=_("期限 %(date)s") % {"date": format_date(n.due_date)} if n.due_date else "",
                badge=_("至急"),
                tone="danger",
            )
            for n in items
        ],
        count=count,
        more_url=reverse("notifications:inbox") + "?show=urgent",
        more_label=_("至急の通知をすべて見る"),
    )


@panel(order=60)
def overdue_overview(user) -> Panel | None:
    if not can(user, "reminder.overview"):
        return None
    rows = selectors.overdue_counts(user, timezone.localdate())
    per_rule: dict[str, int] = {}
    for row in rows:
        per_rule[row["rule"]] = per_rule.get(row["rule"], 0) + row["items"]
    base = reverse("notifications:overdue")
    items = []
    for code, n in sorted(per_rule.items(), key=lambda kv: -kv[1]):
        spec = get_rule(code)
        items.append(
            PanelItem(
                str(spec.label) if spec else code, f"{base}?rule={code}", badge=str(n), tone="warn"
            )
        )
    return Panel(
        key="notifications-overdue",
        title=_("期限超過(担当機関)"),
        empty_text=_("期限を過ぎた項目はありません。"),
        items=items,
        count=sum(per_rule.values()),
        more_url=base,
        more_label=_("期限超過の一覧"),
    )

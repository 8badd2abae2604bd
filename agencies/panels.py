from django.urls import reverse
from django.utils.translation import gettext as _

from .dashboard import Panel, PanelItem, panel
from .models import Agency
from .policy import is_admin
from .selectors import staff_without_current_membership


@panel(order=900)
def admin_overview(user) -> Panel | None:
    if not is_admin(user):
        return None
    # Active staff with no membership in force today (after an April transfer left a gap, say).
    without_membership = staff_without_current_membership().count()
    items = [
        PanelItem(
            _("有効な機関"),
            reverse("agencies:agency_list"),
            badge=str(Agency.objects.active().count()),
        ),
    ]
    if without_membership:
        items.append(
            PanelItem(
                _("所属のない職員"),
                reverse("agencies:staff_list") + "?no_membership=true",
                badge=str(without_membership),
                tone="warn",
            )
        )
    return Panel(
        key="admin",
        title=_("管理"),
        empty_text=_("管理が必要な項目はありません。"),
        items=items,
    )

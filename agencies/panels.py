from django.urls import reverse
from django.utils.translation import gettext as _

from .dashboard import Panel, PanelItem, panel
from .models import Agency, User
from .policy import is_admin


@panel(order=900)
def admin_overview(user) -> Panel | None:
    if not is_admin(user):
        return None
    without_membership = User.objects.filter(is_active=True, memberships__isnull=True).count()
    items = [
        PanelItem(_("有効な機関"), reverse("agencies:agency_list"), badge=str(Agency.objects.active().count())),
    ]
    if without_membership:
        items.append(
            PanelItem(_("所属のない職員"), reverse("agencies:staff_list") + "?no_membership=1",
                      badge=str(without_membership), tone="warn")
        )
    return Panel(
        key="admin",
        title=_("管理"),
        empty_text=_("管理が必要な項目はありません。"),
        items=items,
    )

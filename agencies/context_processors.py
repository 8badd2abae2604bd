from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from .choices import Programme
from .urlreverse import reverse

# (key, label, url name, who sees it, policy action the page requires or None). Entries whose
# URL is not installed yet are left out, so the navigation grows as the programme apps land; an
# entry whose page the user may not open (an admin without a care role has no person search) is
# left out too: a link in the navigation must not answer 403.
NAV = [
    ("home", _("ホーム"), "dashboard", "all", None),
    ("persons", _("対象者"), "cases:person_search", "staff", "person.search"),
    (
        Programme.CONSULTATION.value,
        _("包括的相談"),
        "cases:consultation_list",
        "staff",
        "consultation.list",
    ),
    (Programme.MULTIAGENCY.value, _("多機関協働"), "cases:case_list", "staff", "case.list"),
    (Programme.OUTREACH.value, _("アウトリーチ"), "outreach:index", "staff", "outreach.menu"),
    (Programme.PARTICIPATION.value, _("参加支援"), "participation:index", "staff", None),
    (Programme.COMMUNITY.value, _("地域づくり"), "community:index", "staff", None),
    ("meetings", _("会議"), "meetings:index", "staff", "meeting.list"),
    ("reports", _("報告"), "reports:index", "admin", None),
    ("admin", _("管理"), "agencies:admin_home", "admin", None),
]


def _nav_for(user):
    from .policy import can, is_admin, is_professional

    entries = []
    for key, label, url_name, audience, action in NAV:
        if audience == "staff" and not is_professional(user):
            continue
        if audience == "admin" and not is_admin(user):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        if action and not can(user, action):
            continue
        entries.append({"key": key, "label": label, "url": url})
    return entries


def shell(request):
    """Navigation and header data for the base layout."""
    user = getattr(request, "user", None)
    # nav_active: the view's own value wins (a processor's names sit under the view's context);
    # set here so that a page without one does not pay a missing variable's lookup per nav item.
    ctx = {"CITY_NAME": settings.TSUNAGU_CITY_NAME, "PROGRAMMES": Programme, "nav_active": ""}
    if user is not None and user.is_authenticated:
        ctx["nav"] = _nav_for(user)
        from notifications.selectors import unread_notification_count

        ctx["unread_notifications"] = unread_notification_count(user)
    return ctx

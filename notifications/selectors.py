"""Reads of the notifications app, starting from what the user may see."""

from datetime import date

from django.db.models import Count, IntegerField, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from agencies.choices import Role
from agencies.compiled import KEY, CompiledOnce
from agencies.dashboard import PANEL_ROWS
from agencies.models import Agency
from agencies.paging import compiled_head_and_count
from agencies.policy import is_admin

from .models import Notification, Reminder

UNREAD_COUNT_CACHE = "_unread_notification_count"


def unread_notification_count(user) -> int:
    """Unread (and unresolved) notifications of the user: one query per request. The page
    header and the inbox's unread list share it (kept on the user object, which lives one
    request, like the memberships); marking notifications read forgets it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    if UNREAD_COUNT_CACHE not in user.__dict__:
        user.__dict__[UNREAD_COUNT_CACHE] = Notification.objects.for_user(user).unread().count()
    return user.__dict__[UNREAD_COUNT_CACHE]


def with_unread_count(users: QuerySet) -> QuerySet:
    """`users` read with their unread count, which `unread_notification_count` then takes
    without a query of its own (agencies.auth_backend: the user of every request)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"))
        .unread()
        .order_by()
        .values("recipient")
        .annotate(n=Count("*"))
        .values("n")
    )
    return users.annotate(
        **{UNREAD_COUNT_CACHE: Coalesce(Subquery(unread, output_field=IntegerField()), 0)}
    )


def forget_unread_count(user) -> None:
    user.__dict__.pop(UNREAD_COUNT_CACHE, None)


def inbox(user, *, show: str = "unread"):
    qs = Notification.objects.for_user(user)
    if show == "unread":
        qs = qs.unread()
    elif show == "urgent":
        qs = qs.unread().urgent()
    return qs.order_by("-created_at", "-pk")


def _unread_urgent(user_id: int) -> QuerySet[Notification]:
    return (
        Notification.objects.for_user(user_id).unread().urgent().order_by("due_date", "-created_at")
    )


# Compiled once per process (agencies.compiled): every dashboard asks it.
_UNREAD_URGENT_HEAD = CompiledOnce(lambda user_id: _unread_urgent(user_id)[: PANEL_ROWS + 1], KEY)


def unread_urgent(user) -> tuple[int, list[Notification]]:
    items, count = compiled_head_and_count(
        _UNREAD_URGENT_HEAD, (user.pk,), PANEL_ROWS, lambda: _unread_urgent(user.pk)
    )
    return count, items


def supervised_agencies(user):
    """Agencies whose overdue items the user may watch: all for admins, else where supervisor."""
    if is_admin(user):
        return Agency.objects.all()
    ids = [m.agency_id for m in user.current_memberships() if m.role == Role.SUPERVISOR]
    return Agency.objects.filter(pk__in=ids)


def overdue_reminders(user, today: date):
    """Open reminders past their due date for the agencies the user supervises. The sweep
    resolves rows hourly; rules that can tell (RuleSpec.still_open) also drop, in the same
    query, rows whose object was resolved since (a referral opened ten minutes ago)."""
    from .rules import all_rules
    from .rules.registry import without_resolved

    qs = Reminder.objects.overdue(today)
    for spec in all_rules():
        if spec.still_open is not None and spec.available:
            qs = without_resolved(qs, spec.code, spec.still_open())
    if is_admin(user):
        return qs
    return qs.filter(agency__in=supervised_agencies(user))


def overdue_counts(user, today: date) -> list[dict]:
    """Distinct overdue items per (rule, agency): one query."""
    return list(
        overdue_reminders(user, today)
        .values("rule", "agency_id", "agency__name")
        .annotate(items=Count("object_ref", distinct=True), oldest=Min("due_date"))
        .order_by("rule", "agency__name")
    )


def overdue_items(
    user, today: date, *, rule: str | None = None, agency_id: int | None = None
) -> list[dict]:
    """One row per overdue item (object and due date) with its highest step reached: one query."""
    qs = overdue_reminders(user, today)
    if rule:
        qs = qs.filter(rule=rule)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return list(
        qs.values("rule", "object_ref", "due_date", "subject", "url", "agency_id", "agency__name")
        .annotate(step=Max("step"), recipients=Count("recipient", distinct=True))
        .order_by("due_date", "subject")[:500]
    )


# The pages reminders link to: the record behind each (its model, the URL keyword holding its
# public_id), the policy action that opens it and, where the owning app has one, that action as a
# queryset filter (`user -> Q`, "app.module.function").
_LINK_TARGETS = {
    "cases:case_detail": ("cases", "SupportCase", "case_id", "case.view", None),
    "cases:referral_detail": ("cases", "Referral", "public_id", "referral.view", None),
    "meetings:meeting_detail": ("meetings", "Meeting", "public_id", "meeting.view", None),
    "meetings:body_detail": ("meetings", "MeetingBody", "public_id", "meetingbody.view", None),
    "meetings:role_open": ("meetings", "RoleAssignment", "public_id", "roleassignment.view", None),
    "participation:placement": ("participation", "Placement", "public_id", "placement.view", None),
    "community:place_detail": ("community", "Resource", "public_id", "resource.view", None),
    "outreach:target_detail": (
        "outreach",
        "OutreachTarget",
        "target_id",
        "outreach_target.view",
        "outreach.policy.visible_q",
    ),
}


def openable_urls(user, urls) -> set[str]:
    """The subset of `urls` (reminder and notification targets) the user may open: an overview
    row must not link to a page that answers 403/404 (an admin oversees deadlines of records it
    may not read). One query per kind of target (the policy as a filter where the app has one,
    else the policy per record read). A record page of a kind not listed above is not linked:
    a new rule's target must be added here before its rows become links."""
    from django.apps import apps
    from django.urls import Resolver404, resolve
    from django.utils.module_loading import import_string

    from agencies.policy import can

    wanted: dict[str, dict[str, str]] = {}
    allowed = set()
    for url in set(filter(None, urls)):
        try:
            match = resolve(url.split("#", 1)[0].split("?", 1)[0])
        except Resolver404:
            continue
        target = _LINK_TARGETS.get(match.view_name)
        if target is None:
            if not match.kwargs:
                allowed.add(url)  # a list or other page without a single record behind it
            continue
        wanted.setdefault(match.view_name, {})[str(match.kwargs[target[2]])] = url
    for view_name, by_key in wanted.items():
        app_label, model_name, _kwarg, action, visible = _LINK_TARGETS[view_name]
        rows = apps.get_model(app_label, model_name).objects.filter(public_id__in=list(by_key))
        if visible:
            keys = rows.filter(import_string(visible)(user)).values_list("public_id", flat=True)
            allowed.update(by_key[str(key)] for key in keys)
            continue
        for obj in rows:
            if can(user, action, obj):
                allowed.add(by_key[str(obj.public_id)])
    return allowed

"""From a figure to the records it counted, narrowed to what the viewer may see.

The rows are the figure's own `records` queryset (the very rows the value is computed from), so a
figure and its drill-down cannot disagree; the viewer's access comes from the apps' own
visibility rules (the same ones their lists use). An admin without a care role sees the count
only, never persons.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import is_admin

ROW_LIMIT = 200


def _visible(kind: str, user, qs: QuerySet) -> QuerySet:
    from cases.policy.intake import staff_agency_ids
    from cases.policy.persons import household_visibility_q, person_visibility_q
    from cases.policy.support import visible_case_filter
    from meetings.selectors import meetings_for_user

    if kind == "household":
        return qs.filter(household_visibility_q(user))
    if kind == "person":
        return qs.filter(person_visibility_q(user))
    if kind == "consultation":
        return qs.filter(agency_id__in=staff_agency_ids(user))
    if kind == "referral":
        agencies = staff_agency_ids(user)
        return qs.filter(Q(to_agency_id__in=agencies) | Q(from_agency_id__in=agencies))
    if kind == "case":
        return qs.filter(visible_case_filter(user))
    if kind == "plan":
        return qs.filter(visible_case_filter(user, prefix="case__"))
    if kind == "meeting":
        return qs.filter(pk__in=meetings_for_user(user).values("pk"))
    if kind == "agenda_item":
        return qs.filter(meeting__in=meetings_for_user(user).values("pk"))
    if kind == "concern_slip":
        return qs.filter(to_agency_id__in=staff_agency_ids(user))
    if kind == "resource":
        from agencies.policy import can

        return qs if can(user, "resource.list") else qs.none()
    return qs.none()


def _row(kind: str, obj) -> tuple[str, str]:
    """(label, url) of one counted record: no names in URLs, public ids only."""
    local = timezone.localtime
    if kind == "household":
        return (str(obj), reverse("cases:household_detail", args=[obj.public_id]))
    if kind == "person":
        return (obj.full_name, reverse("cases:person_detail", args=[obj.public_id]))
    if kind == "consultation":
        return (
            f"{local(obj.received_at):%Y-%m-%d} {obj.agency} {obj.get_route_display()}",
            reverse("cases:consultation_detail", args=[obj.public_id]),
        )
    if kind == "referral":
        return (
            f"{obj.number} {obj.from_agency} → {obj.to_agency}",
            reverse("cases:referral_detail", args=[obj.public_id]),
        )
    if kind == "case":
        return (
            f"{obj.number} {obj.get_status_display()}",
            reverse("cases:case_detail", args=[obj.public_id]),
        )
    if kind == "plan":
        return (
            f"{obj.case.number} {obj.meeting_on or ''}",
            reverse("cases:plan_detail", args=[obj.case.public_id, obj.number]),
        )
    if kind == "meeting":
        return (
            f"{local(obj.starts_at):%Y-%m-%d} {obj.body.name}",
            reverse("meetings:meeting_detail", args=[obj.public_id]),
        )
    if kind == "agenda_item":
        return (
            f"{local(obj.meeting.starts_at):%Y-%m-%d} {obj.title}",
            reverse("meetings:meeting_detail", args=[obj.meeting.public_id]),
        )
    if kind == "concern_slip":
        return (
            f"{local(obj.submitted_at):%Y-%m-%d}",
            reverse("cases:concern_slip_detail", args=[obj.public_id]),
        )
    if kind == "resource":
        return (f"{obj.name}({obj.get_kind_display()})", "")
    return (str(obj), "")


_RELATED = {
    "consultation": ["agency"],
    "referral": ["from_agency", "to_agency"],
    "plan": ["case"],
    "meeting": ["body"],
    "agenda_item": ["meeting"],
}


@dataclass
class Drilldown:
    total: int  # the records the figure counted (all of them)
    visible: int  # of those, the ones the viewer may see
    rows: list[tuple[str, str]]  # up to ROW_LIMIT (label, url); empty for counts-only viewers
    counts_only: bool
    objects: list  # the shown records (for the audit row)


def counts_only(user) -> bool:
    """Admins without a care role get counts, never persons."""
    return is_admin(user) and not (user.roles() - {Role.ADMIN, Role.RESIDENT})


def drilldown(figure, period, user) -> Drilldown:
    records = figure.records(period)
    total = records.count()
    if counts_only(user):
        return Drilldown(total, 0, [], True, [])
    visible_qs = _visible(figure.record_kind, user, records)
    visible = visible_qs.count()
    related = _RELATED.get(figure.record_kind)
    shown_qs = visible_qs.select_related(*related) if related else visible_qs
    objects = list(shown_qs.order_by("pk")[:ROW_LIMIT])
    return Drilldown(total, visible, [_row(figure.record_kind, o) for o in objects], False, objects)

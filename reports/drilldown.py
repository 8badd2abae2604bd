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

from agencies.choices import Role
from agencies.jpdates import format_date
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
    if kind in _COUNTS_FOR_STAFF:
        from agencies.policy import can

        return qs if can(user, _COUNTS_FOR_STAFF[kind]) else qs.none()
    if kind in _OUTREACH_PREFIX:
        from outreach.selectors import targets_visible_to

        return qs.filter(**{_OUTREACH_PREFIX[kind]: targets_visible_to(user).values("pk")})
    if kind in _PARTICIPATION_PREFIX:
        # Participation records follow the case's rules (participation.policy).
        return qs.filter(visible_case_filter(user, prefix=_PARTICIPATION_PREFIX[kind]))
    if kind == "volunteer":
        from community.policy import volunteer_agency_ids

        allowed = volunteer_agency_ids(user)
        return qs if allowed is None else qs.filter(coordinator_agency_id__in=allowed)
    if kind == "volunteer_activity":
        from community.policy import volunteer_agency_ids

        allowed = volunteer_agency_ids(user)
        return qs if allowed is None else qs.filter(volunteer__coordinator_agency_id__in=allowed)
    return qs.none()


# Records without personal data, shown to whoever may list them.
_COUNTS_FOR_STAFF = {
    "resource": "resource.list",
    "session": "session.list",
    "program": "program.list",
    "agreement": "agreement.list",
    "community_issue": "communityissue.list",
    "place_concern": "session.list",
    "resource_gap": "resource_gap.list",
}
_OUTREACH_PREFIX = {
    "outreach_target": "pk__in",
    "outreach_contact": "target__in",
    "outreach_transition": "target__in",
}
_PARTICIPATION_PREFIX = {
    "placement": "case__",
    "placement_transition": "placement__case__",
    "activity_day": "placement__case__",
    "follow_up": "placement__case__",
}


def _row(kind: str, obj) -> tuple[str, str]:
    """(label, url) of one counted record: no names in URLs, public ids only."""
    if kind == "household":
        return (str(obj), reverse("cases:household_detail", args=[obj.public_id]))
    if kind == "person":
        return (obj.full_name, reverse("cases:person_detail", args=[obj.public_id]))
    if kind == "consultation":
        return (
            f"{format_date(obj.received_at)} {obj.agency} {obj.get_route_display()}",
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
            f"{obj.case.number} {format_date(obj.meeting_on)}".rstrip(),
            reverse("cases:plan_detail", args=[obj.case.public_id, obj.number]),
        )
    if kind == "meeting":
        return (
            f"{format_date(obj.starts_at)} {obj.body.name}",
            reverse("meetings:meeting_detail", args=[obj.public_id]),
        )
    if kind == "agenda_item":
        return (
            f"{format_date(obj.meeting.starts_at)} {obj.title}",
            reverse("meetings:meeting_detail", args=[obj.meeting.public_id]),
        )
    if kind == "concern_slip":
        return (
            format_date(obj.submitted_at),
            reverse("cases:concern_slip_detail", args=[obj.public_id]),
        )
    if kind == "resource":
        return (f"{obj.name}({obj.get_kind_display()})", "")
    if kind == "outreach_target":
        return (obj.number, obj.get_absolute_url())
    if kind in ("outreach_contact", "outreach_transition"):
        return (f"{obj.target.number} {obj}", obj.target.get_absolute_url())
    if kind == "placement":
        return (
            f"{obj.resource.name} {obj.get_status_display()}",
            reverse("participation:placement", args=[obj.public_id]),
        )
    if kind in ("placement_transition", "activity_day", "follow_up"):
        p = obj.placement
        return (
            f"{format_date(obj.on)} {p.resource.name}",
            reverse("participation:placement", args=[p.public_id]),
        )
    if kind == "session":
        return (f"{format_date(obj.held_on)} {obj.resource.name}", "")
    if kind == "volunteer_activity":
        return (f"{format_date(obj.done_on)} {obj.volunteer.name}", "")
    if kind == "place_concern":
        return (f"{format_date(obj.noticed_on)} {obj.resource.name}", "")
    if kind == "community_issue":
        return (obj.title, obj.get_absolute_url())
    if kind == "resource_gap":
        return (obj.title, reverse("participation:gap", args=[obj.public_id]))
    return (str(obj), "")


_RELATED = {
    "consultation": ["agency"],
    "referral": ["from_agency", "to_agency"],
    "plan": ["case"],
    "meeting": ["body"],
    "agenda_item": ["meeting"],
    "outreach_contact": ["target"],
    "outreach_transition": ["target"],
    "placement": ["resource"],
    "placement_transition": ["placement__resource"],
    "activity_day": ["placement__resource"],
    "follow_up": ["placement__resource"],
    "session": ["resource"],
    "volunteer_activity": ["volunteer"],
    "place_concern": ["resource"],
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

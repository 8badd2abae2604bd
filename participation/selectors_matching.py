"""Reads for the matching page and the catalogue: resources as matching facts, occupancy from
active placements, outcome counts. One query for the whole catalogue, whatever its size."""

from __future__ import annotations

from django.db.models import Count, Q

from .choices import Interest
from .matching import ResourceFacts
from .models import Placement, split_lines

# Resource kinds (community.choices.ResourceKind) that imply an activity in the matching
# vocabulary when the resource has no participation profile yet.
KIND_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "agri_welfare": ("farming", "gardening"),
    "shokudo": ("cooking", "serving"),
    "cafe": ("serving", "talking"),
    "engawa": ("talking",),
    "salon": ("talking",),
    "kayoi": ("sports", "elderly"),
    "kosodate_hiroba": ("children",),
    "study_support": ("study", "children"),
    "b_type": ("light_work",),
}
PAID_KINDS = frozenset({"b_type", "intermediate_work"})
_LABEL_TO_CODE = {}
for code, label in Interest.choices:
    for part in str(label).replace("・", " ").split():
        _LABEL_TO_CODE[part] = code
    _LABEL_TO_CODE[str(label)] = code


def tags_to_codes(tags) -> set[str]:
    """Community's free interest tags ("料理", "農作業") mapped onto the matching vocabulary."""
    codes = set()
    for tag in tags or []:
        tag = str(tag).strip()
        if tag in Interest.values:
            codes.add(tag)
        elif tag in _LABEL_TO_CODE:
            codes.add(_LABEL_TO_CODE[tag])
        else:
            codes.update(c for part, c in _LABEL_TO_CODE.items() if len(part) >= 2 and part in tag)
    return codes


def activity_codes(kind, interest_tags, profile_activities) -> set[str]:
    """A resource's activities in the matching vocabulary: the profile's when set, else derived
    from community's free tags and the resource kind."""
    if profile_activities:
        return set(profile_activities)
    return tags_to_codes(interest_tags) | set(KIND_ACTIVITIES.get(kind, ()))


def catalogue_queryset():
    """Resources a worker can still propose, each with its profile and its occupancy."""
    from community.models import Resource

    return (
        Resource.objects.current()
        .select_related("participation_profile", "area")
        .annotate(
            occupied=Count(
                "placements",
                filter=Q(placements__status__in=list(Placement.OCCUPYING)),
                distinct=True,
            )
        )
        .order_by("kana", "name", "pk")
    )


def _profile(resource):
    try:
        return resource.participation_profile
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: no profile yet
        return None


def resource_facts(resource) -> ResourceFacts:
    p = _profile(resource)
    activities = activity_codes(resource.kind, resource.interest_tags, p.activities if p else None)
    point = None
    if resource.latitude is not None and resource.longitude is not None:
        point = (float(resource.latitude), float(resource.longitude))
    return ResourceFacts(
        key=str(resource.public_id),
        name=resource.name,
        activities=frozenset(activities),
        point=point,
        area_id=resource.area_id,
        bus_lines=split_lines(p.bus_lines) if p else frozenset(),
        days=frozenset(int(d) for d in p.days) if p else frozenset(),
        opens=p.opens if p else None,
        closes=p.closes if p else None,
        hours_per_session=float(p.hours_per_session) if p and p.hours_per_session else None,
        accepts_users=p.accepts_users if p else True,
        helper_role=resource.accepts_helpers,
        withdrawal_experience="withdrawal" in (resource.host_experience or []),
        small_group=p.small_group if p else False,
        capacity=resource.capacity,
        occupied=getattr(resource, "occupied", 0) or 0,
        min_age=resource.min_age,
        max_age=resource.max_age,
        cost_yen=resource.cost_yen or 0,
        paid=p.paid if p else resource.kind in PAID_KINDS,
        physical=p.physical if p else "moderate",
    )


def occupancy(resource_ids) -> dict[int, int]:
    """Places taken (体験・参加) per resource id."""
    rows = (
        Placement.objects.occupying()
        .filter(resource_id__in=list(resource_ids))
        .values("resource_id")
        .annotate(n=Count("pk"))
    )
    return {r["resource_id"]: r["n"] for r in rows}


def outcome_counts(placements=None) -> dict[str, int]:
    """Ended placements by outcome, each person counted once per outcome (実数): a person who
    went 提案 → 見学 → 体験 → 参加 → 終了(就労) is one 就労 however many steps and days."""
    qs = placements if placements is not None else Placement.objects.all()
    rows = (
        qs.filter(status="ended")
        .values("outcome")
        .annotate(n=Count("person", distinct=True))
        .order_by("outcome")
    )
    return {r["outcome"]: r["n"] for r in rows}

"""Reads for the matching page and the catalogue: resources as matching facts, occupancy from
active placements, outcome counts. One query for the whole catalogue, whatever its size."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from agencies.jsonrows import JSONRows, instances

from .choices import Interest
from .matching import ResourceFacts
from .models import ActivityDay, FollowUp, Placement, PlacementTransition, split_lines

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
        .annotate(occupied=occupied_count())
        .order_by("kana", "name", "pk")
    )


def occupied_count(resource: str = "pk"):
    """Placements taking a place (体験・参加中) of the resource (`resource`: the outer query's
    reference to it), counted per row of the page: a
    join and GROUP BY over every resource counted all 1,853 of them before the page kept 50
    (12 ms at city scale). COUNT(*), not of a column: the (resource, status) index answers it
    alone, where counting ids read every placement of the place (1.1 → 0.3 ms a page)."""
    occupying = (
        Placement.objects.filter(resource=OuterRef(resource), status__in=list(Placement.OCCUPYING))
        .order_by()
        .values("resource")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(occupying), 0)


# The columns the matching reads: a narrow values() query is several times faster than building
# 2,000 full Resource instances (a wide model).
FACT_COLUMNS = (
    "public_id",
    "name",
    "kind",
    "latitude",
    "longitude",
    "area_id",
    "capacity",
    "min_age",
    "max_age",
    "cost_yen",
    "accepts_helpers",
    "host_experience",
    "interest_tags",
)
PROFILE_COLUMNS = (
    "id",
    "activities",
    "days",
    "opens",
    "closes",
    "hours_per_session",
    "bus_lines",
    "accepts_users",
    "small_group",
    "paid",
    "physical",
)

# What the catalogue page reads of its 50 rows: the facts and the columns it prints. The whole
# rows (60 columns and the profile's) were 3–5 times what a hand-written query of the page reads.
CATALOGUE_COLUMNS = (
    *FACT_COLUMNS,
    "operator_name",
    "area__name",
    *(f"participation_profile__{c}" for c in PROFILE_COLUMNS),
)


def catalogue_facts(exclude=()) -> list[ResourceFacts]:
    """Every proposable resource as matching facts (the excluded keys left out).

    The matching page scores the whole catalogue for each request, and building the facts of
    2,000 resources is most of its time: they are kept in this process while the catalogue is
    unchanged — the signature of the rows they are made of (count, newest change and highest id
    of the resources, their profiles and the placements) is the same — and at most
    settings.MATCHING_CACHE_SECONDS. The signature is one small query; every write through the
    services moves `updated_at`."""
    excluded = {str(k) for k in exclude}
    return [f for f in _catalogue_facts() if f.key not in excluded]


def _read_catalogue_facts() -> list[ResourceFacts]:
    from community.models import Resource

    columns = [*FACT_COLUMNS, *(f"participation_profile__{c}" for c in PROFILE_COLUMNS)]
    rows = (
        Resource.objects.current()
        .annotate(occupied=occupied_count())
        .order_by("kana", "name", "pk")
        .values(*columns, "occupied")
    )
    return [facts_from_row(row) for row in rows]


def _signature() -> tuple:
    from community.models import Resource

    from .models import ResourceProfile

    parts = []
    for model in (Resource, ResourceProfile, Placement):
        parts.extend(
            model.objects.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk")).values()
        )
    return tuple(parts)


_memo: dict = {"signature": None, "at": 0.0, "facts": None}


def _catalogue_facts() -> list[ResourceFacts]:
    seconds = settings.MATCHING_CACHE_SECONDS
    if not seconds:
        return _read_catalogue_facts()
    signature, now = _signature(), time.monotonic()
    if _memo["signature"] != signature or now - _memo["at"] > seconds:
        _memo.update(signature=signature, at=now, facts=_read_catalogue_facts())
    return _memo["facts"]


def _profile(resource):
    try:
        return resource.participation_profile
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: no profile yet
        return None


def resource_facts(resource) -> ResourceFacts:
    """The same facts for one Resource instance (a proposal, the catalogue page)."""
    row = {c: getattr(resource, c) for c in FACT_COLUMNS}
    p = _profile(resource)
    for c in PROFILE_COLUMNS:
        row[f"participation_profile__{c}"] = getattr(p, c) if p else None
    row["occupied"] = getattr(resource, "occupied", 0)
    return facts_from_row(row)


def facts_from_row(row: dict) -> ResourceFacts:
    def prof(name):
        return row.get(f"participation_profile__{name}")

    has_profile = prof("id") is not None
    activities = activity_codes(row["kind"], row["interest_tags"], prof("activities"))
    point = None
    if row["latitude"] is not None and row["longitude"] is not None:
        point = (float(row["latitude"]), float(row["longitude"]))
    hours = prof("hours_per_session")
    return ResourceFacts(
        key=str(row["public_id"]),
        name=row["name"],
        activities=frozenset(activities),
        point=point,
        area_id=row["area_id"],
        bus_lines=split_lines(prof("bus_lines") or ""),
        days=frozenset(int(d) for d in prof("days") or []),
        opens=prof("opens"),
        closes=prof("closes"),
        hours_per_session=float(hours) if hours else None,
        accepts_users=prof("accepts_users") if has_profile else True,
        helper_role=bool(row["accepts_helpers"]),
        withdrawal_experience="withdrawal" in (row["host_experience"] or []),
        small_group=bool(prof("small_group")) if has_profile else False,
        capacity=row["capacity"],
        occupied=row.get("occupied") or 0,
        min_age=row["min_age"],
        max_age=row["max_age"],
        cost_yen=row["cost_yen"] or 0,
        paid=bool(prof("paid")) if has_profile else row["kind"] in PAID_KINDS,
        physical=prof("physical") or "moderate",
    )


def _days(aggregate):
    return Subquery(
        ActivityDay.objects.filter(placement=OuterRef("pk"))
        .order_by()
        .values("placement")
        .annotate(v=aggregate)
        .values("v")
    )


# The placement page's lists, newest first (transitions oldest first), and what it prints of each.
PAGE_DAYS = 60
_PAGE_LISTS = {
    "transitions": (
        PlacementTransition,
        ("on", "from_status", "to_status", "note", "by__display_name"),
        ("at", "pk"),
        None,
    ),
    "days": (ActivityDay, ("on", "hours", "source", "note"), ("-on",), PAGE_DAYS),
    "follow_ups": (
        FollowUp,
        ("on", "target", "kind", "minutes", "content", "staff__display_name"),
        ("-on", "-pk"),
        None,
    ),
}


def with_page_figures(placements):
    """Placements with what the placement page prints beside them, read in the same statement
    (five round trips fewer than asking for each): the days' count and hours (`days_count`,
    `days_hours`), the place's occupancy (`resource_occupied`) and the lists — transitions,
    the `PAGE_DAYS` newest activity days, the follow-ups — which `page_lists` returns."""
    lists = {
        f"page_{name}": JSONRows(
            model.objects.filter(placement=OuterRef("pk")).order_by(*order), fields, limit=limit
        )
        for name, (model, fields, order, limit) in _PAGE_LISTS.items()
    }
    return placements.annotate(
        days_count=Coalesce(_days(Count("*")), 0),
        days_hours=_days(Sum("hours")),
        resource_occupied=occupied_count("resource_id"),
        **lists,
    )


def page_lists(placement) -> dict[str, list]:
    """The lists `with_page_figures` read with `placement`, as instances for the templates."""
    return {
        name: instances(model, fields, getattr(placement, f"page_{name}"))
        for name, (model, fields, _order, _limit) in _PAGE_LISTS.items()
    }


def occupancy(resource_ids) -> dict[int, int]:
    """Places taken (体験・参加) per resource id."""
    rows = (
        Placement.objects.occupying()
        .filter(resource_id__in=list(resource_ids))
        .values("resource_id")
        .annotate(n=Count("*"))
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

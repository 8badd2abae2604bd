"""Reads for community work: the place register with its figures, per-area figures for the map,
and counts reports read. Each list costs a fixed number of queries whatever the row count."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.jpdates import fiscal_year, fiscal_year_range

from .models import PlaceConcern, Resource, Session


def current_fy_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    return fiscal_year_range(fiscal_year(today or timezone.localdate()))


def places_with_figures(qs=None, *, start: dt.date, end: dt.date):
    """Resources annotated with sessions, 延べ participants and last session within [start, end],
    and consultations that arose there (linked to a consultation). One query."""
    qs = Resource.objects.all() if qs is None else qs
    # Scalar subqueries, not aggregates over a join: GROUP BY would total the sessions of every
    # place before the page's LIMIT (60,000 sessions at city scale); these run for the page only.
    sessions = Session.objects.filter(resource=OuterRef("pk")).order_by().values("resource")
    in_range = sessions.filter(held_on__gte=start, held_on__lte=end)
    return qs.for_list().annotate(
        n_sessions=Coalesce(Subquery(in_range.annotate(n=Count("pk")).values("n")), 0),
        n_participants=Coalesce(Subquery(in_range.annotate(n=Sum("participants")).values("n")), 0),
        last_session=Subquery(sessions.annotate(m=Max("held_on")).values("m")),
    )


def filter_places(qs, params: dict):
    """Apply the register's filters (all optional): q (name/kana/operator), kind, area,
    small_area, operator_kind, status, function, target, is_place, new (started this FY)."""
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(kana__icontains=q) | Q(operator_name__icontains=q))
    for key, lookup in (
        ("kind", "kind"),
        ("operator_kind", "operator_kind"),
        ("status", "status"),
    ):
        if params.get(key):
            qs = qs.filter(**{lookup: params[key]})
    if params.get("area"):
        qs = qs.filter(area__code=params["area"])
    if params.get("small_area"):
        qs = qs.filter(small_area__code=params["small_area"])
    if params.get("function"):
        qs = qs.with_code("functions", params["function"])
    if params.get("target"):
        qs = qs.with_code("target_groups", params["target"])
    if params.get("places") == "1":
        qs = qs.filter(is_place=True)
    elif params.get("places") == "0":
        qs = qs.filter(is_place=False)
    if params.get("new") == "1":  # started this fiscal year until today, as the overview
        start, end = current_fy_range()
        qs = qs.started_between(start, min(end, timezone.localdate()))
    return qs


@dataclass
class PlaceFigures:
    sessions: int = 0
    participants: int = 0
    new_participants: int = 0
    volunteers: int = 0
    volunteer_hours: float = 0
    became_helpers: int = 0
    consultations_tallied: int = 0
    concerns: int = 0
    consultations_arising: int = 0
    by_age: list = field(default_factory=list)
    by_attribute: list = field(default_factory=list)


def place_figures(resource: Resource, *, start: dt.date, end: dt.date) -> PlaceFigures:
    """A place's figures for a period: tally sums (延べ), and the 気づき passed on from it and the
    consultations they led to (counted through PlaceConcern). Two queries."""
    from .choices import AGE_BANDS, ATTRIBUTES

    tally_fields = [f for f, _l in AGE_BANDS + ATTRIBUTES] + [
        "participants",
        "new_participants",
        "volunteers",
        "volunteer_hours",
        "became_helpers",
        "consultations",
    ]
    sums = (
        Session.objects.filter(resource=resource)
        .between(start, end)
        # volunteer_hours is a decimal: summed without Coalesce (None when no session).
        .aggregate(
            n=Count("pk"),
            **{f: Sum(f) if f == "volunteer_hours" else Coalesce(Sum(f), 0) for f in tally_fields},
        )
    )
    concerns = PlaceConcern.objects.filter(
        resource=resource, noticed_on__gte=start, noticed_on__lte=end
    ).aggregate(n=Count("pk"), linked=Count("pk", filter=Q(consultation__isnull=False)))
    return PlaceFigures(
        sessions=sums["n"],
        participants=sums["participants"],
        new_participants=sums["new_participants"],
        volunteers=sums["volunteers"],
        volunteer_hours=float(sums["volunteer_hours"] or 0),
        became_helpers=sums["became_helpers"],
        consultations_tallied=sums["consultations"],
        concerns=concerns["n"],
        consultations_arising=concerns["linked"],
        by_age=[(label, sums[f]) for f, label in AGE_BANDS],
        by_attribute=[(label, sums[f]) for f, label in ATTRIBUTES],
    )


def consultations_arising(resource: Resource) -> int:
    """Consultations that came from this place (all time)."""
    return PlaceConcern.objects.filter(resource=resource, consultation__isnull=False).count()


def community_summary(*, start: dt.date, end: dt.date) -> dict:
    """Headline figures for the community overview (all counts, no personal data). Places are
    those open today (or on `end` if earlier) by OPEN_PLACE_RULE and new ones started since
    `start` until then: the annual report's 拠点・居場所 and 新たに開いた拠点・居場所."""
    from .models import CommunityIssue, Program, ProgramSession, Volunteer

    as_of = min(end, timezone.localdate())
    sessions = Session.objects.between(start, end).aggregate(
        n=Count("pk"),
        participants=Coalesce(Sum("participants"), 0),
        volunteer_hours=Sum("volunteer_hours"),
    )
    courses = ProgramSession.objects.filter(held_on__gte=start, held_on__lte=end).aggregate(
        n=Count("pk"), participants=Coalesce(Sum("participants"), 0)
    )
    return {
        "places": Resource.objects.open_on(as_of).count(),
        "new_places": Resource.objects.places().started_between(start, as_of).count(),
        "as_of": as_of,
        "sessions": sessions["n"],
        "participants": sessions["participants"],
        "volunteer_hours": sessions["volunteer_hours"] or 0,
        "volunteers": Volunteer.objects.filter(active=True).count(),
        "programs": Program.objects.filter(active=True).count(),
        "program_sessions": courses["n"],
        "program_participants": courses["participants"],
        "open_issues": CommunityIssue.objects.open().count(),
        "consultations_arising": PlaceConcern.objects.filter(
            consultation__isnull=False, noticed_on__gte=start, noticed_on__lte=end
        ).count(),
    }


# --- the area view -------------------------------------------------------------------------------


@dataclass
class AreaRow:
    area: object
    places: int = 0
    sessions: int = 0
    sessions_per_month: float = 0.0
    participants: int = 0
    open_cases: int = 0
    shape: object = None
    fill: int = 0


def area_figures(*, level: str, start: dt.date, end: dt.date) -> list[AreaRow]:
    """Per 圏域 (level sphere) or 小地域 (level district): places open on `end` (or today, if
    earlier; OPEN_PLACE_RULE, as the overview counts them), sessions and 延べ
    participants in [start, end] (and sessions per month), open multi-agency cases by household
    area. Four queries whatever the number of places or sessions."""
    from agencies.models import Area
    from cases.models import SupportCase

    areas = list(
        Area.objects.filter(level=level).select_related("shape").order_by("sort_order", "code")
    )
    rows = {a.pk: AreaRow(area=a, shape=getattr(a, "shape", None)) for a in areas}
    sphere = level == Area.Level.SPHERE
    key = "area_id" if sphere else "small_area_id"
    places = Resource.objects.open_on(min(end, timezone.localdate()))
    for r in places.values(key).annotate(n=Count("pk")).order_by():
        if r[key] in rows:
            rows[r[key]].places = r["n"]
    skey = "resource__area_id" if sphere else "resource__small_area_id"
    for r in (
        Session.objects.between(start, end)
        .values(skey)
        .annotate(n=Count("pk"), p=Sum("participants"))
        .order_by()
    ):
        if r[skey] in rows:
            rows[r[skey]].sessions = r["n"]
            rows[r[skey]].participants = r["p"] or 0
    months = max(1, (end.year - start.year) * 12 + end.month - start.month + 1)
    # A household may be registered at its 小地域 or only at its 圏域: count a district's cases
    # under its parent sphere too.
    case_counts = (
        SupportCase.objects.open()
        .values("household__area_id", "household__area__parent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in case_counts:
        for area_id in (
            r["household__area_id"],
            r["household__area__parent_id"] if sphere else None,
        ):
            if area_id in rows:
                rows[area_id].open_cases += r["n"]
                break
    out = list(rows.values())
    for row in out:
        row.sessions_per_month = round(row.sessions / months, 1)
    return out


def map_points(*, level: str = "sphere", limit: int = 2000):
    """Active places with coordinates (name, kind, lon/lat, public_id); one query."""
    return list(
        Resource.objects.places()
        .active()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values_list("public_id", "name", "kind", "longitude", "latitude")[:limit]
    )

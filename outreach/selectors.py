"""Reads of the outreach programme, always starting from what the actor may see, at a fixed
number of queries per page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from agencies.paging import FirstPageCountingPaginator
from cases.models.intake import Urgency
from cases.normalize import normalize_name

from . import policy
from .models import (
    VISIT_KINDS,
    ClosureReason,
    ContactKind,
    OutreachContact,
    OutreachTarget,
    PlannedVisit,
    Professional,
    Stage,
    StageTransition,
)

STAGNANT_DAYS = 30


def targets_visible_to(user) -> QuerySet:
    return OutreachTarget.objects.filter(policy.visible_q(user))


@dataclass
class TargetFilters:
    stage: str = "open"  # "open", "" (all) or a Stage value
    area: int | None = None
    source: str = ""
    agency: int | None = None
    worker: int | None = None
    mine: bool = False
    stagnant: bool = False
    q: str = ""


def target_list(user, filters: TargetFilters, *, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    qs = targets_visible_to(user)
    if filters.stage == "open":
        qs = qs.open()
    elif filters.stage in Stage.values:
        qs = qs.filter(stage=filters.stage)
    if filters.area:
        qs = qs.filter(area_id=filters.area)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    if filters.worker:
        qs = qs.filter(Q(lead_worker_id=filters.worker) | Q(assignees=filters.worker)).distinct()
    if filters.mine:
        qs = qs.filter(Q(lead_worker=user) | Q(assignees=user)).distinct()
    if filters.stagnant:
        qs = qs.stagnant(today, STAGNANT_DAYS)
    if filters.q:
        q = filters.q.strip()
        folded = normalize_name(q)
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(approx_name__icontains=q)
            | Q(approx_kana__icontains=q)
            | Q(approx_address__icontains=q)
            | Q(approx_name__icontains=folded)
        )
    urgency_rank = Case(
        When(urgency=Urgency.URGENT, then=Value(0)),
        When(urgency=Urgency.HIGH, then=Value(1)),
        default=Value(2),
    )
    return (
        qs.select_related("agency", "area", "lead_worker")
        .annotate(urgency_rank=urgency_rank)
        .order_by("urgency_rank", F("last_contact_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def with_contact_counts(targets) -> list:
    """Attach `contact_count` to an already-fetched page of targets (one aggregate query, so
    the count is not computed for every target the list filters)."""
    targets = list(targets)
    counts = dict(
        OutreachContact.objects.filter(target__in=[t.pk for t in targets])
        .values_list("target_id")
        .annotate(n=Count("pk"))
        .values_list("target_id", "n")
    )
    for t in targets:
        t.contact_count = counts.get(t.pk, 0)
    return targets


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # "contact" | "transition" | "plan"
    obj: object


TIMELINE_PAGE_SIZE = 50


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    page_obj: object  # the Page of contacts (for partials/pager.html)


def target_timeline(target: OutreachTarget, page: int | str | None = 1) -> Timeline:
    """Contacts, stage transitions and plans, newest first, one page of contacts at a time.

    A busy target has hundreds of contacts; the page shows 50 and the transitions and plans that
    fall between them (page k: from its oldest contact up to the oldest contact of page k-1; the
    last page: everything older), so paging through shows every entry exactly once.
    """
    contacts = (
        target.contacts.select_related("author", "agency")
        .prefetch_related("staff")
        .order_by("-occurred_at", "-pk")
    )
    page_obj = FirstPageCountingPaginator(contacts, TIMELINE_PAGE_SIZE).get_page(page)
    shown = list(page_obj.object_list)
    # The window of time this page covers: [oldest contact shown, oldest of the page before).
    upper = None
    if page_obj.has_previous():
        upper = contacts.values_list("occurred_at", flat=True)[page_obj.start_index() - 2]
    lower = shown[-1].occurred_at if shown and page_obj.has_next() else None

    def in_window(at: dt.datetime) -> bool:
        return (lower is None or at >= lower) and (upper is None or at < upper)

    entries = [TimelineEntry(c.occurred_at, "contact", c) for c in shown]
    tz = timezone.get_current_timezone()
    for t in target.transitions.select_related("actor"):
        at = dt.datetime.combine(t.on, dt.time(23, 59), tz)
        if in_window(at):
            entries.append(TimelineEntry(at, "transition", t))
    plans = target.plans.select_related(
        "recorded_by", "agenda_item__meeting__body"
    ).prefetch_related("owners")
    for p in plans:
        at = dt.datetime.combine(p.decided_on, dt.time(23, 58), tz)
        if in_window(at):
            entries.append(TimelineEntry(at, "plan", p))
    entries.sort(key=lambda e: e.at, reverse=True)
    return Timeline(entries=entries, page_obj=page_obj)


def current_plan(target: OutreachTarget):
    return (
        target.plans.select_related("agenda_item__meeting__body")
        .order_by("-decided_on", "-pk")
        .prefetch_related("owners")
        .first()
    )


# --- the visit plan -----------------------------------------------------------------------


def planned_visits(
    user,
    *,
    start: dt.date,
    end: dt.date,
    staff_id: int | None = None,
    include_cancelled: bool = False,
) -> QuerySet:
    """Visits planned on start..end for targets the user may see. The schedule leaves out the
    cancelled ones (by hand, or when their target was closed); the API lists them flagged, so
    that a synchronising client learns of the cancellation."""
    qs = (
        PlannedVisit.objects.filter(
            planned_on__gte=start,
            planned_on__lte=end,
            target__in=targets_visible_to(user).values("pk"),
        )
        .select_related("target", "target__area", "contact")
        .prefetch_related("staff")
        .order_by("planned_on", "planned_time", "pk")
    )
    if not include_cancelled:
        qs = qs.filter(cancelled=False)
    if staff_id:
        qs = qs.filter(staff=staff_id)
    return qs


def visits_by_day_and_staff(visits) -> list[tuple[dt.date, list[tuple[object, list]]]]:
    """[(day, [(staff, [visit, …]), …]), …] from an already-fetched list."""
    days: dict[dt.date, dict[object, list]] = defaultdict(lambda: defaultdict(list))
    for v in visits:
        for s in v.staff.all():
            days[v.planned_on][s].append(v)
    return [
        (day, sorted(by_staff.items(), key=lambda kv: (kv[0].kana, kv[0].pk)))
        for day, by_staff in sorted(days.items())
    ]


# --- counts for reports and the workload page ------------------------------------------------


@dataclass
class OutreachCounts:
    """The four counts the reports need, over one set of targets and a period."""

    targets: int = 0
    targets_by_stage: dict[str, int] = field(default_factory=dict)
    contacts: int = 0
    contacts_by_kind: dict[str, int] = field(default_factory=dict)
    visits: int = 0  # 訪問回数 (延べ)
    staff_visits: int = 0  # 延べ訪問人数 (each staff member on each visit)
    visited_targets: int = 0  # 実人数 visited at least once
    visits_with_nurse: int = 0
    targets_with_nurse: int = 0
    connections: int = 0  # targets moved to つなぎ or closed as connected in the period

    def stage_rows(self):
        return [(Stage(s).label, self.targets_by_stage.get(s, 0)) for s in Stage.values]

    def kind_rows(self):
        return [(ContactKind(k).label, self.contacts_by_kind.get(k, 0)) for k in ContactKind.values]


# Stage changes that count as 「つないだ」: to つなぎ, or closed as connected to another service.
CONNECTION_Q = Q(to_stage=Stage.CONNECTING) | Q(
    to_stage=Stage.CLOSED, closure_reason=ClosureReason.CONNECTED
)


def connection_transitions(*, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    """Stage changes counted as a connection, dated start..end (inclusive, by the change's date).
    Shared by `outreach_counts` and the annual report's figures."""
    transitions = StageTransition.objects.filter(CONNECTION_Q)
    if start is not None:
        transitions = transitions.filter(on__gte=start)
    if end is not None:
        transitions = transitions.filter(on__lte=end)
    return transitions


def staff_visit_rows(visits: QuerySet) -> QuerySet:
    """延べ訪問人数: one row per staff member on each of `visits`."""
    return OutreachContact.staff.through.objects.filter(outreachcontact__in=visits.values("pk"))


def outreach_counts(
    targets: QuerySet, *, start: dt.date | None = None, end: dt.date | None = None
) -> OutreachCounts:
    """Counts over `targets` (already scoped); contacts and connections within [start, end].
    Seven aggregate queries whatever the size."""
    ids = targets.values("pk")
    counts = OutreachCounts()
    by_stage = dict(
        OutreachTarget.objects.filter(pk__in=ids)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    counts.targets_by_stage = by_stage
    counts.targets = sum(by_stage.values())
    contacts = OutreachContact.objects.filter(target__in=ids).between(start, end)
    counts.contacts_by_kind = dict(
        contacts.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    counts.contacts = sum(counts.contacts_by_kind.values())
    visits = contacts.visits()
    counts.visits = sum(counts.contacts_by_kind.get(k, 0) for k in VISIT_KINDS)
    counts.staff_visits = staff_visit_rows(visits).count()
    counts.visited_targets = visits.values("target_id").distinct().count()
    nurse = visits.with_professional(Professional.VISITING_NURSE)
    counts.visits_with_nurse = nurse.count()
    counts.targets_with_nurse = nurse.values("target_id").distinct().count()
    transitions = connection_transitions(start=start, end=end).filter(target__in=ids)
    counts.connections = transitions.values("target_id").distinct().count()
    return counts


@dataclass
class WorkerLoad:
    user: object
    open_targets: int = 0
    stagnant: int = 0
    contacts: int = 0
    visits: int = 0


def workload(
    user, *, agency_ids: set[int], start: dt.date, end: dt.date, stagnant_days: int, today=None
):
    """Per worker (lead or assignee) and per area: open targets, stagnant ones, contacts and
    visits in the period (延べ, counting each staff member who went). A fixed number of queries."""
    from agencies.models import Area, User

    today = today or timezone.localdate()
    targets = OutreachTarget.objects.filter(agency_id__in=agency_ids)
    open_targets = targets.open()
    through = OutreachTarget.assignees.through
    stagnant_ids = set(open_targets.stagnant(today, stagnant_days).values_list("pk", flat=True))
    per_user: dict[int, WorkerLoad] = {}
    users = {}
    rows = through.objects.filter(outreachtarget__in=open_targets.values("pk")).values_list(
        "user_id", "outreachtarget_id"
    )
    for user_id, target_id in rows:
        load = per_user.setdefault(user_id, WorkerLoad(user=None))
        load.open_targets += 1
        if target_id in stagnant_ids:
            load.stagnant += 1
    in_period = OutreachContact.objects.filter(target__agency_id__in=agency_ids).between(start, end)
    contact_staff = OutreachContact.staff.through.objects.filter(
        outreachcontact__in=in_period.values("pk")
    )
    for user_id, kind, n in (
        contact_staff.values_list("user_id", "outreachcontact__kind")
        .annotate(n=Count("pk"))
        .values_list("user_id", "outreachcontact__kind", "n")
    ):
        load = per_user.setdefault(user_id, WorkerLoad(user=None))
        load.contacts += n
        if kind in VISIT_KINDS:
            load.visits += n
    users = {u.pk: u for u in User.objects.filter(pk__in=per_user)}
    for pk, load in per_user.items():
        load.user = users.get(pk)
    workers = sorted(
        (load for load in per_user.values() if load.user is not None),
        key=lambda w: (w.user.kana, w.user.pk),
    )
    # Per area.
    area_rows = (
        open_targets.values_list("area_id")
        .annotate(n=Count("pk"), contacted=Count("pk", filter=Q(last_contact_at__isnull=False)))
        .values_list("area_id", "n")
    )
    area_contacts = dict(
        OutreachContact.objects.filter(target__agency_id__in=agency_ids)
        .between(start, end)
        .values_list("target__area_id")
        .annotate(n=Count("pk"))
        .values_list("target__area_id", "n")
    )
    area_names = {a.pk: a.name for a in Area.objects.all()}
    areas = []
    seen = set()
    for area_id, n in area_rows:
        areas.append((area_names.get(area_id, "—"), n, area_contacts.get(area_id, 0)))
        seen.add(area_id)
    for area_id, n in area_contacts.items():
        if area_id not in seen:
            areas.append((area_names.get(area_id, "—"), 0, n))
    areas.sort(key=lambda r: r[0])
    return workers, areas, stagnant_ids


def stagnant_targets(agency_ids: set[int], *, today: dt.date, days: int, limit: int = 50):
    return (
        OutreachTarget.objects.filter(agency_id__in=agency_ids)
        .stagnant(today, days)
        .select_related("lead_worker", "area")
        .order_by("last_contact_at", "created_at")[:limit]
    )


def contacts_for_print(target: OutreachTarget):
    return list(
        target.contacts.select_related("author", "agency")
        .prefetch_related("staff")
        .order_by("occurred_at", "pk")
    )

"""Reads of 多機関協働 cases, always starting from what the user may see.

Pages cost a fixed number of queries whatever the number of rows: lists use select_related and
prefetches; the case page loads its parts with one query each.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.compiled import KEY, CompiledOnce, prime_related
from agencies.models import Agency, Membership, User
from cases.models import (
    ActivityNote,
    Assessment,
    CaseTeamMember,
    Evaluation,
    HouseholdMember,
    LeadAgencyHistory,
    Monitoring,
    Plan,
    PlanItem,
    Referral,
    SupportCase,
)
from cases.policy.persons import care_agency_ids
from cases.policy.support import note_visibility_filter, visible_case_filter


def cases_visible_to(user) -> QuerySet[SupportCase]:
    return SupportCase.objects.filter(visible_case_filter(user))


@dataclass
class CaseFilters:
    status: str = ""
    lead_agency: int | None = None
    coordinator: int | None = None
    overdue: bool = False
    mine: bool = False
    q: str = ""


def case_list(user, filters: CaseFilters | None = None) -> QuerySet[SupportCase]:
    filters = filters or CaseFilters()
    qs = cases_visible_to(user).select_related("lead_agency", "coordinating_agency", "coordinator")
    if filters.status == "open":
        qs = qs.open()
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.lead_agency:
        qs = qs.filter(lead_agency_id=filters.lead_agency)
    if filters.coordinator:
        qs = qs.filter(coordinator_id=filters.coordinator)
    if filters.overdue:
        qs = qs.open().filter(next_monitoring_on__lt=timezone.localdate())
    if filters.mine:
        qs = qs.filter(
            Q(coordinator=user)
            | Q(pk__in=CaseTeamMember.objects.current().filter(user=user).values("case_id"))
        )
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q) | Q(summary__icontains=filters.q))
    # A scalar subquery, not Count() over a join: GROUP BY would aggregate the team rows of
    # every visible case before the LIMIT; PostgreSQL evaluates this one for the page only.
    team_size = (
        CaseTeamMember.objects.current()
        .filter(case_id=OuterRef("pk"))
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(team_size=Coalesce(Subquery(team_size), 0)).order_by("-opened_on", "-pk")


def case_coordinator_choices(user, *, also: int | None = None):
    """The 担当推進員 the case list's filter offers: staff holding the coordinator role today at
    an agency running 多機関協働 (where cases are opened and accepted, so where any case the user
    sees is coordinated) or at one of the user's own agencies (the user among them). Read from
    today's memberships — a few hundred rows at city scale — never from the cases: a query over
    every case in the city to name a dozen people was the wrong cost for each list load.
    `also` adds a user the list no longer offers whom a kept link still filters by."""
    holders = (
        Membership.objects.current()
        .filter(role=Role.COORDINATOR)
        .filter(
            Q(agency__in=Agency.objects.running("multiagency"))
            | Q(agency_id__in=care_agency_ids(user))
        )
        .values("user_id")
    )
    chosen = Q(pk__in=holders, is_active=True)
    if also is not None:
        chosen |= Q(pk=also)
    return User.objects.filter(chosen).order_by("kana", "pk")


def named_case_coordinator(pk: int):
    """A user named as some case's 担当推進員 (an index probe on that one id): who a kept link
    may filter by though the list no longer offers them — a 推進員 who has moved on, a successor
    of another role after a handover. The filter only narrows what the user sees anyway."""
    return (
        User.objects.filter(pk=pk)
        .filter(Exists(SupportCase.objects.filter(coordinator_id=OuterRef("pk"))))
        .first()
    )


@dataclass
class Deadline:
    on: date
    label: str
    tone: str = ""


@dataclass
class CasePage:
    case: SupportCase
    team: list[CaseTeamMember]
    past_team: list[CaseTeamMember]
    lead_history: list[LeadAgencyHistory]
    members: list[HouseholdMember]
    assessment: Assessment | None
    assessments: list[Assessment]
    plans: list[Plan]
    current_plan: Plan | None
    evaluations: list[Evaluation]
    deadlines: list[Deadline]
    referrals: list


# The case page's own lists, compiled once per process (agencies.compiled): building and
# compiling these eight statements cost about as much CPU as the rest of the page's reads.
_TEAM = CompiledOnce(
    lambda pk: (
        CaseTeamMember.objects.filter(case_id=pk)
        .select_related("agency", "user")
        .order_by("joined_on", "pk")
    ),
    KEY,
)
_ASSESSMENTS = CompiledOnce(
    lambda pk: (
        Assessment.objects.filter(case_id=pk).select_related("author", "agency").order_by("-number")
    ),
    KEY,
)
_PLANS = CompiledOnce(
    lambda pk: (
        Plan.objects.filter(case_id=pk)
        .select_related("author", "agency", "approved_by")
        .order_by("-number")
    ),
    KEY,
)
_PLAN_ITEMS = CompiledOnce(
    lambda pk: PlanItem.objects.filter(plan__case_id=pk).select_related(
        "agency", "staff", "person"
    ),
    KEY,
)
_EVALUATIONS = CompiledOnce(
    lambda pk: (
        Evaluation.objects.filter(case_id=pk)
        .select_related("plan", "lead_agency_after", "author", "agency")
        .order_by("-number")
    ),
    KEY,
)
_LEAD_HISTORY = CompiledOnce(
    lambda pk: LeadAgencyHistory.objects.filter(case_id=pk).select_related("agency", "set_by"),
    KEY,
)
_MEMBERS = CompiledOnce(
    lambda pk: (
        HouseholdMember.objects.filter(household_id=pk)
        .select_related("person")
        .order_by("-is_key_person", "pk")
    ),
    KEY,
)
_REFERRALS = CompiledOnce(
    lambda pk: (
        Referral.objects.filter(case_id=pk).select_related("from_agency").order_by("created_at")
    ),
    KEY,
)


def case_page(user, case: SupportCase) -> CasePage:
    """Everything the case page shows besides the timeline, at a fixed query count."""
    today = timezone.localdate()
    # Kept in the case's prefetch cache as a prefetch would keep them: the timeline of the same
    # page reads these rows from there (cases.timeline.loaded) instead of querying them again.
    plans = _PLANS.instances(case.pk)
    by_plan: dict[int, list[PlanItem]] = {plan.pk: [] for plan in plans}
    for item in _PLAN_ITEMS.instances(case.pk) if plans else []:
        by_plan[item.plan_id].append(item)
    for plan in plans:
        prime_related(plan, "items", by_plan[plan.pk])
    prime_related(case, "team", _TEAM.instances(case.pk))
    prime_related(case, "assessments", _ASSESSMENTS.instances(case.pk))
    prime_related(case, "plans", plans)
    prime_related(case, "evaluations", _EVALUATIONS.instances(case.pk))
    team_rows = list(case.team.all())
    team = [m for m in team_rows if m.is_current]
    past_team = [m for m in team_rows if not m.is_current]
    lead_history = _LEAD_HISTORY.instances(case.pk)
    members = _MEMBERS.instances(case.household_id)
    assessments = list(case.assessments.all())
    current_assessment = next((a for a in assessments if a.is_current), None)
    plans = list(case.plans.all())
    current_plan = next(
        (p for p in plans if p.status == Plan.Status.APPROVED and p.programme == "multiagency"),
        None,
    )
    current_plan = current_plan or next(
        (p for p in plans if p.status == Plan.Status.APPROVED), None
    )
    evaluations = list(case.evaluations.all())
    deadlines: list[Deadline] = []
    if case.is_open:
        if case.next_monitoring_on:
            tone = (
                "danger"
                if case.next_monitoring_on < today
                else ("warn" if case.next_monitoring_on <= today + timedelta(days=7) else "")
            )
            deadlines.append(Deadline(case.next_monitoring_on, _("次回モニタリング"), tone))
        for plan in plans:
            if plan.status == Plan.Status.APPROVED and plan.period_end:
                tone = (
                    "danger"
                    if plan.period_end < today
                    else ("warn" if plan.period_end <= today + timedelta(days=30) else "")
                )
                deadlines.append(
                    Deadline(
                        plan.period_end,
                        _("プラン第%(n)s版 支援期間の終了(評価)") % {"n": plan.number},
                        tone,
                    )
                )
            if plan.status == Plan.Status.APPROVED:
                for item in plan.items.all():
                    if item.due_on and item.due_on >= today - timedelta(days=30):
                        tone = "danger" if item.due_on < today else ""
                        deadlines.append(
                            Deadline(
                                item.due_on, _("期限: %(goal)s") % {"goal": item.goal[:30]}, tone
                            )
                        )
    deadlines.sort(key=lambda d: d.on)
    from cases.policy.support import case_access

    if not case_access(user, case).can_view_sheets:
        # A basis limited to basic data (a 支援会議 role) shows the case, its team and household,
        # not the sheets (the support history).
        assessments, plans, evaluations, deadlines = [], [], [], []
        current_assessment = current_plan = None
    return CasePage(
        case=case,
        team=team,
        past_team=past_team,
        lead_history=lead_history,
        members=members,
        assessment=current_assessment,
        assessments=assessments,
        plans=plans,
        current_plan=current_plan,
        evaluations=evaluations,
        deadlines=deadlines[:12],
        referrals=_REFERRALS.instances(case.pk),
    )


def notes_for(user, case: SupportCase, person=None) -> QuerySet[ActivityNote]:
    from cases.policy.support import case_access

    visible = note_visibility_filter(user)
    if not case_access(user, case).can_view_sheets:
        visible &= ~Q(visibility="team")  # a basis limited to basic data (支援会議 role)
    qs = (
        case.notes.filter(visible)
        .select_related("author", "agency")
        .prefetch_related("attachments", "persons")
    )
    if person is not None:
        qs = qs.filter(persons=person)
    return qs.order_by("-occurred_at", "-pk")


def monitoring_rows(case: SupportCase) -> list[tuple[PlanItem, list[Monitoring]]]:
    plans = case.plans.approved().prefetch_related(
        Prefetch(
            "items",
            queryset=PlanItem.objects.select_related("agency", "staff", "person").prefetch_related(
                Prefetch(
                    "monitorings", queryset=Monitoring.objects.select_related("author", "agency")
                )
            ),
        )
    )
    rows = []
    for plan in plans:
        for item in plan.items.all():
            rows.append((item, list(item.monitorings.all())))
    return rows


# --- dashboard -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyCase:
    """An open case the user works on, as the dashboard's case panels show it."""

    public_id: uuid.UUID
    number: str
    summary: str
    status: str
    next_monitoring_on: date | None
    on_team: bool  # 担当推進員 or a current team member (not only the staff of a plan item)


def my_open_cases(user) -> list[MyCase]:
    """The open cases the user may see and works on — as 担当推進員, as a current team member,
    or as the staff of an item of an approved plan — in one query, asked once per request: the
    dashboard's "my cases" counts and its monitoring panel both read it (each built the
    visibility filter and ran it over the user's cases: two queries for one answer)."""
    cache = user.__dict__.setdefault("_case_cache", {})
    if "mine" not in cache:
        team = CaseTeamMember.objects.current().filter(user=user).values("case_id")
        on_team = Q(coordinator=user) | Q(pk__in_ids=team)
        staffed = PlanItem.objects.filter(staff=user, plan__status=Plan.Status.APPROVED)
        rows = (
            SupportCase.objects.open()
            .filter(on_team | Q(pk__in_ids=staffed.values("plan__case_id")))
            .filter(visible_case_filter(user, driving=False))
            .annotate(on_team=ExpressionWrapper(on_team, output_field=BooleanField()))
            .order_by()
            .values_list(
                "public_id", "number", "summary", "status", "next_monitoring_on", "on_team"
            )
        )
        cache["mine"] = [MyCase(*row) for row in rows]
    return cache["mine"]


def my_cases_by_status(user) -> dict[str, int]:
    """How many of the user's open cases (as 担当推進員 or team member) are in each status."""
    return dict(Counter(c.status for c in my_open_cases(user) if c.on_team))


def monitoring_due(user, days: int = 7) -> list[MyCase]:
    """The user's open cases whose next monitoring is within `days` or past, soonest first."""
    limit = timezone.localdate() + timedelta(days=days)
    due = [c for c in my_open_cases(user) if c.next_monitoring_on and c.next_monitoring_on <= limit]
    return sorted(due, key=lambda c: (c.next_monitoring_on, c.number))


def awaiting_decision(user) -> tuple[QuerySet[Plan], QuerySet[Evaluation]]:
    """Plans submitted and evaluations ready at agencies where the user is a supervisor."""
    agency_ids = {m.agency_id for m in user.current_memberships() if m.role == Role.SUPERVISOR}
    key = Q(case__coordinating_agency_id__in=agency_ids) | Q(case__lead_agency_id__in=agency_ids)
    visible = visible_case_filter(user, prefix="case__")
    plans = (
        Plan.objects.submitted()
        .filter(key)
        .filter(visible)
        .select_related("case")
        .order_by("submitted_at")
    )
    evaluations = (
        Evaluation.objects.ready()
        .filter(key)
        .filter(visible)
        .select_related("case")
        .order_by("updated_at")
    )
    return plans, evaluations


def cases_of_worker(worker) -> QuerySet[SupportCase]:
    """Open cases where the worker is coordinator or on the team (for the handover page)."""
    return (
        SupportCase.objects.open()
        .filter(
            Q(coordinator=worker)
            | Q(pk__in=CaseTeamMember.objects.current().filter(user=worker).values("case_id"))
        )
        .select_related("lead_agency", "coordinating_agency")
        .order_by("number")
    )


# --- version comparison --------------------------------------------------------------------------


@dataclass
class FieldDiff:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _display(obj, name: str) -> str:
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("あり") if value else _("なし")
    if hasattr(value, "isoformat"):
        from agencies.jpdates import format_date

        return format_date(value)
    return str(value)


def sheet_diff(old, new, field_names) -> list[FieldDiff]:
    """Field-by-field comparison of two versions of a sheet (same model)."""
    rows = []
    for name in field_names:
        label = str(new._meta.get_field(name).verbose_name)
        rows.append(FieldDiff(label, _display(old, name), _display(new, name)))
    return rows


def assessment_diff(old: Assessment, new: Assessment) -> list[FieldDiff]:
    rows = sheet_diff(old, new, Assessment.CONTENT_FIELDS)

    def issues(a):
        return "\n".join(
            sorted(
                f"{(i.person.full_name if i.person else _('世帯'))}: {i.get_category_display()}{(' — ' + i.note) if i.note else ''}"
                for i in a.issues.select_related("person")
            )
        )

    def relations(a):
        return "\n".join(
            sorted(f"{r.label}({r.get_strength_display()})" for r in a.relations.all())
        )

    rows.append(FieldDiff(_("課題チェック"), issues(old), issues(new)))
    rows.append(FieldDiff(_("社会関係"), relations(old), relations(new)))
    return rows


def sheet_sections(obj, sections) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section title, [(field label, display value)])] for read-only pages and print."""
    return [
        (str(title), [(str(obj._meta.get_field(n).verbose_name), _display(obj, n)) for n in names])
        for title, names in sections
    ]

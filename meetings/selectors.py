"""Reads of the meetings app, starting from what the user may see."""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Exists, F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from agencies.compiled import DAY, KEY, KEYS, SECOND_KEYS, CompiledOnce
from agencies.dashboard import PANEL_ROWS
from agencies.jpdates import fiscal_year
from agencies.paging import compiled_head_and_count
from agencies.policy import is_admin

from . import policy
from .choices import AgendaKind, BodyKind, DecisionKind, MeetingStatus, RequestStatus
from .models import (
    AgendaItem,
    AgendaRequest,
    BodyMember,
    ConfidentialityPledge,
    Meeting,
    MeetingBody,
)


def _cases_model(name: str):
    try:
        return apps.get_model("cases", name)
    except LookupError:
        return None


# --- consent ---------------------------------------------------------------------------------


def case_consent_in_force(case, on=None) -> bool:
    """Consent in force from a person the case is about (or from its household when the case
    names no persons). The guard for 重層的支援会議 agendas."""
    from cases.models import Consent, SupportCase

    # One statement: the persons the case names are read inside it — as an array, so that the
    # consents are found by person (`IN (subquery)` OR a key made PostgreSQL scan them all).
    named = SupportCase.persons.through.objects.filter(supportcase_id=case.pk).values("person_id")
    about = Q(person_id__in_ids=named)
    if getattr(case, "principal_id", None):
        about |= Q(person_id=case.principal_id)
    else:  # a case naming nobody: its household's consent
        about |= Q(household_id=case.household_id) & ~Exists(named)
    return Consent.objects.in_force(on).filter(about).exists()


def cases_with_consent(case_ids, on=None) -> set[int]:
    """The subset of case ids with consent in force (one query, for the queue)."""
    from cases.models import Consent, SupportCase

    if not case_ids:
        return set()
    consenting = set(Consent.objects.in_force(on).values_list("person_id", flat=True))
    households = set(
        Consent.objects.in_force(on)
        .filter(household__isnull=False)
        .values_list("household_id", flat=True)
    )
    result = set()
    cases = SupportCase.objects.filter(pk__in=case_ids).prefetch_related("persons")
    for case in cases:
        ids = {p.pk for p in case.persons.all()}
        if getattr(case, "principal_id", None):
            ids.add(case.principal_id)
        if (ids and ids & consenting) or (not ids and case.household_id in households):
            result.add(case.pk)
    return result


# --- bodies -----------------------------------------------------------------------------------


def bodies_visible_to(user) -> QuerySet[MeetingBody]:
    if not policy.is_professional(user):
        return MeetingBody.objects.none()
    return MeetingBody.objects.select_related("convenor", "area")


def bodies_managed_by(user) -> QuerySet[MeetingBody]:
    if is_admin(user):
        return MeetingBody.objects.all()
    return MeetingBody.objects.filter(convenor_id__in=policy.managed_agency_ids(user))


def members_with_pledges(body) -> list[BodyMember]:
    """Current and past members with this fiscal year's pledge attached as `current_pledge`."""
    today = timezone.localdate()
    members = list(
        body.members.select_related("user", "agency").prefetch_related(
            Prefetch(
                "pledges",
                queryset=ConfidentialityPledge.objects.filter(revoked_at__isnull=True).order_by(
                    "-fiscal_year"
                ),
                to_attr="pledge_list",
            )
        )
    )
    current_fy = ConfidentialityPledge.objects.current(today).values_list("pk", flat=True)
    current_ids = set(current_fy.filter(member__body=body))
    for m in members:
        m.current_pledge = next((p for p in m.pledge_list if p.pk in current_ids), None)
    return members


# --- meetings ---------------------------------------------------------------------------------


def meetings_for_user(user) -> QuerySet[Meeting]:
    """The user's meetings: bodies where they sit (current seat) or whose convenor they manage.
    A seat on a 支援会議 counts only with a pledge (the `meeting.view` rule): an unpledged member
    is told about the missing pledge instead of being shown meetings they cannot open."""
    seats = policy._seats(user)
    pledged = {body_id for body_id, has_pledge in seats.items() if has_pledge}
    unpledged = set(seats) - pledged
    mine = (
        Q(body_id__in=pledged)
        | (Q(body_id__in=unpledged) & ~Q(body__kind=BodyKind.SHIEN_KAIGI))
        | Q(body__convenor_id__in=policy.managed_agency_ids(user))
    )
    if is_admin(user):
        # `meeting.view` lets an administrator open every meeting but a 支援会議's (dates,
        # places and agenda titles, no case content): the lists show the same meetings.
        mine |= ~Q(body__kind=BodyKind.SHIEN_KAIGI)
    return Meeting.objects.filter(mine).select_related("body", "body__convenor")


def meetings_in_range(user, start: dt.date, end: dt.date) -> list[Meeting]:
    return list(meetings_for_user(user).in_range(start, end).order_by("starts_at"))


def meeting_detail(public_id) -> Meeting:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Meeting.objects.select_related(
            "body", "body__convenor", "agenda_fixed_by", "minutes_approved_by"
        ).prefetch_related(
            Prefetch(
                "items",
                queryset=AgendaItem.objects.select_related(
                    "case", "case__lead_agency", "decision", "subject_type"
                ).prefetch_related("decision__roles__owner_agency", "decision__roles__owner_user"),
            ),
            Prefetch("attendance", queryset=_attendance_qs()),
            "addenda__author",
        ),
        public_id=public_id,
    )


def _attendance_qs():
    from .models import Attendance

    return Attendance.objects.select_related("member", "member__user", "member__agency")


# --- the agenda queue ---------------------------------------------------------------------------


@dataclass
class QueueEntry:
    kind: str
    key: str  # "plan:<public_id>", "evaluation:<public_id>", "request:<public_id>"
    title: str
    case: object | None = None
    submitted_at: object | None = None
    has_consent: bool = True
    blocked_reason: str = ""
    meta: str = ""

    @property
    def request_id(self) -> str:
        """The public id of an agenda request (its withdraw button), else ''."""
        kind, _sep, public_id = self.key.partition(":")
        return public_id if kind == "request" else ""


@dataclass
class AgendaQueue:
    plans: list[QueueEntry] = field(default_factory=list)
    evaluations: list[QueueEntry] = field(default_factory=list)
    info_sharing: list[QueueEntry] = field(default_factory=list)
    resource_gaps: list[QueueEntry] = field(default_factory=list)
    worrying: list[QueueEntry] = field(default_factory=list)

    def sections(self):
        from .choices import AgendaKind as K

        return [
            (K.PLAN_APPROVAL, K.PLAN_APPROVAL.label, self.plans),
            (K.EVALUATION, K.EVALUATION.label, self.evaluations),
            (K.INFO_SHARING, K.INFO_SHARING.label, self.info_sharing),
            (K.RESOURCE_GAP, K.RESOURCE_GAP.label, self.resource_gaps),
            (K.WORRYING_NO_CONSENT, K.WORRYING_NO_CONSENT.label, self.worrying),
        ]

    def __len__(self):
        return sum(len(s[2]) for s in self.sections())


def _already_on_open_agenda(model_label: str) -> set[int]:
    """Subjects already placed on a meeting not yet approved (they leave the queue)."""
    from django.contrib.contenttypes.models import ContentType

    model = _cases_model(model_label)
    if model is None:
        return set()
    ct = ContentType.objects.get_for_model(model)
    return set(
        AgendaItem.objects.filter(subject_type=ct)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .exclude(decision__isnull=False)
        .values_list("subject_id", flat=True)
    )


def agenda_queue(body: MeetingBody, user=None) -> AgendaQueue:
    """What waits for this body: plans submitted, evaluations ready (重層的支援会議 only: both need
    consent), information-sharing and resource-gap requests, and — for a 支援会議 only —
    worrying situations without consent. Entries for cases without consent in force are shown
    on a 重層的支援会議 queue as blocked, so the coordinator sees why they cannot go on."""
    from django.utils.translation import gettext as _

    queue = AgendaQueue()
    if body.kind == BodyKind.JUSO_KAIGI:
        plan_model, eval_model = _cases_model("Plan"), _cases_model("Evaluation")
        subjects = []
        if plan_model is not None:
            placed = _already_on_open_agenda("Plan")
            qs = plan_model.objects.submitted().exclude(pk__in=placed)
            if body.area_id:
                qs = qs.filter(case__household__area_id=body.area_id)
            subjects += [
                ("plan", p)
                for p in qs.select_related("case", "case__lead_agency").order_by(
                    "submitted_at", "pk"
                )
            ]
        if eval_model is not None:
            placed = _already_on_open_agenda("Evaluation")
            qs = eval_model.objects.ready().exclude(pk__in=placed)
            if body.area_id:
                qs = qs.filter(case__household__area_id=body.area_id)
            subjects += [
                ("evaluation", e)
                for e in qs.select_related("case", "case__lead_agency").order_by("updated_at", "pk")
            ]
        consenting = cases_with_consent({s.case_id for _k, s in subjects})
        for key, subject in subjects:
            has_consent = subject.case_id in consenting
            entry = QueueEntry(
                kind=AgendaKind.PLAN_APPROVAL if key == "plan" else AgendaKind.EVALUATION,
                key=f"{key}:{subject.public_id}",
                title=(
                    _("%(case)s プラン(第%(n)s版)")
                    if key == "plan"
                    else _("%(case)s 評価(第%(n)s回)")
                )
                % {"case": subject.case.number, "n": subject.number},
                case=subject.case,
                submitted_at=getattr(subject, "submitted_at", None)
                or getattr(subject, "updated_at", None),
                has_consent=has_consent,
                blocked_reason=""
                if has_consent
                else _("本人同意が確認できないため重層的支援会議には付議できません"),
                meta=subject.case.lead_agency.short_name or subject.case.lead_agency.name,
            )
            (queue.plans if key == "plan" else queue.evaluations).append(entry)
    requests = (
        AgendaRequest.objects.waiting()
        .filter(body=body)
        .select_related("case", "requesting_agency")
        .order_by("requested_at", "pk")
    )
    req_list = list(requests)
    consenting = (
        cases_with_consent({r.case_id for r in req_list if r.case_id})
        if body.kind == BodyKind.JUSO_KAIGI
        else set()
    )
    for r in req_list:
        if r.case_id and not r.case.is_open:
            continue  # the case ended while it waited: nothing left to discuss
        has_consent = True
        blocked = ""
        if body.kind == BodyKind.JUSO_KAIGI:
            if r.kind == AgendaKind.WORRYING_NO_CONSENT:
                continue
            if r.case_id and r.case_id not in consenting:
                has_consent, blocked = (
                    False,
                    _("本人同意が確認できないため重層的支援会議には付議できません"),
                )
        entry = QueueEntry(
            kind=r.kind,
            key=f"request:{r.public_id}",
            title=r.title,
            case=r.case,
            submitted_at=r.requested_at,
            has_consent=has_consent,
            blocked_reason=blocked,
            meta=r.requesting_agency.short_name or r.requesting_agency.name,
        )
        {
            AgendaKind.INFO_SHARING: queue.info_sharing,
            AgendaKind.RESOURCE_GAP: queue.resource_gaps,
            AgendaKind.WORRYING_NO_CONSENT: queue.worrying,
            AgendaKind.PLAN_APPROVAL: queue.plans,
            AgendaKind.EVALUATION: queue.evaluations,
        }[r.kind].append(entry)
    return queue


# --- dashboard helpers -------------------------------------------------------------------------


# What the dashboard's "next meetings" prints of a meeting (its convenor is not shown).
UPCOMING_ROW = ("public_id", "starts_at", "status", "body__name")


def upcoming_meetings(user, limit: int = 5) -> list[Meeting]:
    return list(
        meetings_for_user(user)
        .upcoming()
        .select_related(None)
        .select_related("body")
        .only(*UPCOMING_ROW)
        .order_by("starts_at")[:limit]
    )


def deadlines_ahead(user, days: int = 21) -> list[Meeting]:
    """Meetings of bodies the user manages whose submission deadline is within `days`."""
    today = timezone.localdate()
    managed = MeetingBody.objects.filter(convenor_id__in=policy.managed_agency_ids(user))
    qs = (
        Meeting.objects.filter(body__in=managed, status=MeetingStatus.PLANNED)
        .upcoming()
        .select_related("body")
        .order_by("starts_at")
    )
    result = []
    for m in qs[:20]:
        if today <= m.submission_deadline <= today + dt.timedelta(days=days):
            result.append(m)
    return result


def pledges_missing(user) -> list[BodyMember]:
    """For managers: current members of 支援会議 bodies without this year's pledge; for anyone:
    their own seats without a pledge."""
    today = timezone.localdate()
    return _PLEDGES_MISSING.instances(
        user.pk, policy.managed_agency_ids(user), today, fiscal_year(today)
    )


def _pledges_missing(user_id: int, managed, on: dt.date, _fy: int) -> QuerySet[BodyMember]:
    # `_fy` is the fiscal year the pledges' `current(on)` derives from `on`: a placeholder of its
    # own, so that the statement compiled once takes today's (as meetings.policy's seats).
    pledged = ConfidentialityPledge.objects.current(on).values_list("member_id", flat=True)
    return (
        BodyMember.objects.current(on)
        .filter(body__kind=BodyKind.SHIEN_KAIGI, body__active=True)
        .exclude(pk__in=pledged)
        .filter(Q(user_id=user_id) | Q(body__convenor_id__in=managed))
        .select_related("body", "user", "agency")
        # What the dashboard panel and the meetings page print: 74 columns of four tables cost
        # more to compile than the few rows cost to read.
        .only(
            "external_name",
            "external_organisation",
            "body__public_id",
            "body__name",
            "user__username",
            "user__display_name",
            "agency__name",
            "agency__short_name",
        )[:20]
    )


# Compiled once per process and per number of managed agencies (agencies.compiled): the
# dashboard and the meetings page ask it on every view.
_PLEDGES_MISSING = CompiledOnce(_pledges_missing, KEY, KEYS, DAY, fiscal_year(DAY))


# --- role assignments (役割分担) -----------------------------------------------------------------


def roles_owned_by(user, *, status: str = "open") -> QuerySet:
    """Role assignments the user answers for (named owner, or care staff of the owner agency),
    followed as tasks. status: "open" (not done, due first), "done" (latest first) or "all"."""
    from .models.meeting import owner_agencies

    return _roles_of(user.pk, *owner_agencies(user), status=status)


def _roles_of(user_id: int, named, care, *, status: str = "open") -> QuerySet:
    from .models import RoleAssignment

    rows = RoleAssignment.objects.open() if status == "open" else RoleAssignment.objects.tasks()
    rows = rows.owned_by_keys(user_id, named, care)
    if status == "open":
        rows = rows.order_by(F("due_on").asc(nulls_last=True), "pk")
    elif status == "done":
        rows = rows.filter(done_on__isnull=False).order_by("-done_on", "-pk")
    else:
        rows = rows.order_by(F("due_on").desc(nulls_last=True), "-pk")
    return rows.select_related(
        "owner_agency",
        "owner_user",
        "done_by",
        "decision",
        "decision__item",
        "decision__item__case",
        "decision__item__meeting",
        "decision__item__meeting__body",
    )


def _panel_roles(user_id: int, named, care) -> QuerySet:
    """`roles_owned_by` with what the dashboard shows and nothing more: nine tables joined with
    every column cost 2 ms to compile and 2 ms for PostgreSQL to plan, on every dashboard; six
    tables with these columns cost 0.8 and 0.9 ms."""
    return (
        _roles_of(user_id, named, care, status="open")
        .select_related(None)
        .select_related("owner_agency", "decision__item__case", "decision__item__meeting__body")
        .only(
            "public_id",
            "task",
            "due_on",
            "owner_agency__name",
            "owner_agency__short_name",
            "decision__item__case__number",
            "decision__item__meeting__starts_at",
            "decision__item__meeting__body__name",
        )
    )


# Compiled once per process and per number of the user's agencies (agencies.compiled): every
# professional's dashboard asks it.
_PANEL_ROLES_HEAD = CompiledOnce(
    lambda user_id, named, care: _panel_roles(user_id, named, care)[: PANEL_ROWS + 1],
    KEY,
    KEYS,
    SECOND_KEYS,
)


def open_roles_head(user) -> tuple[list, int]:
    """The dashboard's first `PANEL_ROWS` open roles of `user` and their number."""
    from .models.meeting import owner_agencies

    keys = (user.pk, *owner_agencies(user))
    return compiled_head_and_count(_PANEL_ROLES_HEAD, keys, PANEL_ROWS, lambda: _panel_roles(*keys))


# --- which meeting a case can go to (issue 10: no dead ends) -----------------------------------


@dataclass(frozen=True)
class CaseMeetingRoute:
    """Where the case can be discussed now: a consented case goes to the 重層的支援会議 (plan,
    evaluation, closure); without consent only a 支援会議 (members under a statutory duty of
    confidentiality), which may decide a pre-consent 見守り・アウトリーチ方針."""

    consent: bool
    kind: str  # BodyKind
    bodies: list
    waiting: list  # the case's requests waiting for a slot
    pending_items: list  # agenda items of the case not decided yet
    watch: object  # the latest 見守り方針 (a WATCH decision) or None

    @property
    def label(self) -> str:
        return str(BodyKind(self.kind).label)


# The route's reads, compiled once per process (agencies.compiled): the case page asks them
# on every view of an open case.
_KIND = "\x00kind"  # a body kind no row holds
_BODIES = CompiledOnce(
    lambda kind: (
        MeetingBody.objects.active().filter(kind=kind).select_related("convenor").order_by("name")
    ),
    _KIND,
)
_WAITING = CompiledOnce(
    lambda pk: (
        AgendaRequest.objects.filter(case_id=pk, status=RequestStatus.WAITING)
        .select_related("body")
        .order_by("pk")
    ),
    KEY,
)
_PENDING_ITEMS = CompiledOnce(
    lambda pk: (
        AgendaItem.objects.filter(case_id=pk, decision__isnull=True)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__body")
        .order_by("meeting__starts_at")
    ),
    KEY,
)


def _latest_watch(pk: int):
    from .models import Decision

    return (
        Decision.objects.filter(item__case_id=pk, kind=DecisionKind.WATCH)
        .select_related("item__meeting__body")
        .order_by("-decided_on", "-pk")[:1]
    )


_WATCH = CompiledOnce(_latest_watch, KEY)


def case_meeting_route(case) -> CaseMeetingRoute:
    consent = case_consent_in_force(case)
    kind = BodyKind.JUSO_KAIGI if consent else BodyKind.SHIEN_KAIGI
    watch = next(iter(_WATCH.instances(case.pk)), None)
    if watch is not None:
        prefetch_related_objects([watch], "roles__owner_agency", "roles__owner_user")
    return CaseMeetingRoute(
        consent,
        kind,
        bodies=_BODIES.instances(str(kind)),
        waiting=_WAITING.instances(case.pk),
        pending_items=_PENDING_ITEMS.instances(case.pk),
        watch=watch,
    )


def paper_drawings(item: AgendaItem, *, font_family: str | None = None) -> dict | None:
    """The genogram and ecomap printed with an item's paper, or None when it has no household.

    The same persons as the paper's text (cases.genogram draws relations and ages, no names): the
    household's current members, or only the item's persons when it names some (a 支援会議 member
    sees those and nothing else of the household). The ecomap: the case's current team and the
    relations of its current assessment — for an item covering part of the household the team
    only, since the relations describe the whole household. Drawn when printed, from the records
    as they are then.
    """
    from cases.genogram import household_drawings

    case = item.case
    household = item.household or (case.household if case is not None else None)
    if household is None:
        return None
    covered = {p.pk for p in item.persons.all()}
    current = list(
        _cases_model("HouseholdMember")
        .objects.current()
        .filter(household=household)
        .select_related("person")
        .order_by("-is_key_person", "pk")
    )
    members = [m for m in current if m.person_id in covered] if covered else current
    team, relations = [], []
    if case is not None:
        team = list(case.team.current().select_related("agency"))
        assessment = case.assessments.filter(superseded_at__isnull=True).order_by("-number").first()
        if assessment is not None and len(members) == len(current):
            relations = list(assessment.relations.select_related("agency"))
    return household_drawings(
        members=members,
        team=team,
        relations=relations,
        principal_id=case.principal_id if case is not None else None,
        font_family=font_family,
    )

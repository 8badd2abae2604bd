"""Who may do what on a 多機関協働 support case.

- **see**: the case's coordinator; staff of an agency currently on the case team, if that agency
  is the 多機関協働 body running the case or a current consent of a covered person names it;
- **edit** (sheets, monitoring, activity notes): those who see it, except team rows whose role is
  only 情報提供・見守り;
- **manage** (transitions, team, submitting plans, handing sheets to a meeting): the case's
  coordinator and coordinators of the 多機関協働 body or of the lead agency;
- **decide** (record a meeting decision: plan approval, evaluation decision, re-assessment):
  supervisors of the agencies on the team that see the case (the 多機関協働 body, the lead agency,
  consented partners), and the case's coordinator. The
  coordinator may record what a held meeting decided (the meeting's date is required): in small
  municipalities the 推進員 is the meeting's secretary and paper meetings are recorded by them.
  The meetings app records decisions through the same services with `via="meeting"`.
- everyone else sees nothing (the persons search only says that a record exists).

`visible_case_filter(user)` is the same rule as a Q object, used by the selectors so lists and
single checks never disagree.
"""

from django.db.models import Exists, OuterRef, Q

from agencies.choices import Role
from agencies.policy import DENY, Basis, Decision, allow, is_admin, is_professional, rule

EDIT_ROLES = frozenset(
    {Role.CASEWORKER, Role.COORDINATOR, Role.CSW, Role.PARTICIPATION_WORKER, Role.SUPERVISOR}
)


def _staff_agency_ids(user) -> set[int]:
    return {m.agency_id for m in user.current_memberships() if m.role != Role.RESIDENT}


def _agency_ids_with(user, *roles) -> set[int]:
    return {m.agency_id for m in user.current_memberships() if m.role in roles}


def visible_case_filter(user, prefix: str = "") -> Q:
    """Q for SupportCase rows the user may see (prefix e.g. "case__" for related models)."""
    from cases.models import CaseTeamMember, Consent

    agency_ids = _staff_agency_ids(user)
    if not agency_ids:
        return Q(pk__in=[])
    consent = (
        Consent.objects.in_force()
        .filter(agencies=OuterRef("agency_id"))
        .filter(
            Q(person__support_cases=OuterRef(OuterRef("pk")))
            | Q(person__principal_cases=OuterRef(OuterRef("pk")))
        )
    )
    team = (
        CaseTeamMember.objects.current()
        .filter(case=OuterRef("pk"), agency_id__in=agency_ids)
        .filter(Q(agency_id=OuterRef("coordinating_agency_id")) | Exists(consent))
    )
    from cases.models import SupportCase

    ids = SupportCase.objects.filter(Q(coordinator=user) | Exists(team)).values("pk")
    return Q(**{f"{prefix}pk__in" if prefix else "pk__in": ids})


class CaseAccess:
    """What one user may do on one case, computed once and cached on the case instance."""

    def __init__(self, user, case):
        from cases.models import CaseTeamMember, Consent, TeamRole

        self.user = user
        self.case = case
        agency_ids = _staff_agency_ids(user)
        self.is_coordinator = case.coordinator_id == user.pk
        team = (
            [
                m
                for m in CaseTeamMember.objects.current().filter(
                    case=case, agency_id__in=agency_ids
                )
            ]
            if agency_ids
            else []
        )
        self.team_agency_ids = {m.agency_id for m in team}
        consented: set[int] = set()
        others = self.team_agency_ids - {case.coordinating_agency_id}
        if others:
            person_ids = set(case.persons.values_list("pk", flat=True))
            if case.principal_id:
                person_ids.add(case.principal_id)
            consented = (
                set(
                    Consent.objects.in_force()
                    .filter(person_id__in=person_ids, agencies__in=others)
                    .values_list("agencies", flat=True)
                )
                & others
            )
        self.seeing_agency_ids = consented | (self.team_agency_ids & {case.coordinating_agency_id})
        self.basis = ""
        if self.is_coordinator or case.coordinating_agency_id in self.seeing_agency_ids:
            self.basis = Basis.CASE_TEAM
        elif self.seeing_agency_ids:
            self.basis = Basis.CONSENT
        # An agency on the team only to be kept informed (情報提供・見守り) reads but does not write.
        full = {m.agency_id for m in team if m.role != TeamRole.INFORMATION}
        self.edit_agency_ids = self.seeing_agency_ids & full & _agency_ids_with(user, *EDIT_ROLES)
        key_agencies = {case.coordinating_agency_id, case.lead_agency_id} - {None}
        self.is_manager = self.is_coordinator or bool(
            _agency_ids_with(user, Role.COORDINATOR) & key_agencies & self.seeing_agency_ids
        )
        # Supervisors of the agencies on the team (with the case in view) record meeting decisions:
        # the 重層的支援会議 is convened by the 多機関協働 body, but the one who records its decision
        # may sit at the lead or another team agency.
        self.is_decider = self.is_coordinator or bool(
            _agency_ids_with(user, Role.SUPERVISOR) & self.seeing_agency_ids
        )

    @property
    def can_view(self) -> bool:
        return bool(self.basis)

    @property
    def can_edit(self) -> bool:
        return self.is_coordinator or bool(self.edit_agency_ids)


def case_access(user, case) -> CaseAccess:
    cache = case.__dict__.setdefault("_access_cache", {})
    if user.pk not in cache:
        cache[user.pk] = CaseAccess(user, case)
    return cache[user.pk]


def _case_of(obj):
    """The SupportCase behind a sheet, item, note or attachment."""
    from cases.models import (
        ActivityNote,
        Assessment,
        CaseTeamMember,
        Evaluation,
        Monitoring,
        NoteAttachment,
        Plan,
        PlanItem,
        SupportCase,
    )

    if isinstance(obj, SupportCase):
        return obj
    if isinstance(obj, Assessment | Plan | Evaluation | ActivityNote | CaseTeamMember):
        return obj.case
    if isinstance(obj, PlanItem):
        return obj.plan.case
    if isinstance(obj, Monitoring):
        return obj.item.plan.case
    if isinstance(obj, NoteAttachment):
        return obj.note.case
    return None


@rule("case.list")
def _case_list(user, obj) -> Decision:
    return allow(Basis.CASE_TEAM) if is_professional(user) and _staff_agency_ids(user) else DENY


@rule("case.create")
def _case_create(user, agency) -> Decision:
    """Coordinators of an agency running 多機関協働 open cases there."""
    if agency is None:
        return allow(Basis.SAME_AGENCY) if user.has_role(Role.COORDINATOR) else DENY
    if Role.COORDINATOR in user.roles_at(agency.pk) and "multiagency" in (agency.programmes or []):
        return allow(Basis.SAME_AGENCY)
    return DENY


@rule("case.view", "assessment.view", "plan.view", "evaluation.view", "case.print")
def _case_view(user, obj) -> Decision:
    case = _case_of(obj)
    if case is None or not is_professional(user):
        return DENY
    access = case_access(user, case)
    return allow(access.basis) if access.can_view else DENY


@rule(
    "case.edit",
    "assessment.edit",
    "plan.edit",
    "evaluation.edit",
    "monitoring.create",
    "note.create",
)
def _case_edit(user, obj) -> Decision:
    case = _case_of(obj)
    if case is None:
        return DENY
    access = case_access(user, case)
    return allow(access.basis) if access.can_view and access.can_edit else DENY


@rule("case.manage", "team.manage", "plan.submit", "evaluation.ready", "case.transition")
def _case_manage(user, obj) -> Decision:
    case = _case_of(obj)
    if case is None:
        return DENY
    access = case_access(user, case)
    return allow(Basis.CASE_TEAM) if access.can_view and access.is_manager else DENY


@rule("case.decide", "plan.approve", "evaluation.decide")
def _case_decide(user, obj) -> Decision:
    case = _case_of(obj)
    if case is None:
        return DENY
    access = case_access(user, case)
    if not access.can_view or not access.is_decider:
        return DENY
    if access.is_coordinator:
        return allow(Basis.CASE_TEAM)
    return allow(Basis.AGENCY_SUPERVISOR)


@rule("note.view")
def _note_view(user, note) -> Decision:
    """Team notes to everyone who sees the case; sensitive notes to the author's agency only."""
    if note is None:
        return DENY
    access = case_access(user, note.case)
    if not access.can_view:
        return DENY
    if note.visibility == "agency":
        if note.author_id == user.pk:
            return allow(Basis.AUTHOR)
        if note.agency_id in _staff_agency_ids(user):
            return allow(Basis.SAME_AGENCY)
        return DENY
    return allow(access.basis)


@rule("attachment.view")
def _attachment_view(user, attachment) -> Decision:
    if attachment is None:
        return DENY
    return _note_view(user, attachment.note)


@rule("caseload.handover")
def _handover(user, staff) -> Decision:
    """Supervisors move the caseload of staff at their agencies (April transfers); admins too."""
    if is_admin(user):
        return allow(Basis.ADMIN)
    if staff is None:
        return allow(Basis.AGENCY_SUPERVISOR) if user.has_role(Role.SUPERVISOR) else DENY
    from agencies.models import Membership

    supervised = _agency_ids_with(user, Role.SUPERVISOR)
    # Past memberships count: the worker may already have moved on 1 April.
    if supervised and Membership.objects.filter(user=staff, agency_id__in=supervised).exists():
        return allow(Basis.AGENCY_SUPERVISOR)
    return DENY


def note_visibility_filter(user) -> Q:
    """Q on ActivityNote: team notes, or sensitive notes of the user's own agencies."""
    return Q(visibility="team") | Q(agency_id__in=_staff_agency_ids(user)) | Q(author=user)

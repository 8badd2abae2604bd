"""Who may see and work on outreach targets — and on what basis.

Before consent the only lawful bases are the work itself and the 支援会議 (art. 106-6):
- OUTREACH_AGENCY: staff with a care role at the agency that holds the target (the 社協's CSWs);
- ASSIGNEE: the named lead worker, an assignee, or an owner of the current outreach plan (who
  may work at another agency, e.g. the 地域包括 nurse named at the 支援会議);
- Basis.SHIEN_KAIGI: a member with a current confidentiality pledge of a 支援会議 body whose
  agenda had the target within the look-back of the body's legal basis: read only.
Admins see counts (workload page) but no target content. Rules register with agencies.policy.
`visible_q(user)` is the same decision as a filter, for lists and the API.
"""

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme, Role
from agencies.policy import (
    DENY,
    Basis,
    Decision,
    allow,
    cached_decision,
    deny,
    is_admin,
    is_professional,
    rule,
)
from agencies.remembered import remembered

OUTREACH_AGENCY = "outreach_agency"
ASSIGNEE = "outreach_assignee"
Basis.LABELS.setdefault(OUTREACH_AGENCY, _("アウトリーチ実施機関の職員"))
Basis.LABELS.setdefault(ASSIGNEE, _("アウトリーチの担当者"))

CARE_ROLES = frozenset(
    {Role.CASEWORKER, Role.COORDINATOR, Role.CSW, Role.PARTICIPATION_WORKER, Role.SUPERVISOR}
)
READ_ONLY = _("支援会議の構成員は閲覧のみできます。記録は担当機関・担当者が行います。")
NO_OUTREACH = _("アウトリーチ等事業の実施機関の職員と、対象者の担当者が利用できます。")


def care_agency_ids(user) -> set[int]:
    return {m.agency_id for m in user.current_memberships() if m.role in CARE_ROLES}


def outreach_agency_ids(user) -> set[int]:
    """Agencies running 4号 where the user holds a care role."""
    return {
        m.agency_id
        for m in user.current_memberships()
        if m.role in CARE_ROLES and Programme.OUTREACH in (m.agency.programmes or [])
    }


def supervised_outreach_agency_ids(user) -> set[int]:
    return {
        m.agency_id
        for m in user.current_memberships()
        if m.role == Role.SUPERVISOR and Programme.OUTREACH in (m.agency.programmes or [])
    }


def _assignee_q(user) -> Q:
    from .models import OutreachTarget

    through = OutreachTarget.assignees.through
    return (
        Q(lead_worker=user)
        | Q(Exists(through.objects.filter(outreachtarget_id=OuterRef("pk"), user_id=user.pk)))
        | Q(pk__in=_current_plan_owner_targets(user))
    )


def _current_plan_owner_targets(user):
    """Targets whose newest plan names the user as an owner."""
    from .models import OutreachPlan

    newest = (
        OutreachPlan.objects.filter(target_id=OuterRef("target_id"))
        .order_by("-decided_on", "-pk")
        .values("pk")[:1]
    )
    return (
        OutreachPlan.objects.filter(owners=user)
        .annotate(newest=newest)
        .filter(pk=F("newest"))
        .values("target_id")
    )


def shien_kaigi_target_ids(user):
    """Targets whose agenda request was placed on an agenda of a 支援会議 body where the user has a
    current pledge, within the lookback (a subquery of target ids), or None."""
    import datetime as dt

    from django.db.models import Q

    from meetings.access import _bases
    from meetings.choices import BodyKind, MeetingStatus
    from meetings.models import AgendaItem

    # Pledged seats on bodies whose basis needs no consent, with each basis's look-back
    # (the legal-basis registry decides how long meeting papers open their persons).
    bases = _bases(user) if user is not None and getattr(user, "is_authenticated", False) else {}
    if not bases:
        return None
    now = timezone.now()
    within = Q(pk__in=[])
    for body_id, (days, _sections) in bases.items():
        within |= Q(meeting__body_id=body_id, meeting__starts_at__gte=now - dt.timedelta(days=days))
    return (
        AgendaItem.objects.filter(
            within,
            request__outreach_link__isnull=False,
            meeting__body__kind=BodyKind.SHIEN_KAIGI,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values("request__outreach_link__target_id")
    )


def _work_q(user) -> Q:
    """Targets the user may work on (the bases OUTREACH_AGENCY and ASSIGNEE) as a filter."""
    return Q(agency_id__in=care_agency_ids(user)) | _assignee_q(user)


def visible_q(user) -> Q:
    """Targets the user may open (the `outreach_target.view` rule as a filter)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if not is_professional(user):
        return Q(pk__in=[])
    q = _work_q(user)
    sk = shien_kaigi_target_ids(user)
    if sk is not None:
        q |= Q(pk__in=sk)
    return q


def _is_assignee(user, target) -> bool:
    from .models import OutreachTarget

    return OutreachTarget.objects.filter(pk=target.pk).filter(_assignee_q(user)).exists()


def target_basis(user, target) -> Decision:
    """Why the user may see `target`, or DENY. Cached per request on the user."""
    cache = user.__dict__.setdefault("_outreach_cache", {})
    key = ("view", target.pk)
    if key in cache:
        return cache[key]
    decision = DENY
    if is_professional(user):
        if target.agency_id in care_agency_ids(user):
            decision = allow(OUTREACH_AGENCY)
        elif _is_assignee(user, target):
            decision = allow(ASSIGNEE)
        else:
            sk = shien_kaigi_target_ids(user)
            if sk is not None and sk.filter(request__outreach_link__target_id=target.pk).exists():
                decision = allow(Basis.SHIEN_KAIGI)
    cache[key] = decision
    return decision


def _uses_outreach(user, q_of, key: str) -> Decision:
    """Staff of an agency running 4号 use the outreach pages; anyone else only while some target
    in `q_of(user)` is theirs (one EXISTS, once per request: the menu asks on every page)."""
    if not is_professional(user):
        return DENY
    if outreach_agency_ids(user):
        return allow(OUTREACH_AGENCY)

    def has_targets() -> bool:
        from .models import OutreachTarget

        return OutreachTarget.objects.filter(q_of(user)).exists()

    if cached_decision(("outreach.uses", key, user.pk), has_targets):
        return allow(ASSIGNEE)
    return deny(str(NO_OUTREACH))


# --- rules ------------------------------------------------------------------------------------


@rule("outreach.list", "outreach.plan_visits")
def _list(user, obj) -> Decision:
    """The target list and the visit plan (the menu shows them to the same users): outreach
    agency staff, and others while they may see a target (an assignee, a plan owner, a pledged
    支援会議 member). Without either the pages would only ever be empty."""
    return _uses_outreach(user, visible_q, "view")


@rule("outreach.menu")
def _menu(user, obj) -> Decision:
    """The navigation's entry, asked on every page: the list's rule (`outreach.list`), whose
    answer for those outside an outreach agency — an EXISTS over the targets, ~3 ms a page — is
    remembered for settings.NAV_CACHE_SECONDS. The entry may appear or go a few minutes late;
    the pages themselves always ask the list's rule."""
    if not is_professional(user) or outreach_agency_ids(user):
        return _list(user, obj)  # decided without a query
    if remembered(
        f"outreach-menu:{user.pk}", lambda: _list(user, obj).allowed, settings.NAV_CACHE_SECONDS
    ):
        return allow(ASSIGNEE)
    return deny(str(NO_OUTREACH))


@rule("outreach.field")
def _field(user, obj) -> Decision:
    """The tablet page records contacts: only for users who may work on some target (a 支援会議
    member reads, so the page would offer nothing to record)."""
    return _uses_outreach(user, _work_q, "work")


@rule("outreach_target.create", "outreach.import")
def _create(user, agency) -> Decision:
    """Staff of an agency running アウトリーチ等事業 register targets for that agency."""
    ids = outreach_agency_ids(user)
    if agency is None:
        return allow(OUTREACH_AGENCY) if ids else DENY
    if agency.pk in ids:
        return allow(OUTREACH_AGENCY)
    return deny(str(_("アウトリーチ等事業を実施する機関の職員のみ登録できます。")))


@rule("outreach_target.view", "outreach_target.print")
def _view(user, target) -> Decision:
    if target is None:
        return DENY
    return target_basis(user, target)


@rule("outreach_target.work")
def _work(user, target) -> Decision:
    """Log contacts, plan visits, move the stage, edit the minimal data: the holding agency and
    the assignees (支援会議 members read only)."""
    if target is None:
        return DENY
    decision = target_basis(user, target)
    if decision.basis in (OUTREACH_AGENCY, ASSIGNEE):
        return decision
    if decision.allowed:
        return deny(str(READ_ONLY))
    return DENY


@rule("outreach_target.assign")
def _assign(user, target) -> Decision:
    """Change the lead worker and assignees: staff of the holding agency."""
    if target is None:
        return DENY
    if target.agency_id in care_agency_ids(user):
        return allow(OUTREACH_AGENCY)
    return DENY


@rule("outreach_plan.record")
def _plan_record(user, target) -> Decision:
    """Record the outreach plan set at a 支援会議: the holding agency's staff. The meeting's
    secretariat records it through the agenda item (checked in the service)."""
    return _work(user, target)


@rule("outreach.workload")
def _workload(user, obj) -> Decision:
    """Caseload per CSW and area: outreach agency staff (their agencies), admins (counts)."""
    if is_admin(user):
        return allow(Basis.ADMIN)
    if outreach_agency_ids(user):
        return allow(OUTREACH_AGENCY)
    return DENY

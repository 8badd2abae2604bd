"""Who may do what in community work and with the shared resource catalogue. Deny by default
(agencies.policy).

Resources (社会資源 / 拠点・居場所) carry no personal data about their users: every care-role
staff member may see the catalogue (workers need it to connect people). Changing it is for
community staff — CSWs, participation workers, staff of an agency running the community or
participation programme — for the staff of the agency operating that resource, and for admins.
"""

from django.utils.translation import gettext_lazy as _

from agencies.choices import Programme, Role
from agencies.policy import DENY, Basis, Decision, allow, is_admin, is_professional, rule

COMMUNITY_ROLES = frozenset({Role.CSW, Role.PARTICIPATION_WORKER})
COMMUNITY_PROGRAMMES = frozenset({Programme.COMMUNITY.value, Programme.PARTICIPATION.value})


class CommunityBasis:
    COMMUNITY_STAFF = "community_staff"
    OPERATOR_STAFF = "operator_staff"


# Labels for the bases this app adds (the audit viewer and 403 pages read Basis.LABELS).
Basis.LABELS.setdefault(CommunityBasis.COMMUNITY_STAFF, _("地域づくり・参加支援の担当"))
Basis.LABELS.setdefault(CommunityBasis.OPERATOR_STAFF, _("運営機関の職員"))


def is_community_staff(user) -> bool:
    """A CSW or participation worker anywhere, or professional staff of an agency that runs the
    community or participation programme."""
    for m in user.current_memberships():
        if m.role == Role.RESIDENT:
            continue
        if m.role in COMMUNITY_ROLES:
            return True
        if COMMUNITY_PROGRAMMES & set(m.agency.programmes or []):
            return True
    return False


def is_operator_staff(user, resource) -> bool:
    return (
        resource is not None
        and resource.operating_agency_id is not None
        and is_professional(user)
        and resource.operating_agency_id in user.agency_ids()
    )


@rule("resource.list", "resource.view", "resource.export")
def _resource_view(user, resource) -> Decision:
    return allow(Basis.STAFF_DIRECTORY) if is_professional(user) else DENY


@rule("resource.create")
def _resource_create(user, obj) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    if is_community_staff(user):
        return allow(CommunityBasis.COMMUNITY_STAFF)
    return DENY


@rule("resource.update")
def _resource_update(user, resource) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    if is_community_staff(user):
        return allow(CommunityBasis.COMMUNITY_STAFF)
    if is_operator_staff(user, resource):
        return allow(CommunityBasis.OPERATOR_STAFF)
    return DENY


# --- sessions and 気づき from places -----------------------------------------------------------


@rule("session.list", "session.view", "map.view", "program.list", "program.view")
@rule("communityissue.list", "communityissue.view", "agreement.list", "agreement.view")
def _counts_for_staff(user, obj) -> Decision:
    # Tallies, platforms, issues and agreements hold counts and organisations, no personal data.
    return allow(Basis.STAFF_DIRECTORY) if is_professional(user) else DENY


@rule("session.create")
def _session_create(user, resource) -> Decision:
    """Log a session of a place: whoever may edit the place."""
    return _resource_update(user, resource)


@rule("place_concern.create")
def _place_concern_create(user, resource) -> Decision:
    """A resident host passes a 気づき from a place (it becomes their 気づきシート); only to a place
    that is running."""
    if not user.has_role(Role.RESIDENT):
        return DENY
    if resource is not None and (not resource.is_place or resource.status != "active"):
        return DENY
    return allow(Basis.SELF)


@rule("session.update", "session.delete")
def _session_update(user, session) -> Decision:
    """Correct or remove a tally: whoever may log the place's sessions."""
    return _session_create(user, session.resource if session is not None else None)


@rule("place_concern.link")
def _place_concern_link(user, concern) -> Decision:
    """Record which consultation a place's 気づき led to: community staff (the CSW who opened it);
    the service also requires that the actor may see the consultation."""
    if is_community_staff(user):
        return allow(CommunityBasis.COMMUNITY_STAFF)
    return DENY


# --- platforms, courses, agreements, community issues -------------------------------------------


@rule("communityissue.create")
def _issue_create(user, obj) -> Decision:
    # Any care-role worker who meets a gap may raise it; naming a case is checked by the service.
    return allow(Basis.STAFF_DIRECTORY) if is_professional(user) else DENY


@rule("program.manage", "agreement.manage")
def _community_manage(user, obj) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    if is_community_staff(user):
        return allow(CommunityBasis.COMMUNITY_STAFF)
    return DENY


@rule("communityissue.update")
def _issue_update(user, issue) -> Decision:
    decision = _community_manage(user, issue)
    if decision:
        return decision
    if (
        issue is not None
        and issue.owner_agency_id
        and is_professional(user)
        and issue.owner_agency_id in user.agency_ids()
    ):
        return allow(Basis.SAME_AGENCY)
    return DENY


# --- volunteers (personal records of the volunteers themselves) ---------------------------------


def volunteer_agency_ids(user) -> set[int] | None:
    """Agencies whose volunteer registry the user may open; None means every registry (CSWs)."""
    if not is_professional(user):
        return set()
    if user.has_role(Role.CSW):
        return None
    return {
        m.agency_id
        for m in user.current_memberships()
        if m.role != Role.RESIDENT and (COMMUNITY_PROGRAMMES & set(m.agency.programmes or []))
    }


@rule("volunteer.list", "volunteer.create")
def _volunteer_registry(user, obj) -> Decision:
    allowed = volunteer_agency_ids(user)
    if allowed is None or allowed:
        return allow(CommunityBasis.COMMUNITY_STAFF)
    return DENY


@rule("volunteer.view", "volunteer.update")
def _volunteer_record(user, volunteer) -> Decision:
    """The registering agency's community staff and CSWs; admins have no reason to read a
    volunteer's contact details (figures come aggregated)."""
    if volunteer is None:
        return DENY
    allowed = volunteer_agency_ids(user)
    if allowed is None or volunteer.coordinator_agency_id in allowed:
        return allow(CommunityBasis.COMMUNITY_STAFF)
    return DENY

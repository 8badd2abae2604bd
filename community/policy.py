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

"""Who may do what in 参加支援.

Everything about a person (the participation assessment, the matching for them, placements,
activity days, follow-up) belongs to a support case and follows the case's rules
(cases.policy.support): whoever sees the case — its coordinator, the 多機関協働 body on the team,
an agency on the team whose consent of the person is in force — sees the participation records,
and whoever may write on the case writes them. A 参加支援 agency gets there like any other: by
joining the case team with the person's consent. The admin role grants nothing here.

The resource catalogue and the occupancy counts are not personal: every professional sees them.
Gaps (資源の不足) are written without personal details so the community programme can work on
them; the link to the case is shown only to those who see the case.
"""

from agencies.policy import DENY, Basis, Decision, allow, check, is_professional, rule
from cases.policy.persons import care_agency_ids


def _case_of(obj):
    from cases.models import SupportCase

    if obj is None:
        return None
    if isinstance(obj, SupportCase):
        return obj
    return getattr(obj, "case", None)


@rule("participation.index", "participation.catalogue")
def _any_professional(user, obj) -> Decision:
    return allow(Basis.STAFF_DIRECTORY) if is_professional(user) else DENY


@rule("participation.caseload", "resource_gap.list")
def _care_staff(user, obj) -> Decision:
    return allow(Basis.SAME_AGENCY) if care_agency_ids(user) else DENY


@rule(
    "participation_assessment.view",
    "participation_assessment.print",
    "participation.match",
    "placement.view",
    "placement.print",
)
def _view(user, obj) -> Decision:
    case = _case_of(obj)
    if case is None:
        return DENY
    # The person's 参加支援 record is part of the support history: the sheets' rule (a 支援会議
    # role sees the case's basic data, not its sheets).
    return check(user, "plan.view", case)


@rule(
    "participation_assessment.edit",
    "placement.create",
    "placement.transition",
    "placement.log",
    "resource_gap.create",
)
def _edit(user, obj) -> Decision:
    case = _case_of(obj)
    if case is None or not care_agency_ids(user):
        return DENY
    return check(user, "case.edit", case)


@rule("resource_profile.edit")
def _profile_edit(user, resource) -> Decision:
    """参加支援's facts about a host: 参加支援員 and supervisors, and admins (reference data; no
    personal data is involved)."""
    from agencies.choices import Role
    from agencies.policy import is_admin

    if is_admin(user):
        return allow(Basis.ADMIN)
    if user.has_role(Role.PARTICIPATION_WORKER, Role.SUPERVISOR, Role.COORDINATOR):
        return allow(Basis.SAME_AGENCY)
    return DENY

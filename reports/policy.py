"""Who may read and configure reports.

- **report.view** (figures, the annual report, exports of counts): admins and supervisors; the
  figures are counts, never persons.
- **report.manage** (targets, the municipality profile, narrative fields): admins.
- **report.drilldown**: any professional; the rows shown are further narrowed to what the viewer
  may see (reports.drilldown), and an admin without a care role sees the count only.
- **report.definitions**: any professional (what each figure counts is public knowledge).
"""

from agencies.choices import Role
from agencies.policy import DENY, Basis, Decision, allow, is_admin, is_professional, rule


@rule("report.view", "report.export")
def _report_view(user, obj) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    if user.has_role(Role.SUPERVISOR):
        return allow(Basis.AGENCY_SUPERVISOR)
    return DENY


@rule("report.manage")
def _report_manage(user, obj) -> Decision:
    return allow(Basis.ADMIN) if is_admin(user) else DENY


@rule("report.definitions", "report.drilldown", "report.dashboard")
def _report_definitions(user, obj) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    return allow(Basis.STAFF_DIRECTORY) if is_professional(user) else DENY

"""Who may do what with notifications. Deny by default (agencies.policy)."""

from agencies.choices import Role
from agencies.policy import DENY, Basis, Decision, allow, is_admin, is_professional, rule


@rule("notification.list")
def _list_own(user, obj) -> Decision:
    # Everyone with an account has an inbox of their own (residents get status notices too).
    return allow(Basis.SELF)


@rule("notification.view", "notification.update")
def _own_notification(user, notification) -> Decision:
    if notification is not None and notification.recipient_id == user.pk:
        return allow(Basis.SELF)
    return DENY


@rule("notification_preference.update")
def _own_preferences(user, target) -> Decision:
    if target is not None and target.pk == user.pk:
        return allow(Basis.SELF)
    return DENY


@rule("rule_setting.manage")
def _rule_settings(user, obj) -> Decision:
    return allow(Basis.ADMIN) if is_admin(user) else DENY


@rule("reminder.overview")
def _overview(user, agency) -> Decision:
    """Overdue items across agencies: admins everywhere, supervisors for their own agencies."""
    if is_admin(user):
        return allow(Basis.ADMIN)
    if not is_professional(user):
        return DENY
    if agency is None:
        return allow(Basis.AGENCY_SUPERVISOR) if user.has_role(Role.SUPERVISOR) else DENY
    if Role.SUPERVISOR in user.roles_at(agency.pk):
        return allow(Basis.AGENCY_SUPERVISOR)
    return DENY

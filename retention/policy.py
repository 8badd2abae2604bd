"""Who may see what is due for anonymisation and approve it: administrators only. The list holds
case numbers and dates, never a person's content."""

from agencies.policy import DENY, Basis, Decision, allow, is_admin, rule


@rule("retention.view", "retention.approve")
def _retention(user, obj) -> Decision:
    return allow(Basis.ADMIN) if is_admin(user) else DENY

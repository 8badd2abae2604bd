"""Policy rules for account security actions done by someone else (admin unlock / 2FA reset).

Kept out of agencies/policy.py so that authentication work does not collide with the directory
rules; imported by agencies.signals (loaded in AppConfig.ready) so the rules always exist.
"""

from .policy import DENY, Basis, Decision, allow, is_admin, rule


@rule("staff.unlock", "staff.otp_reset")
def _account_security_admin(user, staff) -> Decision:
    # Only administrators lift a lockout or reset someone's two-factor device: both hand an
    # account back to whoever asks, so the request must come through a verified admin session.
    return allow(Basis.ADMIN) if is_admin(user) else DENY

"""Signals the cases app sends for others to react to (notifications, reminders).

They are sent after the transaction commits (`transaction.on_commit`), carry ids only — never
personal data — and receivers must be idempotent. The cases app itself does not e-mail anyone.
"""

from django.dispatch import Signal

# sender=Referral, referral_id=<pk>, status=<new status>, event_id=<ReferralEvent pk>
referral_status_changed = Signal()

# sender=ConcernSlip, slip_id=<pk>, status=<new status>
concern_slip_status_changed = Signal()

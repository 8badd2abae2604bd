"""Immediate notifications for domain events (not deadlines).

`cases.signals.referral_status_changed` is sent after commit with ids only. The receiver turns
each ReferralEvent into notifications for the people who need to know — the sender on every
change, the receiving side when a sheet arrives (again) or is withdrawn — keyed by a Reminder
row on the event, so a signal delivered twice notifies once.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .messages import choice, notification_text
from .models import Level, Notification, Reminder, ref_for
from .rules.registry import Directory, safe_url

logger = logging.getLogger(__name__)

RULE = "referral_status"


# What happened → the title's message (notifications.messages: referral_status.<key>).
REFERRAL_KEYS = (
    "sent",
    "resent",
    "opened",
    "accepted",
    "returned",
    "info_requested",
    "withdrawn",
    "assigned",
)


def on_referral_status_changed(sender, *, referral_id, status, event_id=None, **kwargs) -> None:
    try:
        referral_status_notify(referral_id=referral_id, event_id=event_id)
    except Exception:
        # A failed notice must not break the user's action (the transaction has committed).
        logger.exception(
            "referral status notification failed: referral=%s event=%s", referral_id, event_id
        )


@transaction.atomic
def referral_status_notify(*, referral_id: int, event_id: int | None) -> list[Notification]:
    """Notify about one referral event. Idempotent per (event, recipient)."""
    from cases.models import Referral, ReferralEvent

    referral = Referral.objects.select_related("to_agency", "from_agency", "case").get(
        pk=referral_id
    )
    event = ReferralEvent.objects.get(pk=event_id) if event_id else None
    status = event.to_status if event else referral.status
    kind = event.kind if event else status
    today = timezone.localdate()
    directory = Directory(today)
    sender_side = directory.person_or_coordinators(referral.from_worker_id, referral.from_agency_id)
    receiver_side = directory.person_or_coordinators(
        referral.assignee_id, referral.to_agency_id
    ) or (directory.supervisors(referral.to_agency_id))
    if kind == "assigned":
        key, recipients = "assigned", {referral.assignee_id} if referral.assignee_id else set()
    elif kind == "info_answered" or (
        status == "sent" and event and event.from_status == "info_requested"
    ):
        key, recipients = "resent", receiver_side
    elif status == "sent":
        key, recipients = "sent", receiver_side
    elif status == "withdrawn":
        key, recipients = "withdrawn", receiver_side | sender_side
    elif status in REFERRAL_KEYS:
        key, recipients = status, sender_side
    else:
        return []
    actor_id = event.actor_id if event else None
    recipients = {u for u in recipients if u and u != actor_id}
    if not recipients:
        return []
    level = Level.URGENT if referral.urgency == "urgent" or key == "returned" else Level.NORMAL
    now = timezone.now()
    obj_ref = (
        ref_for("cases.referralevent", event_id)
        if event_id
        else ref_for("cases.referral", referral_id)
    )
    # The event row, already resolved: a notice, not a deadline (the overdue view ignores it).
    Reminder.objects.bulk_create(
        [
            Reminder(
                rule=RULE,
                object_ref=obj_ref,
                due_date=today,
                step=0,
                recipient_id=uid,
                agency_id=referral.to_agency_id,
                subject=referral.number,
                created_at=now,
                resolved_at=now,
            )
            for uid in sorted(recipients)
        ],
        ignore_conflicts=True,
    )
    url = safe_url(referral, "cases:referral_detail", referral.public_id)
    params = {
        "n": referral.number,
        "to": referral.to_agency.short_name or referral.to_agency.name,
    }
    body: tuple[str, ...] = ()
    if key == "accepted" and referral.case_id:
        params["case"] = referral.case.number
        body = ("referral_status.accepted_as_case",)
    elif key in ("accepted", "returned") and referral.outcome:
        params["outcome"] = choice("cases.referral.outcome", referral.outcome)
        body = ("referral_status.outcome",)
    text = notification_text(f"referral_status.{key}", params, body)
    pending = Reminder.objects.filter(
        rule=RULE, object_ref=obj_ref, notification__isnull=True
    ).values_list("pk", "recipient_id")
    notes = [
        Notification(
            recipient_id=rid,
            rule=RULE,
            **text,
            url=url,
            object_ref=ref_for("cases.referral", referral_id),
            level=level,
            reminder_id=pk,
            created_at=now,
        )
        for pk, rid in pending
    ]
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    if level == Level.URGENT:
        from .services import queue_urgent_emails

        queue_urgent_emails(now=now)
    return notes


# --- 気づきシート ---------------------------------------------------------------------------------

SLIP_RULE = "concern_slip_status"


def on_concern_slip_status_changed(sender, *, slip_id, status, **kwargs) -> None:
    try:
        concern_slip_status_notify(slip_id=slip_id, status=status)
    except Exception:
        logger.exception("concern slip notification failed: slip=%s", slip_id)


@transaction.atomic
def concern_slip_status_notify(*, slip_id: int, status: str) -> list[Notification]:
    """A new slip → the receiving agency (coordinators, CSWs, else supervisors); any later status
    → the resident who submitted it (the only thing they may see is that status). Idempotent per
    (slip, status, recipient). The slip's free text never goes into a notification."""
    from agencies.choices import Role
    from cases.models import ConcernSlip

    slip = ConcernSlip.objects.select_related("to_agency").get(pk=slip_id)
    today = timezone.localdate()
    directory = Directory(today)
    submitted_on = timezone.localtime(slip.submitted_at).strftime("%Y-%m-%d")
    if status == ConcernSlip.Status.SUBMITTED:
        recipients = directory.with_role(
            slip.to_agency_id, Role.COORDINATOR, Role.CSW
        ) or directory.supervisors(slip.to_agency_id)
        text = notification_text("concern_slip_status.submitted", {"date": submitted_on})
        url = safe_url(slip, "cases:concern_slip_detail", slip.public_id)
        level = Level.URGENT if slip.urgency == "urgent" else Level.NORMAL
    else:
        recipients = {slip.submitted_by_id} if directory.is_current(slip.submitted_by_id) else set()
        text = notification_text(
            "concern_slip_status.changed",
            {"date": submitted_on, "status": choice("cases.concernslip.status", status)},
        )
        url = safe_url(slip, "cases:concern_slip_detail", slip.public_id)
        level = Level.NORMAL
    if not recipients:
        return []
    now = timezone.now()
    obj_ref = f"{ref_for('cases.concernslip', slip_id)}:{status}"
    Reminder.objects.bulk_create(
        [
            Reminder(
                rule=SLIP_RULE,
                object_ref=obj_ref,
                due_date=today,
                step=0,
                recipient_id=uid,
                agency_id=slip.to_agency_id,
                subject=_("気づきシート"),
                created_at=now,
                resolved_at=now,
            )
            for uid in sorted(recipients)
        ],
        ignore_conflicts=True,
    )
    pending = Reminder.objects.filter(
        rule=SLIP_RULE, object_ref=obj_ref, notification__isnull=True
    ).values_list("pk", "recipient_id")
    notes = [
        Notification(
            recipient_id=rid,
            rule=SLIP_RULE,
            **text,
            url=url,
            object_ref=ref_for("cases.concernslip", slip_id),
            level=level,
            reminder_id=pk,
            created_at=now,
        )
        for pk, rid in pending
    ]
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    if level == Level.URGENT:
        from .services import queue_urgent_emails

        queue_urgent_emails(now=now)
    return notes

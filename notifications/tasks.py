"""Celery tasks: ids in, a service call, safe to run twice.

Retries only for transient failures (database connection, mail server unreachable). Anything lost
— a task dropped by the filesystem broker, a worker killed mid-run — is re-derived by the next
hourly sweep, because the state lives in the database (Reminder / Notification rows).
"""

import smtplib
from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils.dateparse import parse_datetime

from . import services

TRANSIENT = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="notifications.sweep", **RETRY)
def run_sweep(today: str | None = None) -> dict:
    """Run every rule for `today` (ISO date; default: today in Asia/Tokyo)."""
    result = services.sweep(date.fromisoformat(today) if today else None)
    return {
        "today": result.today.isoformat(),
        "notifications": result.notifications,
        "failed": result.failed,
        "emails_queued": result.emails_queued,
    }


@shared_task(name="notifications.send_digests", **RETRY)
def send_digests(now: str | None = None) -> int:
    """Send the daily digests that are due (hourly; each user at most once a day)."""
    return services.send_digests(parse_datetime(now) if now else None)


@shared_task(name="notifications.deliver_email", **RETRY)
def deliver_notification_email(notification_id: int) -> bool:
    """Mail one urgent notification; a second delivery of the same id sends nothing."""
    return services.notification_email_send(notification_id=notification_id)

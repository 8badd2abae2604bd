import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tsunagu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work, in Asia/Tokyo (CELERY_TIMEZONE). The sweep re-derives everything from the data,
# so a missed or doubled run is harmless. Digests run hourly at :30 and each user gets theirs once
# a day at (or after) their preferred hour — 07:30 by default.
app.conf.beat_schedule = {
    "notifications-sweep": {"task": "notifications.sweep", "schedule": crontab(minute=5)},
    "notifications-digests": {"task": "notifications.send_digests", "schedule": crontab(minute=30)},
    # The audit log's daily hash chain (audit/chain.py); verify with `manage.py audit_verify`.
    "audit-seal": {"task": "audit.seal", "schedule": crontab(hour=1, minute=15)},
    "reports-sweep-jobs": {"task": "reports.sweep_jobs", "schedule": crontab(minute="*/10")},
    # Records past their retention period, listed for an administrator's approval (monthly).
    "retention-list-due": {
        "task": "retention.list_due",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # Send what the broker refused while it was down (outbox/services.py); every entry above is
    # itself written to the outbox first by outbox.beat.OutboxScheduler.
    "outbox-drain": {"task": "outbox.drain", "schedule": 60.0},
}


@app.task(name="tsunagu.ping")
def ping() -> str:
    """Round trip used by /healthz-style checks and the CI worker test."""
    return "pong"

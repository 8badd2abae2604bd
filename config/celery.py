import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tsunagu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="tsunagu.ping")
def ping() -> str:
    """Round trip used by /healthz-style checks and the CI worker test."""
    return "pong"

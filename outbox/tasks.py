"""Celery task of the outbox: send what the broker refused earlier (beat, every minute)."""

from celery import shared_task

from .services import outbox_drain


@shared_task(name="outbox.drain")
def drain() -> dict:
    result = outbox_drain()
    return {"sent": result.sent, "waiting": result.waiting, "pruned": result.pruned}

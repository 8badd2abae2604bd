"""Celery task of retention: list what is due, monthly (approval stays with an administrator)."""

from celery import shared_task

from .services import retention_list_due


@shared_task(name="retention.list_due")
def list_due() -> int:
    return len(retention_list_due())

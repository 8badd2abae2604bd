"""Celery tasks of the audit app."""

from celery import shared_task

from .models import AuditEvent
from .services import record

HEARTBEAT = "system.heartbeat"


@shared_task(name="audit.heartbeat")
def audit_heartbeat(token: str) -> int:
    """Prove that a worker reaches the database: one `system.heartbeat` audit row per token.

    Idempotent (a second run with the same token returns the same row). Used by the CI test with
    a real worker and usable as a smoke test after a deployment:
    `celery -A config call audit.heartbeat --args='["deploy-2026-04-01"]'`.
    """
    token = token[:64]
    existing = AuditEvent.objects.filter(action=HEARTBEAT, object_id=token).first()
    if existing is not None:
        return existing.pk
    return record(actor=None, action=HEARTBEAT, object_type="system", object_id=token).pk


@shared_task(name="audit.seal")
def audit_seal() -> int:
    """Seal the audit log's unsealed past days into the hash chain (idempotent)."""
    from .chain import seal

    return len(seal())

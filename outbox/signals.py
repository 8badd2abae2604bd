"""Celery signal receivers of the outbox."""

import logging

logger = logging.getLogger(__name__)


def drain_on_worker_start(sender=None, **kwargs) -> None:
    """A worker that starts (after a crash, a deploy, or the broker coming back) first sends
    whatever waited in the outbox."""
    from .services import outbox_drain_safely

    result = outbox_drain_safely()
    if result is not None:
        logger.info("outbox drained at worker start: %d sent", result.sent)

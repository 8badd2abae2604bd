"""The beat scheduler of the project: periodic tasks go through the outbox.

Celery beat publishes straight to the broker; when the broker is down the run is only logged and
lost until the next one (an hourly sweep then waits an hour). Here each due entry is written to
the outbox first (one waiting row per entry: ten missed minutes leave one row, not ten) and sent
from there, so the drain delivers it when the broker is back. The drain entry itself is sent
directly: it only matters when the broker is up.
"""

import logging

from celery.beat import PersistentScheduler
from django.db import DatabaseError

logger = logging.getLogger(__name__)

DIRECT = {"outbox.drain", "tsunagu.ping"}


class OutboxScheduler(PersistentScheduler):
    def apply_entry(self, entry, producer=None):
        if entry.task in DIRECT:
            return super().apply_entry(entry, producer=producer)
        from .services import outbox_enqueue

        logger.info("Scheduler: writing due task %s (%s) to the outbox", entry.name, entry.task)
        try:
            outbox_enqueue(
                entry.task,
                args=list(entry.args or []),
                kwargs=dict(entry.kwargs or {}),
                dedupe_key=f"beat:{entry.name}",
            )
        except DatabaseError:
            logger.warning("outbox unavailable; sending %s directly", entry.name)
            return super().apply_entry(entry, producer=producer)
        return None

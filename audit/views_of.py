""" "Who viewed this": the latest reads of one record, for the people responsible for it.

Shown on the person page (to those who may edit the person) and on the case page (to those who
manage the case), so an owner notices a read that has no reason. One indexed query
(object_type + object_id), newest first, at most `limit` rows; list pages (which name many
records in `subjects`) are not searched here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from agencies.policy import Basis

from .labels import action_label
from .models import AuditEvent


@dataclass(frozen=True)
class View:
    at: object
    who: str
    what: str
    basis: str


def recent_views(obj, *, limit: int = 20) -> list[View]:
    events = (
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            kind__in=[AuditEvent.Kind.VIEW, AuditEvent.Kind.EXPORT],
        )
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )
    return [
        View(
            at=e.at,
            who=(e.actor.display_name or e.actor.get_username())
            if e.actor
            else (e.actor_label or _("(不明)")),
            what=str(action_label(e.action)),
            basis=Basis.label(e.basis) if e.basis else "",
        )
        for e in events
    ]

"""Meetings' entries in the person page's history (cases.history): the agenda items about the
person, on meetings of the viewer's bodies, that the viewer may open (the item's own rule)."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from agencies.policy import can
from cases.history import HistoryEntry, history_source

from . import selectors
from .models import AgendaItem


@history_source("meetings")
def _agenda_items(user, person, limit):
    items = (
        AgendaItem.objects.filter(
            persons=person, meeting__in=selectors.meetings_for_user(user).values("pk")
        )
        .select_related("meeting", "meeting__body", "case")
        .order_by("-meeting__starts_at", "-pk")[: min(limit, 20)]
        # No DISTINCT: an item names a person once (the m2m row is unique) and the meetings are
        # a semi-join; DISTINCT over these wide rows cost PostgreSQL 7 ms of planning.
    )
    return [
        HistoryEntry(
            at=item.meeting.starts_at,
            kind=_("会議"),
            title=_("%(body)s: %(title)s") % {"body": item.meeting.body.name, "title": item.title},
            url=reverse_lazy("meetings:item_detail", args=[item.public_id]),
            status=item.meeting.get_status_display(),
        )
        for item in items
        if can(user, "agendaitem.view", item)
    ]

"""Outreach's entries in the person page's history (cases.history): the targets linked to the
person that the viewer may open (the list's rule, `targets_visible_to`), when each became known
and its contacts — so a person registered through the handover leads back to the outreach
record."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from cases.history import HistoryEntry, history_source

from .models import OutreachContact
from .selectors import targets_visible_to


@history_source("outreach")
def _outreach(user, person, limit):
    targets = list(
        targets_visible_to(user)
        .filter(person=person)
        .select_related("agency")
        .only("public_id", "number", "known_on", "source", "stage", "agency")
        .order_by("-known_on", "-pk")[:limit]
    )
    if not targets:
        return []
    kind = _("アウトリーチ")
    urls = {t.pk: reverse_lazy("outreach:target_detail", args=[t.public_id]) for t in targets}
    entries = [
        HistoryEntry(
            at=t.known_on,
            kind=kind,
            title=_("対象者 %(n)s を把握(%(source)s)")
            % {"n": t.number, "source": t.get_source_display()},
            url=urls[t.pk],
            status=t.get_stage_display(),
            agency=t.agency.short_name or t.agency.name,
        )
        for t in targets
    ]
    contacts = (
        OutreachContact.objects.filter(target_id__in=list(urls))
        .only("target_id", "occurred_at", "kind", "outcome")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    entries.extend(
        HistoryEntry(
            at=c.occurred_at,
            kind=kind,
            title=_("%(kind)s・%(outcome)s")
            % {"kind": c.get_kind_display(), "outcome": c.get_outcome_display()},
            url=urls[c.target_id],
        )
        for c in contacts
    )
    return entries

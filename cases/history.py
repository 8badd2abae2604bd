"""The person page's dated history: everything about a person that the viewer may see.

Apps contribute entries through a small registry, so the person page does not need to know them:

    from cases.history import HistoryEntry, history_source

    @history_source("outreach")
    def _outreach(user, person, limit):
        qs = Contact.objects.visible_to(user).filter(target__person=person)   # the app's own scope
        return [HistoryEntry(at=c.contacted_at, kind=_("アウトリーチ"), title=…, url=…) for c in qs[:limit]]

A source reads only what its own selectors let the user see (the same rules as its list pages)
and costs a fixed number of queries (fetch with select_related, slice to `limit`). Modules named
`history` in installed apps are imported once (`autodiscover`), like admin.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from agencies import jpdates


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime | dt.date
    kind: str  # 相談 / つなぐシート / ケース / 会議 / 支援経過 …
    title: str
    # reverse_lazy: each source reads up to `limit` rows and only the newest `limit` of all are
    # shown — a busy person's 250 candidate rows cost 250 URL reversals (35 µs each) otherwise.
    url: str = ""
    status: str = ""
    tone: str = ""
    agency: str = ""

    @property
    def sort_key(self) -> dt.datetime:
        if isinstance(self.at, dt.datetime):
            local = timezone.localtime(self.at) if timezone.is_aware(self.at) else self.at
            return local.replace(tzinfo=None)
        return dt.datetime.combine(self.at, dt.time.min)

    @property
    def is_date(self) -> bool:
        return not isinstance(self.at, dt.datetime)


_SOURCES: dict[str, Callable] = {}
_discovered = False


def history_source(name: str):
    """Register `fn(user, person, limit) -> list[HistoryEntry]` under a unique name."""

    def register(fn):
        _SOURCES[name] = fn
        return fn

    return register


def person_history(user, person, *, limit: int = 50) -> list[HistoryEntry]:
    """The newest `limit` entries about `person` that `user` may see, newest first."""
    global _discovered
    if not _discovered:
        autodiscover_modules("history")
        _discovered = True
    entries: list[HistoryEntry] = []
    for fn in _SOURCES.values():
        entries.extend(fn(user, person, limit))
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    # The kept entries' URLs are reversed now, once each (a lazy URL is reversed on every read).
    return [
        dataclasses.replace(e, url=str(e.url)) if isinstance(e.url, Promise) else e
        for e in entries[:limit]
    ]


def _agency(agency) -> str:
    return (agency.short_name or agency.name) if agency else ""


def _agency_columns(relation: str) -> tuple[str, str]:
    """The columns `_agency` reads, for `.only()`: a source reads what its entries print (a
    busy person's sources turn up to 250 rows into instances, each of every column before)."""
    return (f"{relation}__short_name", f"{relation}__name")


# --- this app's sources ---------------------------------------------------------------------


@history_source("consultations")
def _consultations(user, person, limit):
    from cases.selectors.intake import consultations_visible_to

    rows = list(
        consultations_visible_to(user)  # the list's rule; not its staff and issues
        .filter(person=person)
        .select_related(None)
        .prefetch_related(None)
        .only("public_id", "received_at", "route", "outcome", "agency_id")
        .order_by("-received_at")[:limit]
    )
    # Consultations recorded by the user's agencies: their names are the memberships' (a join
    # to the agencies made PostgreSQL's generic plan scan them once a row).
    agencies = {m.agency_id: m.agency for m in user.current_memberships()}
    if missing := {c.agency_id for c in rows} - agencies.keys():
        from agencies.models import Agency

        agencies.update(Agency.objects.in_bulk(missing))
    kind, title = _("相談"), _("%(route)s・%(outcome)s")
    return [
        HistoryEntry(
            at=c.received_at,
            kind=kind,
            title=title % {"route": c.get_route_display(), "outcome": c.get_outcome_display()},
            url=reverse_lazy("cases:consultation_detail", args=[c.public_id]),
            agency=_agency(agencies.get(c.agency_id)),
        )
        for c in rows
    ]


@history_source("referrals")
def _referrals(user, person, limit):
    from django.db.models import Q

    from cases.models import Referral
    from cases.selectors.intake import staff_agency_ids

    ids = staff_agency_ids(user)
    # Sheets the user's agencies sent (drafts included) or received (never drafts), as the
    # 送付 and 受信 lists show them.
    scope = Q(from_agency_id__in=ids) | (Q(to_agency_id__in=ids) & ~Q(status=Referral.Status.DRAFT))
    qs = (
        Referral.objects.filter(scope, person=person)
        .select_related("from_agency", "to_agency")
        .only(
            "public_id",
            "number",
            "status",
            "sent_at",
            "created_at",
            *_agency_columns("from_agency"),
            *_agency_columns("to_agency"),
        )
        .order_by("-created_at")[:limit]
    )
    kind, title = _("つなぐシート"), _("%(number)s %(from)s → %(to)s")
    return [
        HistoryEntry(
            at=r.sent_at or r.created_at,
            kind=kind,
            title=title
            % {"number": r.number, "from": _agency(r.from_agency), "to": _agency(r.to_agency)},
            url=reverse_lazy("cases:referral_detail", args=[r.public_id]),
            status=r.get_status_display(),
            tone=r.status_tone,
        )
        for r in qs
    ]


@history_source("cases")
def _cases(user, person, limit):
    from cases.selectors.support import cases_visible_to

    qs = (
        cases_visible_to(user)
        .filter(persons=person)
        .select_related("lead_agency")
        .only(
            "public_id",
            "number",
            "summary",
            "status",
            "opened_on",
            *_agency_columns("lead_agency"),
        )
        .order_by("-opened_on", "-pk")[:limit]
    )  # no DISTINCT: a case lists a person once (unique m2m row); visibility is a key lookup
    kind = _("多機関協働ケース")
    return [
        HistoryEntry(
            at=c.opened_on,
            kind=kind,
            title=f"{c.number} {c.summary}",
            url=reverse_lazy("cases:case_detail", args=[c.public_id]),
            status=c.get_status_display(),
            tone=c.status_tone,
            agency=_agency(c.lead_agency),
        )
        for c in qs
    ]


@history_source("notes")
def _notes(user, person, limit):
    from cases.models import ActivityNote
    from cases.policy.support import note_visibility_filter
    from cases.selectors.support import cases_visible_to

    # Start from the person's own notes (fetched by primary key), then keep those of visible
    # cases: joining the other way reads every note of every visible case (30,000 for an agency
    # at city scale) to find the few about this person.
    about_person = ActivityNote.persons.through.objects.filter(person=person).values(
        "activitynote_id"
    )
    qs = (
        ActivityNote.objects.filter(pk__in_ids=about_person, case__in=cases_visible_to(user))
        .filter(note_visibility_filter(user))
        .select_related("case", "agency")
        .only(
            "public_id",
            "kind",
            "occurred_at",
            "case__public_id",
            "case__number",
            *_agency_columns("agency"),
        )
        .order_by("-occurred_at", "-pk")[:limit]
    )
    kind, title = _("支援経過"), _("%(kind)s(%(case)s)")
    return [
        HistoryEntry(
            at=n.occurred_at,
            kind=kind,
            title=title % {"kind": n.get_kind_display(), "case": n.case.number},
            url=reverse_lazy("cases:note_detail", args=[n.case.public_id, n.public_id]),
            agency=_agency(n.agency),
        )
        for n in qs
    ]


def format_entry_date(entry: HistoryEntry) -> str:
    return jpdates.format_date(entry.at) if entry.is_date else jpdates.format_datetime(entry.at)

"""Membership of a body whose basis needs no consent (支援会議, 要対協 …) as a basis for seeing
persons (cases.policy.persons extension point).

A member of such a body with a pledge for the current fiscal year may see the persons that an
agenda item of that body covers — only those persons (not the rest of the household), only the
sections the body's basis allows, and only for items of meetings within the basis's look-back
(the registry row, access.LegalBasis: 365 days and 基本情報・世帯 for a 支援会議 by default). The
member's duty of confidentiality covers what was shared; the information is not a standing file.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from agencies.policy import Basis

from .choices import BodyKind, MeetingStatus

DEFAULT_DAYS = 365
DEFAULT_SECTIONS = ("basic", "household")


def _pledged_body_ids(user) -> set[int]:
    from . import policy

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {body_id for body_id, pledged in policy._seats(user).items() if pledged}


def _bases(user) -> dict[int, tuple[int, frozenset[str]]]:
    """{body_id: (look-back days, sections)} of the user's pledged seats on bodies whose basis
    needs no consent (read with the seats, cached on the user for the request)."""
    cache = user.__dict__.setdefault("_meeting_cache", {})
    if "bases" not in cache:
        from . import policy

        bases = {}
        if getattr(user, "is_authenticated", False) and user.is_active:
            seats = policy._seats(user)
            for pk, body in cache["seat_bodies"].items():
                # A body saved without a basis (only outside the services) reads as a 支援会議.
                opens = body.consent_required is False or (
                    body.basis_id is None and body.kind == BodyKind.SHIEN_KAIGI
                )
                if seats[pk] and opens:
                    days = body.lookback_days
                    bases[pk] = (
                        DEFAULT_DAYS if days is None else days,
                        frozenset(body.sections or DEFAULT_SECTIONS),
                    )
        cache["bases"] = bases
    return cache["bases"]


def _item_rows(user):
    """The (person, agenda item) rows the user's pledged seats open, as a query on the agenda
    items' persons table: its joins to the item and the meeting are single-valued, so a cancelled
    meeting is a plain condition, not an anti-join over a second copy of the three tables (the
    person search's statement, which carries this as a branch of its visibility, took 1.7 ms to
    plan with it)."""
    from .models import AgendaItem

    bases = _bases(user)
    if not bases:
        return None
    now = timezone.now()
    by_days: dict[int, list[int]] = {}
    for body_id, (days, _sections) in bases.items():
        by_days.setdefault(days, []).append(body_id)
    q = Q(pk__in=[])
    for days, ids in sorted(by_days.items()):
        q |= Q(
            agendaitem__meeting__body_id__in=ids,
            agendaitem__meeting__starts_at__gte=now - dt.timedelta(days=days),
        )
    return (
        AgendaItem.persons.through.objects.filter(q)
        .exclude(agendaitem__meeting__status=MeetingStatus.CANCELLED)
        .order_by()
    )


class ShienKaigiAccess:
    """PersonAccessProvider: decide() for a batch, visible_q() for lists."""

    def decide(self, user, persons: list) -> dict:
        from cases.policy.persons import PersonDecision

        bases = _bases(user)
        if not bases or not persons:
            return {}
        rows = (
            _item_rows(user)
            .filter(person_id__in=[p.pk for p in persons])
            .values_list("person_id", "agendaitem__meeting__body_id")
        )
        sections: dict[int, set[str]] = {}
        for pk, body_id in rows:
            sections.setdefault(pk, set()).update(bases.get(body_id, (0, frozenset()))[1])
        return {
            pk: PersonDecision(True, Basis.SHIEN_KAIGI, sections=frozenset(kinds))
            for pk, kinds in sections.items()
        }

    def visible_q(self, user) -> Q | None:
        rows = _item_rows(user)
        if rows is None:
            return None
        return Q(pk__in_ids=rows.values("person_id"))

    def __eq__(self, other) -> bool:
        return isinstance(other, ShienKaigiAccess)

    def __hash__(self) -> int:
        return hash(ShienKaigiAccess)


def register_person_access() -> None:
    try:
        from cases.policy.persons import register_person_access_provider
    except ImportError:  # the persons policy is not installed in this tree
        return
    register_person_access_provider(ShienKaigiAccess())

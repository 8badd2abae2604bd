"""支援会議 membership as a basis for seeing persons (cases.policy.persons extension point).

A member of a 支援会議 body with a pledge for the current fiscal year may see the persons that an
agenda item of that body covers — only those persons (not the rest of the household), only the
basic and household sections, and only for items of meetings within the last year (the member's
duty of confidentiality covers what was shared; the information is not a standing file).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from agencies.policy import Basis

from .choices import BodyKind, MeetingStatus

LOOKBACK = dt.timedelta(days=365)
SECTIONS = frozenset({"basic", "household"})


def _pledged_body_ids(user) -> set[int]:
    from . import policy

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {body_id for body_id, pledged in policy._seats(user).items() if pledged}


def _items_q(user) -> Q | None:
    body_ids = _pledged_body_ids(user)
    if not body_ids:
        return None
    since = timezone.now() - LOOKBACK
    return Q(
        agenda_items__meeting__body_id__in=body_ids,
        agenda_items__meeting__body__kind=BodyKind.SHIEN_KAIGI,
        agenda_items__meeting__starts_at__gte=since,
    ) & ~Q(agenda_items__meeting__status=MeetingStatus.CANCELLED)


class ShienKaigiAccess:
    """PersonAccessProvider: decide() for a batch, visible_q() for lists."""

    def decide(self, user, persons: list) -> dict:
        from cases.models import Person
        from cases.policy.persons import PersonDecision

        q = _items_q(user)
        if q is None or not persons:
            return {}
        ids = set(
            Person.objects.filter(pk__in=[p.pk for p in persons])
            .filter(q)
            .values_list("pk", flat=True)
        )
        return {pk: PersonDecision(True, Basis.SHIEN_KAIGI, sections=SECTIONS) for pk in ids}

    def visible_q(self, user) -> Q | None:
        from cases.models import Person

        q = _items_q(user)
        if q is None:
            return None
        return Q(pk__in=Person.objects.filter(q).values("pk"))

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

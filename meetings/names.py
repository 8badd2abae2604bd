"""Personal names do not belong in the free text of an agenda (issue 9 item 5).

An item about a person links that person (and the consent guard of the body's basis applies);
a free-text item is a general item (一般議題) whose title is read by everyone who sees the
agenda. The services refuse a title that holds the name of a person the meeting deals with —
a person linked to the item, in the item's case or household, or linked to any item of the
meeting (and their households) — so a 重層的支援会議 cannot carry, in a title, a person whose
consent it does not have.

A name counts when the text holds the full name in kanji or in kana (姓+名, with or without a
space, any width, katakana or hiragana, old or new kanji forms: cases.normalize). A surname
alone is not refused: it is too common to tell a person from a place or a colleague.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.normalize import normalize_kana, normalize_name

NAME_IN_TITLE = _(
    "件名に、この会議で扱う人(議題・ケース・世帯の対象者)の氏名が含まれています。"
    "個人名は書かず、ケース番号や地区・世帯の特徴で表してください。"
    "個人に関する議題は、ケース・対象者を紐付けて「付議待ち」から追加します。"
)


def name_keys(person) -> set[str]:
    """The normalised full names (kanji and kana) of a person; empty when a part is missing."""
    keys = set()
    if person.family_name and person.given_name:
        keys.add(normalize_name(person.family_name + person.given_name))
    if person.family_name_kana and person.given_name_kana:
        keys.add(normalize_kana(person.family_name_kana + person.given_name_kana))
    return {k for k in keys if len(k) >= 2}


def persons_named(text: str, persons) -> list:
    """Those of `persons` whose full name (kanji or kana) appears in `text`."""
    folded = normalize_name(text)
    if not folded:
        return []
    return [p for p in persons if any(k in folded for k in name_keys(p))]


def persons_in_scope(*, meeting=None, case=None, household=None, persons=()):
    """Everyone the agenda deals with: the given persons, the case's persons, 本人 and household,
    the household's members, and the persons (and households) of every item of the meeting."""
    from cases.models import HouseholdMember, Person

    households = set()
    q = Q(pk__in=[p.pk for p in persons if p is not None])
    if case is not None:
        q |= Q(pk__in=case.persons.values("pk"))
        if case.principal_id:
            q |= Q(pk=case.principal_id)
        households.add(case.household_id)
    if household is not None:
        households.add(household.pk)
    if meeting is not None:
        from .models import AgendaItem

        items = AgendaItem.objects.filter(meeting=meeting)
        q |= Q(agenda_items__meeting=meeting)
        households |= set(items.exclude(household=None).values_list("household_id", flat=True))
        households |= set(items.exclude(case=None).values_list("case__household_id", flat=True))
    households.discard(None)
    if households:
        q |= Q(
            pk__in=HouseholdMember.objects.filter(household_id__in=households).values("person_id")
        )
    return (
        Person.objects.filter(q)
        .distinct()
        .only("pk", "family_name", "given_name", "family_name_kana", "given_name_kana")
    )


def refuse_names(text: str, *, field: str = "title", **scope) -> None:
    """Raise a field error when `text` names a person in scope (see persons_in_scope)."""
    if text and persons_named(text, persons_in_scope(**scope)):
        raise ValidationError({field: NAME_IN_TITLE})

"""What the search-as-you-type pickers offer (agencies/combobox.py): persons, households, a
person's consents and support cases, each starting from what the actor may see. The endpoints
and the forms' typed fallback call the same functions, so a choice the list would not offer is
refused on submit.

A search box takes names (漢字, ひらがな, カタカナ, 半角カナ — folded as in 名寄せ), a birth year
(1950, 昭和25, S25) and phone digits, in any order separated by spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from agencies.combobox import Option
from agencies.jpdates import DateParseError, format_date, parse_date, parse_year
from cases.models import Consent, Household, HouseholdMember, Person, SupportCase
from cases.normalize import normalize_name, normalize_phone
from cases.policy.persons import (
    household_visibility_q,
    person_decisions,
    person_visibility_q,
)
from cases.selectors.persons import Bigrams, _match_queryset, bigrams


@dataclass(frozen=True)
class Terms:
    text: str = ""  # name / kana, spaces removed
    birth_year: int | None = None
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.text or self.birth_year or self.phone)


def parse_terms(q: str) -> Terms:
    """Split a search box into name text, a birth year and phone digits."""
    text, year, phone = [], None, ""
    for token in unicodedata.normalize("NFKC", q or "").split():
        if year is None and (y := parse_year(token)) is not None:
            year = y
        elif len(digits := normalize_phone(token)) >= 4 and len(digits) >= len(token) - 3:
            phone = digits
        else:
            text.append(token)
    return Terms(text="".join(text), birth_year=year, phone=phone)


# --- persons ---------------------------------------------------------------------------------


def person_label(person: Person) -> str:
    if person.birth_date:
        return _("%(name)s(%(birth)s生)") % {
            "name": person.full_name,
            "birth": format_date(person.birth_date),
        }
    return person.full_name


def person_detail(person: Person) -> str:
    parts = [person.full_kana]
    if person.area_id:
        parts.append(person.area.name)
    parts.append(_("登録: %(agency)s") % {"agency": person.registered_by_agency.name})
    return "・".join(p for p in parts if p)


def too_short(q: str) -> bool:
    """A single kana (or letter) and nothing else: a tenth of the city starts with た, so the
    pickers wait for a second character (or a birth year). One kanji (林, 森) is a name."""
    terms = parse_terms(q)
    text = normalize_name(terms.text)
    return (
        len(text) == 1
        and not terms.birth_year
        and not terms.phone
        and not unicodedata.name(text, "").startswith("CJK UNIFIED IDEOGRAPH")
    )


def person_pick(*, actor, q: str, household=None) -> QuerySet[Person]:
    """Active persons the actor may see matching every term, by ふりがな. Empty for no terms
    or a query that is `too_short`.

    With `household` (a Household or its public id; "" when none is chosen yet) only the living
    current members of that household, when the actor may see it — the support case's 本人
    rule — and all of them for an empty query (a household has a few)."""
    terms = parse_terms(q)
    if household is not None:
        return _members_pick(actor=actor, q=q, terms=terms, household=household)
    if not terms or too_short(q):
        return Person.objects.none()
    matches = _match_queryset(q=terms.text, phone=terms.phone, birth_year=terms.birth_year)
    # Ordered by an expression no index provides: PostgreSQL then gathers the matches through
    # the search indexes and sorts them, instead of walking the whole ふりがな index in order
    # looking for rows the actor may see (a 1-character query read every row that way).
    return (
        matches.filter(person_visibility_q(actor))
        .select_related("registered_by_agency", "area")
        .order_by(Lower("kana_search"), "name_search", "pk")
    )


def _members_pick(*, actor, q: str, terms: Terms, household) -> QuerySet[Person]:
    if isinstance(household, Household):
        household = household.public_id
    if not household:
        return Person.objects.none()
    try:
        chosen = Household.objects.filter(household_visibility_q(actor)).get(public_id=household)
    except (Household.DoesNotExist, ValidationError):  # a malformed id is just "no household"
        return Person.objects.none()
    members = HouseholdMember.objects.current().filter(household=chosen).values("person_id")
    persons = (
        Person.objects.active()
        if not terms
        else _match_queryset(q=terms.text, phone=terms.phone, birth_year=terms.birth_year)
    )
    return (
        persons.filter(pk__in=members, deceased_on__isnull=True)
        .filter(person_visibility_q(actor))
        .select_related("registered_by_agency", "area")
        .order_by(Lower("kana_search"), "name_search", "pk")
    )


def person_options(persons) -> list[Option]:
    return [Option(str(p.public_id), person_label(p), person_detail(p)) for p in persons]


# --- households --------------------------------------------------------------------------------

_HEAD_ORDER = ("-is_key_person", "joined_on", "pk")
# At most this many households are considered per search (the picker shows 20).
CANDIDATE_CAP = 5000


def _heads(households: list[Household]) -> dict[int, HouseholdMember]:
    """The member a household is called by: the key person, else 本人, else the first to join."""
    heads: dict[int, HouseholdMember] = {}
    members = (
        HouseholdMember.objects.current()
        .filter(household__in=[h.pk for h in households], person__merged_into__isnull=True)
        .select_related("person", "person__area")
        .order_by("household_id", *_HEAD_ORDER)
    )
    for m in members:
        best = heads.get(m.household_id)
        if best is None or (
            not best.is_key_person
            and not m.is_key_person
            and best.relation != HouseholdMember.Relation.SELF
            and m.relation == HouseholdMember.Relation.SELF
        ):
            heads[m.household_id] = m
    return heads


def household_labels(*, actor, households) -> dict[int, Option]:
    """「山田 太郎 世帯(北部圏域)」 — the head's name only where the actor may see that person;
    never an id fragment. Three queries whatever the number of households."""
    households = list(households)
    heads = _heads(households)
    decisions = person_decisions(actor, [m.person for m in heads.values()])
    options = {}
    for h in households:
        head = heads.get(h.pk)
        area = h.area or (head.person.area if head else None)
        name = ""
        if head is not None and decisions[head.person_id].allowed:
            name = head.person.full_name
        label = _("%(name)s 世帯") % {"name": name} if name else _("世帯主の閲覧権限なしの世帯")
        if area is not None:
            label = f"{label}({area.name})"
        detail = "・".join(
            p
            for p in (
                h.address or _("住所未登録"),
                _("登録: %(agency)s") % {"agency": h.registered_by_agency.name},
            )
            if p
        )
        options[h.pk] = Option(str(h.public_id), label, detail)
    return options


def household_label(*, actor, household: Household) -> str:
    return household_labels(actor=actor, households=[household])[household.pk].label


def household_pick(*, actor, q: str) -> QuerySet[Household]:
    """Households the actor may see whose current member (one the actor may see) matches the
    name / birth-year terms, or whose address contains the text (2 characters or more: one
    character names half the city's addresses). The candidates are found through the person
    and address indexes first, then checked against the visibility rule."""
    terms = parse_terms(q)
    if not terms or too_short(q):
        return Household.objects.none()
    persons = _match_queryset(q=terms.text, phone=terms.phone, birth_year=terms.birth_year)
    candidates = (
        HouseholdMember.objects.current()
        .filter(person__in=persons.filter(person_visibility_q(actor)).values("pk"))
        .values_list("household_id", flat=True)
        .order_by()
    )
    raw = unicodedata.normalize("NFKC", q or "").strip()
    if len(raw) >= 2 and not terms.birth_year and not terms.phone:
        households = Household.objects.all()
        if connection.vendor == "postgresql":
            households = households.alias(bg_address=Bigrams("address"))
        by_address = households.filter(_address_match(raw)).values_list("pk", flat=True).order_by()
        candidates = candidates.union(by_address)
    # The candidates are fetched first (one indexed query): given as a list, PostgreSQL checks
    # the visibility rule on those rows only instead of on every household of the city.
    ids = list(candidates[:CANDIDATE_CAP])
    return (
        Household.objects.filter(pk__in=ids)
        .filter(household_visibility_q(actor))
        .select_related("area", "registered_by_agency")
        .order_by("-created_at", "pk")
    )


def _address_match(text: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(bg_address__contains=bigrams(text), address__contains=text)
    return Q(address__contains=text)


def household_options(*, actor, households) -> list[Option]:
    households = list(households)
    labels = household_labels(actor=actor, households=households)
    return [labels[h.pk] for h in households]


# --- consents ------------------------------------------------------------------------------------


def consent_label(consent: Consent) -> str:
    label = _("%(date)s 同意(%(method)s)") % {
        "date": format_date(consent.given_on),
        "method": consent.get_method_display(),
    }
    return label if consent.is_in_force() else _("%(label)s ※撤回・失効") % {"label": label}


def consent_detail(consent: Consent) -> str:
    names = "、".join(a.short_name or a.name for a in consent.agencies.all())
    parts = [_("共有先: %(agencies)s") % {"agencies": names or _("なし")}]
    if kinds := consent.info_kind_labels():
        parts.append(_("情報: %(kinds)s") % {"kinds": "、".join(kinds)})
    if consent.valid_until:
        parts.append(_("有効期限: %(date)s") % {"date": format_date(consent.valid_until)})
    return "・".join(parts)


def consent_pick(*, actor, person: Person | str | None, q: str = "") -> list[Consent]:
    """The chosen person's consents (only when the actor may see that person), those in force
    first, newest first; `q` narrows by the date given (any format parse_date reads) or the label
    text."""
    if person is None or person == "":
        return []
    visible = Person.objects.active().filter(person_visibility_q(actor))
    if isinstance(person, Person):
        person = person.public_id
    try:
        target = visible.get(public_id=person)
    except (Person.DoesNotExist, ValidationError):  # a malformed id is just "no person"
        return []
    consents = list(
        Consent.objects.filter(person=target)
        .prefetch_related("agencies")
        .order_by("-given_on", "-pk")
    )
    consents.sort(key=lambda c: not c.is_in_force())
    text = (q or "").strip()
    if text:
        try:
            day = parse_date(text)
        except DateParseError:
            day = None
        folded = normalize_name(text)
        consents = [
            c
            for c in consents
            if c.given_on == day
            or text in consent_label(c)
            or folded in normalize_name(consent_label(c))
        ]
    return consents


def consent_options(consents) -> list[Option]:
    return [Option(str(c.public_id), consent_label(c), consent_detail(c)) for c in consents]


# --- support cases ---------------------------------------------------------------------------------

# A case number or a part of one: R8-0001, R8-, r8-12, 8-0001, 0001 (not a year: 1950 is a
# birth year).
_CASE_NUMBER = re.compile(r"(?:[A-Z]?\d{1,2}-)?\d+|[A-Z]\d{1,2}-?")
CLOSED_STATUSES = (SupportCase.Status.CLOSED, SupportCase.Status.HANDED_BACK)


def _case_terms(q: str) -> tuple[list[str], str]:
    """The case-number fragments of a search box, and the rest (name / kana / birth year)."""
    numbers, rest = [], []
    for token in unicodedata.normalize("NFKC", q or "").upper().split():
        if _CASE_NUMBER.fullmatch(token) and not (token.isdigit() and parse_year(token)):
            numbers.append(token)
        else:
            rest.append(token)
    return numbers, " ".join(rest)


def case_pick(*, actor, q: str = "", household=None, closed: bool = False) -> QuerySet[SupportCase]:
    """Support cases the actor may see (cases_visible_to) matching every term: case-number
    fragments (R8-0001, 0001) on the number, the rest (name, ふりがな, birth year) on the 本人 —
    only a 本人 the actor may see, so a name never finds a case through a person the actor
    could not look up. `household` (a Household or its public id) narrows to that household's
    cases and lists them all for an empty query (a household has a few); `closed` keeps the
    closed and handed-back ones (前の支援). Empty for no terms or a `too_short` query."""
    from cases.selectors.support import cases_visible_to

    cases = cases_visible_to(actor)
    if household is not None:
        if isinstance(household, Household):
            household = household.public_id
        try:
            cases = cases.filter(household__public_id=household)
        except ValidationError:  # a malformed id is just "no household"
            return SupportCase.objects.none()
    if closed:
        cases = cases.filter(status__in=CLOSED_STATUSES)
    numbers, rest = _case_terms(q)
    if not numbers and not rest.strip():
        if household is None:
            return SupportCase.objects.none()
    elif too_short(q) and not numbers:
        return SupportCase.objects.none()
    for number in numbers:
        cases = cases.filter(number__icontains=number)
    terms = parse_terms(rest)
    if terms:
        persons = _match_queryset(q=terms.text, phone=terms.phone, birth_year=terms.birth_year)
        cases = cases.filter(principal__in=persons.filter(person_visibility_q(actor)).values("pk"))
    return cases.select_related(
        "principal", "principal__registered_by_agency", "lead_agency"
    ).order_by("-opened_on", "-pk")


def case_labels(*, actor, cases) -> dict[int, Option]:
    """「R8-0001 山田 太郎」 — the 本人's name only where the actor may see that person; the
    detail gives the status, the opening (and closing) date and the 主担当機関."""
    cases = list(cases)
    decisions = person_decisions(actor, [c.principal for c in cases if c.principal_id])
    options = {}
    for c in cases:
        label = c.number
        if c.principal_id and decisions[c.principal_id].allowed:
            label = f"{c.number} {c.principal.full_name}"
        parts = [
            c.get_status_display(),
            _("受付: %(date)s") % {"date": format_date(c.opened_on)},
        ]
        if c.closed_on:
            parts.append(_("終結: %(date)s") % {"date": format_date(c.closed_on)})
        parts.append(_("主担当: %(agency)s") % {"agency": c.lead_agency.name})
        options[c.pk] = Option(str(c.public_id), label, "・".join(parts))
    return options


def case_label(*, actor, case: SupportCase) -> str:
    return case_labels(actor=actor, cases=[case])[case.pk].label


def case_options(*, actor, cases) -> list[Option]:
    cases = list(cases)
    labels = case_labels(actor=actor, cases=cases)
    return [labels[c.pk] for c in cases]

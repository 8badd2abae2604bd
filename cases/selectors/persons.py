"""Reads of persons and households, always filtered through the persons policy.

Search and duplicate suggestions look at every active record (名寄せ must find records of other
agencies), but what they return about a record outside the user's scope is only the name of the
agency that registered it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Func,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from agencies.models import Agency
from cases.models import Consent, Household, HouseholdMember, Person, SupportCase
from cases.models.consent import in_force_q
from cases.normalize import normalize_kana, normalize_name, normalize_phone
from cases.policy.persons import (
    PERSON_DENY,
    PersonDecision,
    household_access,
    person_decisions,
    person_visibility_q,
    persons_visible_to,
)


class Bigrams(Func):
    """bigrams(text) → text[] (SQL function created by migration 0002 on PostgreSQL)."""

    function = "bigrams"
    output_field = ArrayField(models.TextField())


def bigrams(s: str) -> list[str]:
    """The same bigrams the SQL function computes (distinct, in order of first appearance)."""
    seen: dict[str, None] = {}
    for i in range(len(s) - 1):
        seen.setdefault(s[i : i + 2], None)
    return list(seen)


def _text_match(qs: QuerySet, column: str, value: str) -> Q:
    """`column` contains `value`. On PostgreSQL: 3 characters or more through the pg_trgm GIN
    index (its estimates are close, so the planner can start from the user's few visible
    persons instead); 2 characters through the bigram GIN index (pg_trgm has no trigram to look
    up); 1 character a prefix match that the btree pattern index serves. A plain LIKE elsewhere.

    Not the bigram index for longer text: PostgreSQL estimates `bigrams @> {たか,かは,はし}` as
    if the bigrams were independent (38 rows for 9,074 たかはし), reads every match and computes
    `bigrams()` on each (125 ms where the trigram plan takes 4 ms)."""
    if not value:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        if len(value) >= 3:
            return Q(**{f"{column}__contains": value})
        if len(value) == 2:
            return Q(**{f"bg_{column}__contains": [value], f"{column}__contains": value})
        return Q(**{f"{column}__startswith": value})
    return Q(**{f"{column}__contains": value})


# ふりがな never holds kanji: a query with one is looked up in the names only (one index, no OR).
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _with_bigrams(qs: QuerySet) -> QuerySet:
    if connection.vendor == "postgresql":
        return qs.alias(
            bg_name_search=Bigrams("name_search"), bg_kana_search=Bigrams("kana_search")
        )
    return qs


ELSEWHERE_SCAN = 1000


@dataclass
class PersonSearchResult:
    persons: QuerySet  # visible matches (paginate this)
    searched: bool = False
    matches: QuerySet | None = None  # every match, visible or not
    scope: Q | None = None  # what the actor may see

    def elsewhere(self, visible: list[Person] | None = None) -> list[str]:
        """Names of agencies holding matches the actor may not see, among the first
        ELSEWHERE_SCAN matches: a hint to narrow the search or ask, not a census (a two-letter
        surname matches thousands in a city). Asked only by a caller that shows it.

        `visible`: every visible match, when the caller holds them all (a result that fits on
        its first page, `agencies.paging.all_rows`) — they are then excluded by key instead of
        asking the visibility a second time (佐藤: 6.2 → 2.5 ms at city scale). Otherwise
        "matches minus the visible matches": the visible ones come from the index lookups and
        are hashed once; excluding `scope` itself would test every match against the whole array
        of granted ids (40 ms for a coordinator's 5,000 grants and 佐藤)."""
        if not self.searched:
            return []
        if visible is None:
            shown = self.matches.filter(self.scope).order_by().values("pk")
        else:
            shown = [p.pk for p in visible]
        others = (
            self.matches.exclude(pk__in=shown)
            .order_by()
            .values("registered_by_agency_id")[:ELSEWHERE_SCAN]
        )
        return list(
            Agency.objects.filter(pk__in=others)
            .order_by("kana", "name")
            .values_list("name", flat=True)
            .distinct()
        )


def _match_queryset(
    *,
    q: str = "",
    birth_date: dt.date | None = None,
    phone: str = "",
    case_number: str = "",
    birth_year: int | None = None,
) -> QuerySet | None:
    qs = _with_bigrams(Person.objects.active())
    conditions = []
    text = (q or "").strip()
    if text:
        name_q, kana_q = normalize_name(text), normalize_kana(text)
        cond = _text_match(qs, "name_search", name_q)
        if kana_q and not _IDEOGRAPH.search(kana_q):
            cond |= _text_match(qs, "kana_search", kana_q)
        conditions.append(cond)
    if birth_date:
        conditions.append(Q(birth_date=birth_date))
    if birth_year:  # a range on the column: the birth_date index serves it
        conditions.append(
            Q(
                birth_date__gte=dt.date(birth_year, 1, 1),
                birth_date__lte=dt.date(birth_year, 12, 31),
            )
        )
    digits = normalize_phone(phone)
    if digits:
        conditions.append(
            Q(phone_digits__contains=digits) if len(digits) >= 4 else Q(phone_digits=digits)
        )
    number = (case_number or "").strip()
    if number:
        cases = SupportCase.objects.filter(number__iexact=number)
        members = HouseholdMember.objects.current().filter(household__support_cases__in=cases)
        listed = SupportCase.persons.through.objects.filter(supportcase__in=cases)
        conditions.append(
            Q(pk__in=members.values("person_id")) | Q(pk__in=listed.values("person_id"))
        )
    if not conditions:
        return None
    for cond in conditions:
        qs = qs.filter(cond)
    return qs


def person_search(
    *,
    actor,
    q: str = "",
    birth_date: dt.date | None = None,
    phone: str = "",
    case_number: str = "",
) -> PersonSearchResult:
    """Persons matching every given criterion. `persons` holds the matches the actor may see
    (with the registering agency loaded); `elsewhere()` the names of agencies that hold other
    matches — nothing more about them."""
    matches = _match_queryset(q=q, birth_date=birth_date, phone=phone, case_number=case_number)
    if matches is None:
        return PersonSearchResult(persons=Person.objects.none())
    scope = person_visibility_q(actor)
    # Ordered by an expression, not the bare column: with `ORDER BY kana_search` PostgreSQL walks
    # the kana index of all 200,000 persons hoping to meet the visible matches early (0.3 s for
    # 佐藤); this way it finds the matches through the bigram index, then sorts the few it keeps.
    visible = (
        matches.filter(scope)
        .select_related("registered_by_agency", "area")
        .order_by(Coalesce("kana_search", Value("")), "name_search", "pk")
    )
    return PersonSearchResult(persons=visible, searched=True, matches=matches, scope=scope)


def recent_persons(*, actor, limit: int = 10) -> QuerySet:
    return (
        persons_visible_to(actor)
        .select_related("registered_by_agency")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- duplicate suggestions (名寄せ) ----------------------------------------------------------


@dataclass
class Match:
    person: Person | None  # None when the record is outside the actor's scope
    reasons: list[str]
    score: int
    agency_name: str
    decision: PersonDecision = PERSON_DENY

    @property
    def visible(self) -> bool:
        return self.person is not None


REASON_WEIGHTS = {
    "name_birth": 95,
    "kana_birth": 90,
    "family_kana_birth": 60,
    "phone": 45,
    "name": 50,
    "kana": 40,
}


def person_find_duplicates(
    *, actor, data: dict, exclude: Person | None = None, limit: int = 10
) -> list[Match]:
    """Likely existing records of the person described by `data` (form fields), best first,
    with the reasons in Japanese. Records the actor may not see come back without the person
    (agency name only)."""
    family, given = data.get("family_name") or "", data.get("given_name") or ""
    fkana, gkana = data.get("family_name_kana") or "", data.get("given_name_kana") or ""
    name = normalize_name(f"{family}{given}")
    kana = normalize_kana(f"{fkana}{gkana}")
    family_kana = normalize_kana(fkana)
    phone = normalize_phone(data.get("phone"))
    birth = data.get("birth_date")
    raw_name = f"{family}{given}".replace(" ", "").replace("\u3000", "")

    cond = Q(pk__in=[])
    if name:
        cond |= Q(name_search=name)
    if kana:
        cond |= Q(kana_search=kana)
    if len(phone) >= 6:
        cond |= Q(phone_digits=phone)
    if birth and family_kana:
        cond |= Q(birth_date=birth, kana_search__startswith=family_kana)
    if birth and name and family:
        cond |= Q(birth_date=birth, name_search__startswith=normalize_name(family))
    qs = Person.objects.active().filter(cond).select_related("registered_by_agency")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    candidates = list(qs[:50])
    decisions = person_decisions(actor, candidates)

    matches = []
    for p in candidates:
        reasons, score = [], 0
        same_birth = bool(birth) and p.birth_date == birth
        name_equal = bool(name) and p.name_search == name
        variant = name_equal and f"{p.family_name}{p.given_name}" != raw_name
        if name_equal and same_birth:
            reasons.append(
                _("氏名(異体字を同一視)と生年月日が一致") if variant else _("氏名と生年月日が一致")
            )
            score = max(score, REASON_WEIGHTS["name_birth"])
        elif name_equal:
            reasons.append(_("氏名(異体字を同一視)が一致") if variant else _("氏名が一致"))
            score = max(score, REASON_WEIGHTS["name"])
        if kana and p.kana_search == kana:
            if same_birth:
                reasons.append(_("ふりがなと生年月日が一致"))
                score = max(score, REASON_WEIGHTS["kana_birth"])
            else:
                reasons.append(_("ふりがなが一致"))
                score = max(score, REASON_WEIGHTS["kana"])
        elif same_birth and family_kana and p.kana_search.startswith(family_kana):
            reasons.append(_("姓のふりがなと生年月日が一致"))
            score = max(score, REASON_WEIGHTS["family_kana_birth"])
        elif (
            same_birth
            and not name_equal
            and name
            and p.name_search.startswith(normalize_name(family))
        ):
            reasons.append(_("姓と生年月日が一致"))
            score = max(score, REASON_WEIGHTS["family_kana_birth"])
        if len(phone) >= 6 and p.phone_digits == phone:
            reasons.append(_("電話番号が一致"))
            score = score + REASON_WEIGHTS["phone"] // 3 if score else REASON_WEIGHTS["phone"]
        if birth and p.birth_date and p.birth_date != birth and score:
            score -= 30  # same name, different birth date: probably a namesake
        if not reasons:
            continue
        score = max(1, min(score + 5 * (len(reasons) - 1), 100))
        decision = decisions[p.pk]
        matches.append(
            Match(
                person=p if decision.allowed else None,
                reasons=reasons,
                score=score,
                agency_name=p.registered_by_agency.name,
                decision=decision,
            )
        )
    matches.sort(key=lambda m: (-m.score, m.agency_name))
    return matches[:limit]


# --- detail pages ------------------------------------------------------------------------------


def person_households(person: Person) -> list[HouseholdMember]:
    """The person's household links, current first, then history."""
    return list(
        HouseholdMember.objects.filter(person=person)
        .select_related("household", "household__registered_by_agency")
        .order_by("left_on", "-joined_on", "pk")
    )


CONSENTS_SHOWN = 20


def person_consents(person: Person, *, everything: bool = False) -> tuple[list[Consent], int]:
    """The person's consents for the person page: those in force first, newest first, up to
    CONSENTS_SHOWN rows unless `everything`; and the total number.

    A person known for years to many agencies has a hundred consents or more; the page shows the
    ones that matter today and links to the rest.
    """
    rows = (
        Consent.objects.filter(person=person)
        .annotate(current=ExpressionWrapper(in_force_q(), output_field=BooleanField()))
        .select_related("recorded_by_agency", "explained_by")
        .prefetch_related("agencies")
        .order_by("-current", "-given_on", "-pk")
    )
    if everything:
        shown = list(rows)
        return shown, len(shown)
    # The total comes with the rows (a window over all of them, counted before the LIMIT).
    shown = list(rows.annotate(total=Window(Count("pk")))[:CONSENTS_SHOWN])
    return shown, (shown[0].total if shown else 0)


@dataclass
class MemberRow:
    member: HouseholdMember
    decision: PersonDecision

    @property
    def person(self):
        return self.member.person if self.decision.allowed else None


def household_members(*, actor, household: Household) -> list[MemberRow]:
    """All membership rows (history included) with a per-person decision: rows of persons the
    actor may not see carry only the relation, dates and the registering agency."""
    members = list(
        household.members.select_related("person", "person__registered_by_agency").order_by(
            "left_on", "-is_key_person", "joined_on", "pk"
        )
    )
    decisions = person_decisions(actor, [m.person for m in members])
    return [MemberRow(member=m, decision=decisions[m.person_id]) for m in members]


def household_detail(*, actor, household: Household):
    return household_access(actor, household), household_members(actor=actor, household=household)

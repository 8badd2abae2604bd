"""Who may see and change persons, households and consents — and on what basis.

The rules (least access, DOMAIN §8):

(a) The registering agency owns its record. Every member of the agency's care staff
    (相談員, 推進員, CSW, 参加支援員, 係長) sees and edits the persons and households the agency
    registered: basis ``same_agency``. It is the *agency*, not the individual author, that holds
    the record: when a caseworker transfers in April their access ends with their membership and
    their successor inherits it (so ``author`` is never used as a basis here).

(b) Another agency sees a person only when it is on the team of a support case covering the
    person (the case lists the person, or the person is a current member of the case's
    household; the lead and coordinating agencies count as team) AND a consent of that person
    is in force (given, not expired, not withdrawn) and names that same agency. The consent's
    information kinds decide which sections are shown (``visible_sections``). Basis
    ``consent``. Withdrawal ends access at the next request: nothing is cached beyond the
    objects of one request.

(c) Other bases are contributed by other apps through ``PERSON_ACCESS_PROVIDERS`` (the meetings
    app adds 支援会議 membership, the referral workflow may add its receiving agency). A
    provider answers for a batch of persons and gives a queryset filter for lists.

The admin role grants no access to personal details: admins manage agencies, staff and
reference data. An admin who also holds a care role at an agency sees that agency's records
through that role. The resident role (民生委員) never sees person records here.

Outside these bases a user learns at most that a record exists at a named agency (search and
duplicate suggestions), never a name, a date or an address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access import bases
from agencies.choices import Role
from agencies.policy import DENY, Basis, Decision, allow, decision_cache, rule
from cases.choices import InfoKind

# Roles that work with persons. Admin (reference data) and resident (concern slips) are not here.
CARE_ROLES = frozenset(
    {Role.CASEWORKER, Role.COORDINATOR, Role.CSW, Role.PARTICIPATION_WORKER, Role.SUPERVISOR}
)
# Roles that may merge records another agency registered (when they can see both).
MERGE_ROLES = frozenset({Role.COORDINATOR, Role.SUPERVISOR})

ALL_SECTIONS: frozenset[str] = frozenset(InfoKind.values)

# Which Person fields each information kind covers. Name and ふりがな (identity) are shown
# whenever access is granted at all: without them nobody could tell whose record it is.
IDENTITY_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana")
PERSON_FIELDS_BY_SECTION: dict[str, tuple[str, ...]] = {
    InfoKind.BASIC: (
        "birth_date",
        "sex",
        "postal_code",
        "address",
        "area",
        "phone",
        "email",
        "language",
        "needs_interpreter",
        "deceased_on",
        "moved_out_on",
    ),
    InfoKind.OTHER: ("notes",),
}


def person_fields_for(sections: Iterable[str]) -> list[str]:
    fields = list(IDENTITY_FIELDS)
    for section in sections:
        fields.extend(PERSON_FIELDS_BY_SECTION.get(section, ()))
    return fields


@dataclass(frozen=True)
class PersonDecision(Decision):
    """A Decision that also says which sections may be shown and through which agency."""

    sections: frozenset[str] = field(default_factory=frozenset)
    via_agency: str = ""

    @property
    def basis_label(self) -> str:
        label = Basis.label(self.basis)
        if self.via_agency:
            return str(_("%(basis)s(%(agency)s)") % {"basis": label, "agency": self.via_agency})
        return label


PERSON_DENY = PersonDecision(False)


class PersonAccessProvider(Protocol):
    """An extra basis for seeing persons (e.g. 支援会議 membership, added by the meetings app).

    ``decide`` answers for a batch of persons at a fixed number of queries and returns only the
    persons it grants; ``visible_q`` returns a filter on Person for lists (or None).
    """

    def decide(self, user, persons: list) -> dict[int, PersonDecision]: ...

    def visible_q(self, user) -> Q | None: ...


# Other apps append providers here (in their AppConfig.ready or policy module).
PERSON_ACCESS_PROVIDERS: list[PersonAccessProvider] = []


def register_person_access_provider(provider: PersonAccessProvider) -> PersonAccessProvider:
    if provider not in PERSON_ACCESS_PROVIDERS:
        PERSON_ACCESS_PROVIDERS.append(provider)
    return provider


# --- building blocks ------------------------------------------------------------------------


def care_agency_ids(user) -> set[int]:
    """Agencies where the user holds a care role today (memberships are cached per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {m.agency_id for m in user.current_memberships() if m.role in CARE_ROLES}


def _agency_names(user) -> dict[int, str]:
    return {m.agency_id: (m.agency.short_name or m.agency.name) for m in user.current_memberships()}


def team_case_ids(agency_id: int):
    """Support cases the agency works on today (team row current, or lead/coordinating agency)."""
    from cases.models import SupportCase

    today = timezone.localdate()
    on_team = Q(team__agency_id=agency_id, team__joined_on__lte=today) & (
        Q(team__left_on__isnull=True) | Q(team__left_on__gte=today)
    )
    return (
        SupportCase.objects.filter(
            on_team | Q(lead_agency_id=agency_id) | Q(coordinating_agency_id=agency_id)
        )
        .values("pk")
        .distinct()
    )


def _covered_q(agency_id: int) -> Q:
    """Persons covered by a case the agency is on the team of."""
    from cases.models import HouseholdMember, SupportCase

    cases = team_case_ids(agency_id)
    listed = SupportCase.persons.through.objects.filter(supportcase_id__in=cases).values(
        "person_id"
    )
    members = (
        HouseholdMember.objects.current()
        .filter(household__support_cases__in=cases)
        .values("person_id")
    )
    return Q(pk__in=listed) | Q(pk__in=members)


def _consented_q(agency_id: int) -> Q:
    from cases.models import Consent

    return Q(pk__in=Consent.objects.in_force().filter(agencies__id=agency_id).values("person_id"))


def _person_grants(user, care):
    from access.models import AccessGrant

    return AccessGrant.objects.active().held_by(user, care).filter(person__isnull=False)


def person_visibility_q(user) -> Q:
    """A filter on Person matching exactly the records `person_access` allows: the agency's
    own records, and persons a grant in force opens (an index lookup on grant rows)."""
    care = care_agency_ids(user)
    q = Q(pk__in=[])
    if care:
        q |= Q(registered_by_agency_id__in=care)
        q |= Q(pk__in_ids=_person_grants(user, care).order_by().values("person_id"))
    for provider in PERSON_ACCESS_PROVIDERS:
        extra = provider.visible_q(user)
        if extra is not None:
            q |= extra
    return q


# Registry codes shown as the Basis codes the screens and audit rows already use.
_PERSON_BASIS = {"consent": Basis.CONSENT, "tajikan": Basis.CASE_TEAM}


def person_decisions(user, persons: Iterable) -> dict[int, PersonDecision]:
    """Decisions for many persons at a fixed number of queries (1 for grants + providers).

    Used by lists and search results so a page costs the same whatever its length. Within a
    request each person is decided once (`person_access` and the household of the same page
    share the decision: agencies.policy.decision_cache).
    """
    persons = [p for p in persons if p is not None]
    cache = decision_cache()
    if cache is None:
        return _person_decisions(user, persons)
    uid = getattr(user, "pk", None)
    result = {p.pk: cache[key] for p in persons if (key := ("person", uid, p.pk)) in cache}
    todo = [p for p in persons if p.pk not in result]
    if todo:
        for pk, decision in _person_decisions(user, todo).items():
            cache[("person", uid, pk)] = result[pk] = decision
    return result


def _person_decisions(user, persons: list) -> dict[int, PersonDecision]:
    result: dict[int, PersonDecision] = {p.pk: PERSON_DENY for p in persons}
    if not persons or user is None or not getattr(user, "is_authenticated", False):
        return result
    if not user.is_active:
        return result
    care = care_agency_ids(user)
    names = _agency_names(user)
    pending = []
    for p in persons:
        if p.registered_by_agency_id in care:
            result[p.pk] = PersonDecision(
                True,
                Basis.SAME_AGENCY,
                sections=ALL_SECTIONS,
                via_agency=names.get(p.registered_by_agency_id, ""),
            )
        else:
            pending.append(p)
    if pending and care:
        # One query whatever the number of grants or agencies: the grants in force on these
        # persons; the sections of several grants add up, the first basis (by registry order)
        # is the one shown.
        # Rows, not model instances: a person on several cases holds a hundred grants.
        granted: dict[int, tuple[set[str], tuple]] = {}
        for person_id, sections, *shown in _pending_grant_rows(user, care, pending):
            kinds, _first = granted.setdefault(person_id, (set(), shown))
            kinds.update(k for k in sections if k in ALL_SECTIONS)
        for pk, (kinds, (code, short_name, name)) in granted.items():
            result[pk] = PersonDecision(
                True,
                _PERSON_BASIS.get(code, code),
                sections=frozenset(kinds),
                via_agency=(short_name or name or ""),
            )
        pending = [p for p in pending if p.pk not in granted]
    if pending:
        for provider in PERSON_ACCESS_PROVIDERS:
            for pk, decision in provider.decide(user, pending).items():
                if decision.allowed and pk in result and not result[pk].allowed:
                    result[pk] = decision
            pending = [p for p in pending if not result[p.pk].allowed]
            if not pending:
                break
    return result


# The user's grants on a person as `_person_decisions` reads them: in registry order, so that the
# first row's basis is the one shown.
_GRANT_ROW_COLUMNS = (
    "person_id",
    "sections",
    "basis__code",
    "provider__short_name",
    "provider__name",
)
_GRANT_ROW_ORDER = ("basis__order", "valid_from", "pk")


def _pending_grant_rows(user, care, pending: list) -> list:
    """The grant rows of the persons still undecided: those read with a page's row
    (`prime_person_access`) and, for the others, one statement."""
    cache = decision_cache() or {}
    rows, unread = [], []
    for p in pending:
        primed = cache.get(("person-grants", user.pk, p.pk))
        if primed is None:
            unread.append(p.pk)
        else:
            rows.extend(primed)
    if unread:
        rows.extend(
            _person_grants(user, care)
            .filter(person_id__in=unread)
            .order_by(*_GRANT_ROW_ORDER)
            .values_list(*_GRANT_ROW_COLUMNS)
        )
    return rows


def with_person_access(queryset, user, person_field: str = "person"):
    """`queryset` with the user's grants on `row.<person_field>` as `person_access` reads them,
    in its own statement; `prime_person_access` hands them over. The rules stay here."""
    from django.db.models import OuterRef

    from agencies.jsonrows import JSONRows

    care = care_agency_ids(user)
    if not care:
        return queryset
    grants = (
        _person_grants(user, care)
        .filter(person_id=OuterRef(f"{person_field}_id"))
        .order_by(*_GRANT_ROW_ORDER)
    )
    return queryset.annotate(person_grant_rows=JSONRows(grants, _GRANT_ROW_COLUMNS))


def prime_person_access(user, person, row) -> None:
    """Keep the grant rows `with_person_access` read with `row` for the decisions on `person`
    in this request (the request's decision cache, which a change of grants clears)."""
    cache = decision_cache()
    rows = getattr(row, "person_grant_rows", None)
    if cache is not None and person is not None and rows is not None:
        cache[("person-grants", user.pk, person.pk)] = rows


# --- the reusable functions other areas call ------------------------------------------------


def person_access(user, person) -> PersonDecision:
    """May `user` see `person`'s record, on what basis, and which sections (``.sections``)?"""
    if person is None:
        return PERSON_DENY
    return person_decisions(user, [person])[person.pk]


def visible_sections(user, person) -> set[str]:
    """Information kinds (InfoKind values) of `person` that `user` may see; empty if none."""
    return set(person_access(user, person).sections)


def persons_visible_to(user):
    """Active (not merged) persons `user` may see, for lists and pickers."""
    from cases.models import Person

    return Person.objects.active().filter(person_visibility_q(user))


def household_visibility_q(user) -> Q:
    """Households registered by one of the user's agencies, or with a current member whose
    record the user may see with the 世帯 section (owner of the member, or a consent in force
    covering 世帯 for a team agency, or a provider). The households behind the members are
    looked up by key (`in_ids`), as cases and persons are: as hashed subqueries PostgreSQL read all
    120,000 households to probe them (40 ms for a coordinator's count). So are the members behind
    the grants: with the grants' row count known (5,300 for a coordinator), a semi-join read all
    120,000 current members in order to merge them (18 ms; 5 ms by key)."""
    from cases.models import HouseholdMember

    care = care_agency_ids(user)
    q = Q(pk__in=[])
    if care:
        q |= Q(registered_by_agency_id__in=care)
        owned_members = (
            HouseholdMember.objects.current()
            .filter(person__registered_by_agency_id__in=care)
            .order_by()
            .values("household_id")
        )
        q |= Q(pk__in_ids=owned_members)
    if care:
        with_household = _person_grants(user, care).giving_household()
        members = (
            HouseholdMember.objects.current()
            .filter(person_id__in_ids=with_household.order_by().values("person_id"))
            .order_by()
            .values("household_id")
        )
        q |= Q(pk__in_ids=members)
    for provider in PERSON_ACCESS_PROVIDERS:
        extra = provider.visible_q(user)
        if extra is not None:
            from cases.models import Person

            ids = Person.objects.filter(extra).values("pk")
            q |= Q(
                pk__in_ids=HouseholdMember.objects.current()
                .filter(person_id__in=ids)
                .order_by()
                .values("household_id")
            )
    return q


def households_visible_to(user):
    from cases.models import Household

    return Household.objects.filter(household_visibility_q(user))


def household_access(user, household) -> PersonDecision:
    """The household's own data (address, type tags, member list) — each member's details are
    still decided per person. Allowed to the registering agency, and to whoever may see a
    current member's record with the 世帯 section."""
    return _household_decision(
        user, household, lambda d: d.allowed and InfoKind.HOUSEHOLD in d.sections
    )


def _household_decision(user, household, through_member) -> PersonDecision:
    """The registering agency, or the first current member whose decision `through_member`
    accepts (the household section only)."""
    if household is None:
        return PERSON_DENY
    care = care_agency_ids(user)
    if household.registered_by_agency_id in care:
        return PersonDecision(
            True,
            Basis.SAME_AGENCY,
            sections=ALL_SECTIONS,
            via_agency=_agency_names(user).get(household.registered_by_agency_id, ""),
        )
    members = [
        m.person
        for m in household.members.current().select_related("person")
        if m.person.merged_into_id is None
    ]
    decisions = person_decisions(user, members)
    for member in members:
        decision = decisions[member.pk]
        if through_member(decision):
            return PersonDecision(
                True,
                decision.basis,
                sections=frozenset({InfoKind.HOUSEHOLD.value}),
                via_agency=decision.via_agency,
            )
    return PERSON_DENY


def may_work_with_persons(user) -> bool:
    return bool(care_agency_ids(user))


# --- rules registered with agencies.policy --------------------------------------------------


@rule("person.search", "person.create", "household.create", "household.list", "consent.list")
def _care_staff(user, obj) -> Decision:
    # Lists and search results are filtered by the selectors; creating needs a care role.
    return allow(Basis.SAME_AGENCY) if may_work_with_persons(user) else DENY


@rule("person.view", "consent.create")
def _person_view(user, person) -> Decision:
    return person_access(user, person)


# Least access: who may *change* a person's or household's record. The agency that registered it,
# and those who work with the person on the person's consent (a consent naming them, the 多機関協働
# case team, a 重層的支援会議 that needs consent). A role from a meeting that shares information
# without consent (支援会議, 地域ケア会議, 要対協 …) or an emergency opening reads; it does not edit.
RECORD_KEEPING_BASES = frozenset(
    {Basis.SAME_AGENCY, Basis.CONSENT, Basis.CASE_TEAM, bases.CONSENT, bases.JUSO_KAIGI}
)


def _keeps_record(decision: PersonDecision, section: str) -> bool:
    return (
        decision.allowed
        and section in decision.sections
        and (decision.basis in RECORD_KEEPING_BASES)
    )


@rule("person.update")
def _person_update(user, person) -> Decision:
    decision = person_access(user, person)
    return decision if _keeps_record(decision, InfoKind.BASIC) else DENY


@rule("person.merge")
def _person_merge(user, person) -> Decision:
    """Both records of a merge are checked. The owning agency may merge its own records; a
    coordinator or supervisor may merge any two records they can both see."""
    decision = person_access(user, person)
    if not decision.allowed or person.merged_into_id is not None:
        return DENY
    if decision.basis == Basis.SAME_AGENCY:
        return decision
    if user.roles() & MERGE_ROLES:
        return decision
    return DENY


@rule("household.view")
def _household_view(user, household) -> Decision:
    return household_access(user, household)


@rule("household.update", "household.add_member", "household.member_leave")
def _household_change(user, household) -> Decision:
    # The registering agency, or through a member whose record the user keeps.
    decision = _household_decision(user, household, lambda d: _keeps_record(d, InfoKind.HOUSEHOLD))
    return decision if decision.allowed else DENY


@rule("consent.view", "consent.withdraw", "consent.document")
def _consent(user, consent) -> Decision:
    # Anybody who works with the person may record a withdrawal: the person may tell any of them.
    if consent is None:
        return DENY
    return person_access(user, consent.person)

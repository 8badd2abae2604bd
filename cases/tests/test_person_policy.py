"""Who sees a person: the registering agency, a case team with consent in scope, providers."""

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from agencies.choices import Role
from agencies.policy import Basis, can, check
from agencies.tests.factories import AgencyFactory, MembershipFactory, staff
from cases.choices import InfoKind
from cases.policy import persons as person_policy
from cases.policy.persons import (
    PersonDecision,
    household_access,
    person_access,
    persons_visible_to,
    visible_sections,
)
from cases.tests.factories import (
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PersonFactory,
    SupportCaseFactory,
)


@pytest.fixture
def person(agency, caseworker):
    return PersonFactory(registered_by_agency=agency, created_by=caseworker)


def team_case_for(person, agency):
    member = HouseholdMemberFactory(
        person=person, household=HouseholdFactory(registered_by_agency=person.registered_by_agency)
    )
    case = SupportCaseFactory(household=member.household)
    CaseTeamMemberFactory(case=case, agency=agency)
    return case


def test_registering_agency_staff_see_the_record(person, caseworker, colleague):
    for user in (caseworker, colleague):
        decision = person_access(user, person)
        assert decision.allowed
        assert decision.basis == Basis.SAME_AGENCY
        assert visible_sections(user, person) == set(InfoKind.values)


def test_outsider_sees_nothing(person, outsider):
    assert not person_access(outsider, person)
    assert visible_sections(outsider, person) == set()
    assert not persons_visible_to(outsider).filter(pk=person.pk).exists()


def test_admin_role_grants_no_personal_access(person, agency):
    admin_here = staff(agency, Role.ADMIN)
    assert not person_access(admin_here, person)
    assert not can(admin_here, "person.search")


def test_resident_at_registering_agency_sees_nothing(person, agency):
    resident = staff(agency, Role.RESIDENT)
    assert not person_access(resident, person)
    assert not can(resident, "person.create")


def test_transferred_author_loses_access(person, caseworker):
    membership = caseworker.memberships.get()
    membership.end_date = timezone.localdate() - dt.timedelta(days=1)
    membership.save()
    caseworker.__dict__.pop("_membership_cache", None)
    assert not person_access(caseworker, person)


def test_team_without_consent_sees_nothing(person, other_agency, outsider):
    team_case_for(person, other_agency)
    assert not person_access(outsider, person)
    assert not persons_visible_to(outsider).filter(pk=person.pk).exists()


def test_consent_without_team_sees_nothing(person, other_agency, outsider):
    ConsentFactory(person=person, agencies=[other_agency])
    assert not person_access(outsider, person)


def test_team_with_consent_sees_consented_sections(person, other_agency, outsider):
    team_case_for(person, other_agency)
    ConsentFactory(
        person=person, agencies=[other_agency], info_kinds=[InfoKind.BASIC, InfoKind.HEALTH]
    )
    decision = person_access(outsider, person)
    assert decision.allowed and decision.basis == Basis.CONSENT
    assert visible_sections(outsider, person) == {"basic", "health"}
    assert persons_visible_to(outsider).filter(pk=person.pk).exists()
    assert person.registered_by_agency.name in decision.basis_label


def test_consent_for_another_agency_does_not_count(person, other_agency, outsider):
    team_case_for(person, other_agency)
    ConsentFactory(person=person, agencies=[AgencyFactory()])
    assert not person_access(outsider, person)


def test_withdrawal_ends_access_at_once(person, other_agency, outsider):
    team_case_for(person, other_agency)
    consent = ConsentFactory(person=person, agencies=[other_agency])
    assert person_access(outsider, person)
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert not person_access(outsider, person)
    assert not persons_visible_to(outsider).filter(pk=person.pk).exists()


def test_expired_consent_gives_no_access(person, other_agency, outsider):
    team_case_for(person, other_agency)
    ConsentFactory(
        person=person,
        agencies=[other_agency],
        given_on=timezone.localdate() - dt.timedelta(days=400),
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )
    assert not person_access(outsider, person)


def test_team_member_who_left_loses_access(person, other_agency, outsider):
    case = team_case_for(person, other_agency)
    ConsentFactory(person=person, agencies=[other_agency])
    for member in case.team.all():
        member.left_on = timezone.localdate() - dt.timedelta(days=1)
        member.save(update_fields=["left_on"])
    assert not person_access(outsider, person)


def test_lead_agency_counts_as_team(person, other_agency, outsider):
    member = HouseholdMemberFactory(person=person)
    SupportCaseFactory(household=member.household, lead_agency=other_agency)
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=[InfoKind.BASIC])
    assert person_access(outsider, person).basis == Basis.CONSENT


def test_person_listed_on_case_is_covered_without_household(person, other_agency, outsider):
    case = SupportCaseFactory(persons=[person])
    CaseTeamMemberFactory(case=case, agency=other_agency)
    ConsentFactory(person=person, agencies=[other_agency])
    assert person_access(outsider, person)


def test_several_consents_union_their_kinds(person, other_agency, outsider):
    team_case_for(person, other_agency)
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=[InfoKind.BASIC])
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=[InfoKind.ECONOMY])
    assert visible_sections(outsider, person) == {"basic", "economy"}


def test_update_needs_basic_section(person, other_agency, outsider):
    team_case_for(person, other_agency)
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=[InfoKind.HEALTH])
    assert can(outsider, "person.view", person)
    assert not can(outsider, "person.update", person)


def test_household_access_follows_household_section(person, other_agency, outsider, colleague):
    case = team_case_for(person, other_agency)
    household = case.household
    assert household_access(colleague, household).allowed
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=[InfoKind.BASIC])
    assert not household_access(outsider, household)
    assert not person_policy.households_visible_to(outsider).filter(pk=household.pk).exists()
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=[InfoKind.HOUSEHOLD])
    assert household_access(outsider, household).allowed
    assert person_policy.households_visible_to(outsider).filter(pk=household.pk).exists()


def test_only_a_grant_with_the_household_section_opens_the_household(
    person, other_agency, outsider
):
    """A grant on a member (here a 支援会議 role) lists the household only when it gives 世帯."""
    from access import bases
    from access.services import grant_give

    household = HouseholdMemberFactory(person=person).household

    def give(sections, ref):
        grant_give(
            agency=other_agency,
            basis=bases.SHIEN_KAIGI,
            source="role",
            source_ref=ref,
            persons=[person],
            sections=sections,
        )

    give([InfoKind.BASIC], "t:basic")
    assert person_access(outsider, person).allowed
    assert not household_access(outsider, household)
    assert not person_policy.households_visible_to(outsider).filter(pk=household.pk).exists()
    give([InfoKind.BASIC, InfoKind.HOUSEHOLD], "t:household")
    assert household_access(outsider, household).allowed
    assert person_policy.households_visible_to(outsider).filter(pk=household.pk).exists()


def test_visibility_q_agrees_with_person_access(agency, other_agency, outsider):
    seen = PersonFactory(registered_by_agency=other_agency)
    consented = PersonFactory(registered_by_agency=agency)
    team_case_for(consented, other_agency)
    ConsentFactory(person=consented, agencies=[other_agency])
    hidden = PersonFactory(registered_by_agency=agency)
    team_case_for(hidden, other_agency)
    ids = set(persons_visible_to(outsider).values_list("pk", flat=True))
    assert ids == {seen.pk, consented.pk}
    for p in (seen, consented, hidden):
        assert bool(person_access(outsider, p)) == (p.pk in ids)


def test_merged_records_are_not_listed(person, caseworker):
    other = PersonFactory(registered_by_agency=person.registered_by_agency)
    other.merged_into = person
    other.save()
    assert list(persons_visible_to(caseworker)) == [person]


class MeetingProvider:
    """What the meetings app will register: a 支援会議 member sees persons on its agenda."""

    def __init__(self, user, person):
        self.user, self.person = user, person

    def decide(self, user, persons):
        if user == self.user:
            return {
                p.pk: PersonDecision(True, Basis.SHIEN_KAIGI, sections=frozenset({"basic"}))
                for p in persons
                if p.pk == self.person.pk
            }
        return {}

    def visible_q(self, user):
        return Q(pk=self.person.pk) if user == self.user else None


def test_access_providers_extend_the_policy(person, outsider, monkeypatch):
    monkeypatch.setattr(
        person_policy, "PERSON_ACCESS_PROVIDERS", [MeetingProvider(outsider, person)]
    )
    decision = person_access(outsider, person)
    assert decision.basis == Basis.SHIEN_KAIGI
    assert persons_visible_to(outsider).filter(pk=person.pk).exists()


def test_rules_are_registered(person, caseworker, outsider):
    assert check(caseworker, "person.view", person).allowed
    assert not check(outsider, "person.view", person).allowed
    assert can(caseworker, "person.merge", person)
    assert not can(outsider, "person.merge", person)


def test_coordinator_may_merge_records_seen_through_consent(person, other_agency):
    coordinator = staff(other_agency, Role.COORDINATOR)
    MembershipFactory(user=coordinator, agency=other_agency, role=Role.CASEWORKER)
    team_case_for(person, other_agency)
    ConsentFactory(person=person, agencies=[other_agency])
    assert can(coordinator, "person.merge", person)
    caseworker_there = staff(other_agency, Role.CASEWORKER)
    assert not can(caseworker_there, "person.merge", person)


def test_inside_a_request_the_decision_is_cached_until_a_consent_changes(
    person, other_agency, outsider, django_assert_num_queries
):
    from agencies.policy import decisions_cached

    team_case_for(person, other_agency)
    consent = ConsentFactory(person=person, agencies=[other_agency])
    with decisions_cached():
        assert person_access(outsider, person)
        with django_assert_num_queries(0):
            assert person_access(outsider, person)  # asked again by the same page
        consent.withdrawn_at = timezone.now()
        consent.save()
        assert not person_access(outsider, person)  # the write emptied the cache
    assert not person_access(outsider, person)

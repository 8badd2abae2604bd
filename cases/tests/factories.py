"""Factories of the cases app (shared: every area appends its own below the persons block).

Persons get their normalised search columns here because the services, not save(), write them.
"""

import datetime as dt

import factory
from django.utils import timezone

from agencies.tests.factories import AgencyFactory, UserFactory
from cases.choices import InfoKind
from cases.models import CaseTeamMember, Consent, Household, HouseholdMember, Person, SupportCase
from cases.normalize import normalize_kana, normalize_name, normalize_phone

# --- persons, households, consent -----------------------------------------------------------


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    family_name_kana = "やまだ"
    given_name_kana = factory.Sequence(lambda n: f"たろう{n}")
    birth_date = dt.date(1950, 4, 1)
    phone = ""
    registered_by_agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(UserFactory)
    name_search = factory.LazyAttribute(lambda p: normalize_name(f"{p.family_name}{p.given_name}"))
    kana_search = factory.LazyAttribute(
        lambda p: normalize_kana(f"{p.family_name_kana}{p.given_name_kana}")
    )
    phone_digits = factory.LazyAttribute(lambda p: normalize_phone(p.phone))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    address = "みどり市中部町1-2-3"
    type_tags = factory.LazyFunction(list)
    registered_by_agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(UserFactory)


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(
        PersonFactory,
        registered_by_agency=factory.SelfAttribute("..household.registered_by_agency"),
    )
    relation = HouseholdMember.Relation.SELF
    is_key_person = False
    lives_together = True
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))


class ConsentFactory(factory.django.DjangoModelFactory):
    """A written consent in force. `agencies=[...]` lists the agencies it covers."""

    class Meta:
        model = Consent
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    explained_by = factory.SubFactory(UserFactory)
    recorded_by_agency = factory.SelfAttribute("person.registered_by_agency")
    given_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    method = Consent.Method.WRITTEN
    info_kinds = factory.LazyFunction(lambda: [k.value for k in InfoKind])

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)


class SupportCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportCase
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"R8-{n + 1:04d}")
    fiscal_year = 2026
    household = factory.SubFactory(HouseholdFactory)
    lead_agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def persons(self, create, extracted, **kwargs):
        if create and extracted:
            self.persons.set(extracted)


class CaseTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseTeamMember

    case = factory.SubFactory(SupportCaseFactory)
    agency = factory.SubFactory(AgencyFactory)
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))

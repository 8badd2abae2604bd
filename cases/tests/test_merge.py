"""Merging two records of one person keeps both histories."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from agencies.policy import PolicyDenied
from audit.models import AuditEvent
from cases.models import Consent, HouseholdMember, Person, SupportCase
from cases.selectors.persons import person_search
from cases.services.persons import person_merge, person_relations
from cases.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PersonFactory,
    SupportCaseFactory,
)


@pytest.fixture
def pair(agency):
    keep = PersonFactory(
        registered_by_agency=agency, family_name="高橋", given_name="一郎", phone=""
    )
    absorb = PersonFactory(
        registered_by_agency=agency, family_name="髙橋", given_name="一郎", phone="090-1234-5678"
    )
    return keep, absorb


def test_merge_moves_consents_household_links_and_case_links(pair, caseworker):
    keep, absorb = pair
    old_household = HouseholdMemberFactory(person=absorb).household
    left = HouseholdMemberFactory(person=absorb, left_on=dt.date(2024, 3, 31))
    ConsentFactory(person=keep)
    absorbed_consent = ConsentFactory(person=absorb)
    case = SupportCaseFactory(persons=[absorb])
    report = person_merge(
        keep=keep, absorb=absorb, actor=caseworker, reason="同一人物と確認(生年月日・住所)"
    )

    assert Consent.objects.filter(person=keep).count() == 2
    absorbed_consent.refresh_from_db()
    assert absorbed_consent.person == keep
    assert set(
        HouseholdMember.objects.filter(person=keep).values_list("household_id", flat=True)
    ) == {
        old_household.pk,
        left.household_id,
    }
    assert HouseholdMember.objects.get(pk=left.pk).left_on == dt.date(2024, 3, 31)  # history intact
    assert list(case.persons.all()) == [keep]
    absorb.refresh_from_db()
    assert absorb.merged_into == keep and absorb.merged_at is not None
    keep.refresh_from_db()
    assert keep.phone == "090-1234-5678" and keep.phone_digits == "09012345678"  # blank filled
    assert "phone" in report.filled


def test_merge_covers_every_relation_to_person_in_any_app():
    found = {(r.related_model._meta.label, r.field.name) for r in person_relations()}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if getattr(f, "concrete", False) and f.is_relation and f.related_model is Person:
                if f.many_to_many or not model._meta.auto_created:
                    assert (model._meta.label, f.name) in found


def test_merge_moves_a_foreign_key_declared_elsewhere(pair, caseworker):
    keep, absorb = pair
    if not any(f.name == "principal" for f in SupportCase._meta.get_fields()):
        pytest.skip("SupportCase.principal not present")
    case = SupportCaseFactory(principal=absorb)
    person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複登録")
    case.refresh_from_db()
    assert case.principal == keep


def test_shared_household_keeps_one_current_link(pair, caseworker):
    keep, absorb = pair
    household = HouseholdFactory()
    HouseholdMemberFactory(household=household, person=keep)
    HouseholdMemberFactory(household=household, person=absorb)
    person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複登録")
    links = HouseholdMember.objects.filter(household=household, person=keep)
    assert links.count() == 2
    assert links.current().count() == 1


def test_case_listing_both_keeps_one_link(pair, caseworker):
    keep, absorb = pair
    case = SupportCaseFactory(persons=[keep, absorb])
    person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複登録")
    assert list(case.persons.all()) == [keep]


def test_merge_is_audited_with_both_ids(pair, caseworker):
    keep, absorb = pair
    person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複登録")
    merge = AuditEvent.objects.get(action="person.merge")
    assert merge.object_id == str(keep.pk)
    assert f"absorbed:{absorb.public_id}" in merge.changes
    other = AuditEvent.objects.get(action="person.merged_into")
    assert other.object_id == str(absorb.pk)
    assert f"kept:{keep.public_id}" in other.changes
    assert "髙橋" not in merge.object_repr + other.object_repr


def test_merged_record_is_excluded_from_search(pair, caseworker):
    keep, absorb = pair
    person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複登録")
    result = person_search(actor=caseworker, q="高橋")
    assert list(result.persons) == [keep]


def test_outsider_cannot_merge(pair, outsider):
    keep, absorb = pair
    with pytest.raises(PolicyDenied):
        person_merge(keep=keep, absorb=absorb, actor=outsider, reason="重複")
    absorb.refresh_from_db()
    assert absorb.merged_into is None


def test_caseworker_cannot_merge_a_record_they_cannot_see(pair, caseworker, other_agency):
    keep, _ = pair
    foreign = PersonFactory(registered_by_agency=other_agency)
    with pytest.raises(PolicyDenied):
        person_merge(keep=keep, absorb=foreign, actor=caseworker, reason="重複")


@pytest.mark.parametrize("reason", ["", "  "])
def test_merge_needs_a_reason(pair, caseworker, reason):
    keep, absorb = pair
    with pytest.raises(ValidationError) as exc:
        person_merge(keep=keep, absorb=absorb, actor=caseworker, reason=reason)
    assert "統合の理由" in str(exc.value)


def test_record_cannot_be_merged_twice_or_into_itself(pair, caseworker):
    keep, absorb = pair
    with pytest.raises(ValidationError):
        person_merge(keep=keep, absorb=keep, actor=caseworker, reason="x")
    person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複")
    with pytest.raises(ValidationError):
        person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複")


def test_earlier_merges_follow_to_the_new_record(pair, caseworker, agency):
    keep, absorb = pair
    older = PersonFactory(registered_by_agency=agency)
    person_merge(keep=absorb, absorb=older, actor=caseworker, reason="重複")
    person_merge(keep=keep, absorb=absorb, actor=caseworker, reason="重複")
    older.refresh_from_db()
    assert older.merged_into == keep

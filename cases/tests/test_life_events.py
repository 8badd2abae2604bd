"""Life events keep the record true: a death recorded on its date (the member stays in the
household's history as 死亡, not 転出), no new case or つなぐシート for a deceased person, the
survivor's case linked to the closed one (前の支援 ↔ 次の支援), 「本人」 the person the case is about
and the household head shown as 世帯主."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.choices import Role
from agencies.jpdates import format_date
from agencies.tests.factories import AgencyFactory, staff
from cases.choices import ClosureReason
from cases.models import HouseholdMember, SupportCase
from cases.services import support as s
from cases.services.intake import referral_create
from cases.services.persons import person_update
from cases.tests.factories import ConsentFactory, login_verified, multiagency_agency, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    """A mother (世帯主, the case's 本人) and her son; the mother dies three days ago."""
    body = multiagency_agency()
    coordinator = staff(body, Role.COORDINATOR)
    case = open_case(
        coordinator=coordinator,
        agency=body,
        members=[("self", "女", 1944, True), ("child", "男", 1974, True)],
        summary="母の介護と息子の就労",
    )
    SupportCase.objects.filter(pk=case.pk).update(
        opened_on=timezone.localdate() - dt.timedelta(days=60)
    )
    case.refresh_from_db()
    mother, son = sorted(case.persons.all(), key=lambda p: p.birth_date)
    ConsentFactory(person=son, agencies=[body])
    return body, coordinator, case, mother, son


def _record_death(coordinator, mother, died_on):
    return person_update(
        actor=coordinator,
        person=mother,
        data={"deceased_on": died_on},
        expected_version=mother.version,
    )


def test_death_recorded_on_its_date_keeps_the_member_as_deceased(family):
    body, coordinator, case, mother, son = family
    died_on = timezone.localdate() - dt.timedelta(days=3)
    _record_death(coordinator, mother, died_on)
    link = HouseholdMember.objects.get(person=mother, household=case.household)
    assert link.left_on == died_on
    assert link.left_reason == "死亡"
    assert link.joined_on < died_on
    assert HouseholdMember.objects.get(person=son).left_on is None


def test_no_new_case_or_referral_for_a_deceased_person(family):
    body, coordinator, case, mother, son = family
    _record_death(coordinator, mother, timezone.localdate() - dt.timedelta(days=3))
    mother.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        s.case_create(
            actor=coordinator,
            household=case.household,
            coordinating_agency=body,
            principal=mother,
            persons=[mother],
        )
    assert "亡くなった方" in exc.value.message_dict["principal"][0]
    assert f"死亡日 {format_date(mother.deceased_on)}" in exc.value.message_dict["principal"][0]
    with pytest.raises(ValidationError) as exc:
        referral_create(
            actor=coordinator,
            from_agency=body,
            to_agency=AgencyFactory(),
            person=mother,
            household=case.household,
            triggers=["complex"],
        )
    assert (
        f"亡くなった方(死亡日 {format_date(mother.deceased_on)})"
        in (exc.value.message_dict["person"][0])
    )
    api = APIClient()
    api.force_authenticate(coordinator)
    answer = api.post(
        "/api/v1/support-cases/",
        {
            "household": str(case.household.public_id),
            "coordinating_agency": body.code,
            "principal": str(mother.public_id),
            "summary": "x",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "principal" in answer.json()["error"]["fields"]


def test_survivor_case_follows_the_closed_case_and_both_pages_show_the_link(family, client):
    body, coordinator, case, mother, son = family
    died_on = timezone.localdate() - dt.timedelta(days=3)
    _record_death(coordinator, mother, died_on)
    s.case_close_exceptional(
        case=case, actor=coordinator, reason=ClosureReason.DIED, closed_on=died_on
    )
    # An open case cannot be "previous"; another household's neither
    other = open_case(coordinator=coordinator, agency=body)
    with pytest.raises(ValidationError):
        s.case_create(
            actor=coordinator,
            household=case.household,
            coordinating_agency=body,
            principal=son,
            persons=[son],
            previous_case=other,
        )
    nxt = s.case_create(
        actor=coordinator,
        household=case.household,
        coordinating_agency=body,
        principal=son,
        persons=[son],
        summary="遺された息子の生活再建",
        previous_case=case,
    )
    assert nxt.previous_case == case
    assert list(case.next_cases.all()) == [nxt]
    login_verified(client, coordinator)
    page = client.get(reverse("cases:case_detail", args=[nxt.public_id])).content.decode()
    assert "前の支援" in page and case.number in page
    assert "世帯主" in page  # the mother's relation, not 「本人」
    assert page.count('data-testid="principal"') == 1
    assert "死亡" in page
    old = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert "次の支援" in old and nxt.number in old
    api = APIClient()
    api.force_authenticate(coordinator)
    body_json = api.get(f"/api/v1/support-cases/{case.public_id}/").json()
    assert body_json["next_cases"] == [str(nxt.public_id)]


def test_case_create_page_offers_the_next_case_of_a_closed_one(family, client):
    body, coordinator, case, mother, son = family
    died_on = timezone.localdate() - dt.timedelta(days=3)
    _record_death(coordinator, mother, died_on)
    s.case_close_exceptional(
        case=case, actor=coordinator, reason=ClosureReason.DIED, closed_on=died_on
    )
    login_verified(client, coordinator)
    url = reverse("cases:case_create")
    assert client.get(url, {"previous": "nope"}).status_code == 404
    assert client.get(url, {"previous": str(case.public_id)}).status_code == 200
    answer = client.post(
        url,
        {
            "household": str(case.household.public_id),
            "coordinating_agency": body.pk,
            "principal": str(son.public_id),  # pickers post public ids
            "previous_case": str(case.public_id),
            "opened_on": timezone.localdate().isoformat(),
            "summary": "息子の生活再建",
        },
    )
    assert answer.status_code == 302
    nxt = SupportCase.objects.get(previous_case=case)
    assert nxt.principal == son
    assert mother not in nxt.persons.all()
    # Each case page links the other: the next case only where one follows.
    closed = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert "次の支援" in closed and nxt.number in closed
    following = client.get(reverse("cases:case_detail", args=[nxt.public_id])).content.decode()
    assert "前の支援" in following and "次の支援" not in following


def test_moving_out_birth_and_back_dated_joining(family, client):
    from cases.services.persons import household_add_member, person_create

    body, coordinator, case, mother, son = family
    moved_on = timezone.localdate() - dt.timedelta(days=5)
    person_update(
        actor=coordinator, person=son, data={"moved_out_on": moved_on}, expected_version=son.version
    )
    link = HouseholdMember.objects.get(person=son)
    assert (link.left_on, link.left_reason) == (moved_on, "転出")
    # A grandchild born last month joins the household from the birth date (back-dated)
    born = timezone.localdate() - dt.timedelta(days=30)
    baby = person_create(
        actor=coordinator,
        data={"family_name": "山田", "given_name": "こはる", "birth_date": born},
        agency=body,
    )
    member = household_add_member(
        actor=coordinator,
        household=case.household,
        person=baby,
        relation="grandchild",
        joined_on=born,
    )
    assert member.joined_on == born
    with pytest.raises(ValidationError):
        household_add_member(
            actor=coordinator,
            household=case.household,
            person=mother,
            relation="other",
            joined_on=timezone.localdate() + dt.timedelta(days=1),
        )
    _record_death(coordinator, mother, timezone.localdate() - dt.timedelta(days=2))
    login_verified(client, coordinator)
    page = client.get(
        reverse("cases:household_detail", args=[case.household.public_id])
    ).content.decode()
    assert "死亡" in page and "転出" in page


def test_the_genogram_marks_the_cases_principal_not_the_household_head(family):
    from cases.genogram import genogram_svg

    body, coordinator, case, mother, son = family
    members = list(case.household.members.select_related("person"))
    for_son = str(genogram_svg(members, principal_id=son.pk))
    assert for_son.count("member--self") == 1
    assert 'class="member member--self" data-relation="child"' in for_son
    for_mother = str(genogram_svg(members, principal_id=mother.pk))
    assert 'class="member member--self" data-relation="self"' in for_mother

"""Access follows the work: grants from team, 主担当, consent and meeting roles (issue 9 items 1–2)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from access import bases
from access.models import AccessGrant, Disclosure, LegalBasis
from access.services import grants_end, ref
from access.tests.factories import shien_kaigi_8050
from agencies.choices import Role
from agencies.policy import can
from agencies.tests.factories import AgencyFactory, MembershipFactory, staff
from cases.models import SupportCase
from cases.policy.persons import person_access, persons_visible_to
from cases.selectors.support import cases_visible_to
from cases.services import persons as person_services
from cases.tests.factories import ConsentFactory, open_case
from meetings import services
from meetings.choices import BodyKind, DesignatedFrom
from meetings.tests.conftest import make_body

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def test_registry_holds_every_basis_with_law_and_article():
    rows = {b.code: b for b in LegalBasis.objects.all()}
    assert set(bases.ALL) | {bases.EMERGENCY} <= set(rows)
    assert rows[bases.SHIEN_KAIGI].article == "第106条の6"
    assert rows[bases.YOTAIKYO].law == "児童福祉法"
    assert "第25条の5" in rows[bases.YOTAIKYO].confidentiality_duty
    assert rows[bases.KONKYU_SHIEN_KAIGI].article == "第9条"
    assert rows[bases.CHIIKI_CARE].article == "第115条の48"
    assert "第27条第1項第2号" in rows[bases.EMERGENCY].article
    assert "第69条" in rows[bases.EMERGENCY].article
    assert rows[bases.JUSO_KAIGI].consent_required
    assert not rows[bases.SHIEN_KAIGI].consent_required
    assert rows[bases.EMERGENCY].is_emergency and rows[bases.EMERGENCY].duration_hours


def test_body_carries_basis_from_kind_and_designated_meeting(supervisor, city):
    juso = make_body(supervisor, city, BodyKind.JUSO_KAIGI, "重層")
    shien = make_body(supervisor, city, BodyKind.SHIEN_KAIGI, "支援")
    yotaikyo = make_body(
        supervisor,
        city,
        BodyKind.SHIEN_KAIGI,
        "要対協",
        designated_from=DesignatedFrom.YOHOGO,
    )
    assert juso.basis.code == bases.JUSO_KAIGI
    assert shien.basis.code == bases.SHIEN_KAIGI
    assert yotaikyo.basis.code == bases.YOTAIKYO


def test_consent_basis_refused_for_a_shien_kaigi(supervisor, city):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        make_body(
            supervisor,
            city,
            BodyKind.SHIEN_KAIGI,
            "支援",
            basis=LegalBasis.objects.get(code=bases.JUSO_KAIGI),
        )
    assert "basis" in err.value.message_dict


# --- the 8050 household at a 支援会議 --------------------------------------------------------------


@pytest.fixture
def world(supervisor, coordinator, city):
    """An 8050 case at the city, a 支援会議 yesterday that gives roles to 包括, 自立相談 and 社協."""
    return shien_kaigi_8050(supervisor=supervisor, coordinator=coordinator, city=city)


def test_role_owners_see_case_and_persons_outsider_does_not(world, stranger):
    case = world["case"]
    persons = list(case.persons.all())
    for agency in world["agencies"]:
        worker = world["workers"][agency]
        assert cases_visible_to(worker).filter(pk=case.pk).exists()
        assert can(worker, "case.view", case)
        for person in persons:
            decision = person_access(worker, person)
            assert decision.allowed
            assert decision.sections == frozenset({"basic", "household"})
        assert set(persons_visible_to(worker)) >= set(persons)
    assert not cases_visible_to(stranger).filter(pk=case.pk).exists()
    assert not can(stranger, "case.view", case)
    assert not any(person_access(stranger, p) for p in persons)


def test_named_owner_grant_is_personal(world):
    shakyo = world["agencies"][2]
    colleague = staff(shakyo, Role.CSW)
    assert not can(colleague, "case.view", world["case"])


def test_role_done_ends_access_after_the_tail(world):
    houkatsu, _, shakyo = world["agencies"]
    worker = world["workers"][shakyo]
    role = world["roles"][shakyo.pk]
    services.role_assignment_complete(assignment=role, actor=worker)
    assert can(worker, "case.view", world["case"])  # the tail of the basis (30 days)
    tail = LegalBasis.objects.get(code=bases.SHIEN_KAIGI).tail_days
    with time_machine.travel(timezone.now() + dt.timedelta(days=tail + 2)):
        fresh = type(worker).objects.get(pk=worker.pk)
        assert not can(fresh, "case.view", SupportCase.objects.get(pk=world["case"].pk))
        # the 包括's role ran out with its due date plus the tail as well
        other = type(worker).objects.get(pk=world["workers"][houkatsu].pk)
        assert not cases_visible_to(other).filter(pk=world["case"].pk).exists()


def test_ending_a_role_ends_access_at_once(world):
    _, jiritsu, _ = world["agencies"]
    worker = world["workers"][jiritsu]
    assert can(worker, "case.view", world["case"])
    grants_end(source_ref=ref(world["roles"][jiritsu.pk]), reason="役割の取消")
    fresh = type(worker).objects.get(pk=worker.pk)
    assert not can(fresh, "case.view", SupportCase.objects.get(pk=world["case"].pk))


def test_every_role_disclosure_is_in_the_ledger(world):
    case = world["case"]
    rows = Disclosure.objects.filter(person__in=case.persons.all(), basis__code=bases.SHIEN_KAIGI)
    n_persons = case.persons.count()
    assert rows.count() == 3 * n_persons
    assert {r.agency_id for r in rows} == {a.pk for a in world["agencies"]}


# --- team, consent, 主担当 ----------------------------------------------------------------------


def test_consent_withdrawal_ends_the_partner_agency_access_at_once(coordinator, city):
    partner = AgencyFactory()
    worker = staff(partner, Role.CASEWORKER)
    case = open_case(coordinator=coordinator, agency=city)
    from cases.services import support as s

    s.team_add(case=case, actor=coordinator, agency=partner)
    consent = ConsentFactory(person=case.principal, agencies=[city, partner])
    assert can(worker, "case.view", case)
    assert person_access(worker, case.principal)
    person_services.consent_withdraw(actor=coordinator, consent=consent, note="本人の申出")
    fresh = type(worker).objects.get(pk=worker.pk)
    case = SupportCase.objects.get(pk=case.pk)
    assert not can(fresh, "case.view", case)
    assert not person_access(fresh, case.principal)
    assert not AccessGrant.objects.active().filter(basis_ref=ref(consent)).exists()


def test_lead_agency_keeps_the_case_after_closure(coordinator, city):
    from cases.services import support as s

    partner = AgencyFactory()
    worker = staff(partner, Role.CASEWORKER)
    case = open_case(coordinator=coordinator, agency=city)
    ConsentFactory(person=case.principal, agencies=[city, partner])
    s.case_set_lead_agency(case=case, actor=coordinator, agency=partner)
    for member in case.team.filter(agency=partner):
        member.left_on = _today()
        member.save(update_fields=["left_on"])
    s.case_close_exceptional(
        case=case, actor=coordinator, reason="moved", closed_on=_today(), note="転居"
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        fresh = type(worker).objects.get(pk=worker.pk)
        assert can(fresh, "case.view", SupportCase.objects.get(pk=case.pk))


# --- the admin role (issue 17 item 1) --------------------------------------------------------------


def test_admin_without_care_role_sees_no_case(coordinator, city):
    case = open_case(coordinator=coordinator, agency=city)
    admin = staff(city, Role.ADMIN)
    assert not cases_visible_to(admin).exists()
    assert not can(admin, "case.view", case)
    assert not person_access(admin, case.principal)


def test_admin_with_a_care_role_sees_through_that_role(coordinator, city):
    case = open_case(coordinator=coordinator, agency=city)
    admin = staff(city, Role.ADMIN)
    MembershipFactory(user=admin, agency=city, role=Role.CASEWORKER)
    assert can(admin, "case.view", case)


# --- scale: an index lookup, fixed queries whatever the number of grants --------------------------


def test_gives_household_follows_the_sections_whatever_writes_them(city):
    """The flag the household list reads is computed by the database: a service, a bulk write
    or a queryset update cannot leave it out of step with `sections`."""
    from access.services import grant_give
    from cases.tests.factories import PersonFactory

    person = PersonFactory(registered_by_agency=city)
    basis = LegalBasis.objects.get(code=bases.CONSENT)

    def flag(grant):
        return AccessGrant.objects.values_list("gives_household", flat=True).get(pk=grant.pk)

    (given,) = grant_give(
        agency=city,
        basis=basis,
        source="role",
        source_ref="t:1",
        persons=[person],
        sections=["basic"],
    )
    assert flag(given) is False
    AccessGrant.objects.filter(pk=given.pk).update(sections=["basic", "household"])
    assert flag(given) is True
    given.sections = ["health"]
    given.save()
    assert flag(given) is False
    given.sections = ["household"]
    AccessGrant.objects.bulk_update([given], ["sections"])
    assert flag(given) is True
    (made,) = AccessGrant.objects.bulk_create(
        [AccessGrant(agency=city, person=person, basis=basis, source="role", sections=["other"])]
    )
    assert flag(made) is False
    assert set(AccessGrant.objects.giving_household().values_list("pk", flat=True)) == {given.pk}


def test_case_list_queries_do_not_grow_with_grants(
    client, coordinator, city, django_assert_max_num_queries
):
    from meetings.tests.conftest import verified

    partner = AgencyFactory()
    worker = staff(partner, Role.CASEWORKER)
    case = open_case(coordinator=coordinator, agency=city)
    from access.services import grant_give

    grant_give(agency=partner, case=case, basis=bases.SHIEN_KAIGI, source="role", source_ref="t:1")
    verified(client, worker)
    url = reverse("cases:case_list")
    response = client.get(url)
    assert response.status_code == 200
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n in range(12):
        other = open_case(coordinator=coordinator, agency=city)
        grant_give(
            agency=partner,
            case=other,
            persons=list(other.persons.all()),
            basis=bases.SHIEN_KAIGI,
            source="role",
            source_ref=f"t:{n + 2}",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


# --- the access record of a person (ledger page and PDF) --------------------------------------------


def test_owner_agency_reads_the_access_record_and_prints_it(client, world):
    from meetings.tests.conftest import verified

    case = world["case"]
    person = case.principal
    owner = staff(person.registered_by_agency, Role.CASEWORKER)
    verified(client, owner)
    page = client.get(reverse("access:person_record", args=[person.public_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "この人の情報を見られる機関と根拠" in text
    for agency in world["agencies"]:
        assert agency.name in text
    assert "第106条の6" in text
    pdf = client.get(reverse("access:person_record_pdf", args=[person.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_access_record_lists_an_access_derived_through_two_paths_once(
    client, coordinator, city, django_assert_max_num_queries
):
    """The body running the case holds the person's consent grant through its team row and as
    the coordinating agency: two grant rows, one access on the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from access.services import grant_give
    from meetings.tests.conftest import verified

    case = open_case(coordinator=coordinator, agency=city)
    person = case.principal
    ConsentFactory(
        person=person, explained_by=coordinator, recorded_by_agency=city, agencies=[city]
    )
    team = AccessGrant.objects.active().filter(person=person, agency=city, source="case_team")
    assert team.count() == 2 and len({g.source_ref for g in team}) == 2
    verified(client, coordinator)
    url = reverse("access:person_record", args=[person.public_id])
    with CaptureQueriesContext(connection) as first:
        page = client.get(url)
    grants = page.context["grants"]
    assert sorted(g.source for g in grants if g.person_id == person.pk) == ["case_team", "lead"]
    rows = page.content.decode().split('data-testid="grants"')[1].split("<tbody>")[1]
    rows = rows.split("</tbody>")[0]
    assert rows.count("<tr>") == len(grants)

    for n in range(5):  # more grants cost no more queries
        grant_give(
            agency=AgencyFactory(),
            case=case,
            persons=[person],
            basis=bases.SHIEN_KAIGI,
            source="role",
            source_ref=f"t:{n}",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(url)
    assert len(page.context["grants"]) == len(grants) + 2 * 5  # the case and the person each


def test_grantee_and_outsider_do_not_read_the_access_record(client, world, stranger):
    from meetings.tests.conftest import verified

    person = world["case"].principal
    for user in (world["workers"][world["agencies"][0]], stranger):
        verified(client, user)
        response = client.get(reverse("access:person_record", args=[person.public_id]))
        assert response.status_code == 404


def test_8050_scenario_over_the_api(client, world, stranger, coordinator):
    """The 支援会議 gave roles to 包括, 自立相談 and the 社協 CSW: each opens the case and the
    persons it needs through the API (basic data, not the sheets); an unrelated agency cannot;
    the CSW's role ends → its access ends at once; the ledger lists every disclosure."""
    from meetings.tests.conftest import verified

    case = world["case"]
    persons = list(case.persons.all())
    houkatsu, jiritsu, shakyo = world["agencies"]
    for agency in world["agencies"]:
        verified(client, world["workers"][agency])
        assert client.get(f"/api/v1/support-cases/{case.public_id}/").status_code == 200
        for person in persons:
            response = client.get(f"/api/v1/persons/{person.public_id}/")
            assert response.status_code == 200
            assert response.json()["family_name"] == person.family_name
        sheets = client.get(f"/api/v1/assessments/?case={case.public_id}")
        assert sheets.status_code == 200 and sheets.json()["count"] == 0
    verified(client, stranger)
    assert client.get(f"/api/v1/support-cases/{case.public_id}/").status_code == 404
    assert client.get(f"/api/v1/persons/{persons[0].public_id}/").status_code == 404

    csw = world["workers"][shakyo]
    grants_end(source_ref=ref(world["roles"][shakyo.pk]), reason="役割の終了")
    verified(client, csw)
    assert client.get(f"/api/v1/support-cases/{case.public_id}/").status_code == 404
    assert client.get(f"/api/v1/persons/{persons[0].public_id}/").status_code == 404

    verified(client, coordinator)
    page = client.get(reverse("access:person_record", args=[persons[0].public_id]))
    assert page.status_code == 200
    body = page.content.decode()
    for agency in (houkatsu, jiritsu, shakyo):
        assert agency.name in body
    assert "支援会議" in body


def test_a_role_holder_is_not_offered_team_management(client, world, coordinator):
    """A 支援会議 role opens the case page and the team (read only): the link says so."""
    from django.urls import reverse

    from agencies.tests.utils import login_as

    case = world["case"]
    url = reverse("cases:case_detail", args=[case.public_id])
    csw = world["workers"][world["agencies"][2]]
    login_as(client, csw)
    page = client.get(url).content.decode()
    assert "チームを管理" not in page and "チームの詳細" in page
    login_as(client, coordinator)
    page = client.get(url).content.decode()
    assert "チームを管理" in page


def test_case_and_person_pages_cost_the_same_with_more_grants(client, coordinator, city):
    """The case page and the person page of a case shared with 2 or with 12 agencies."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from access.services import grant_give
    from meetings.tests.conftest import verified

    case = open_case(coordinator=coordinator, agency=city)
    person = case.principal
    case_url = reverse("cases:case_detail", args=[case.public_id])
    person_url = reverse("cases:person_detail", args=[person.public_id])

    def share(n, start):
        for i in range(n):
            grant_give(
                agency=AgencyFactory(),
                case=case,
                persons=[person],
                basis=bases.SHIEN_KAIGI,
                source="role",
                source_ref=f"t:{start + i}",
            )

    def cost():
        counts = []
        for url in (case_url, person_url):
            assert client.get(url).status_code == 200
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            counts.append(len(q.captured_queries))
        return counts

    share(2, 0)
    verified(client, coordinator)
    few = cost()
    share(10, 2)
    assert cost() == few


def test_the_genogram_does_not_age_a_member_the_viewer_may_not_see(client, coordinator, city):
    """A role on the 本人 only: the member table hides the mother, and so does the drawing."""
    import re

    from access.services import grant_give
    from meetings.tests.conftest import verified

    case = open_case(coordinator=coordinator, agency=city)
    principal = case.principal
    other = next(p for p in case.persons.all() if p.pk != principal.pk and p.birth_date)
    partner = AgencyFactory()
    worker = staff(partner, Role.CASEWORKER)
    grant_give(
        agency=partner,
        case=case,
        persons=[principal],
        basis=bases.SHIEN_KAIGI,
        source="role",
        source_ref="t:genogram",
    )
    verified(client, worker)
    page = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    ages = set(re.findall(r'class="age"[^>]*>(\d+)<', svg))
    assert str(principal.age()) in ages
    assert str(other.age()) not in ages or other.age() == principal.age()

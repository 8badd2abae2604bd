"""The disclosure ledger (提供記録) beyond grants: a つなぐシート sent, meeting papers printed, an
export — each a row with what, to whom, on which basis; the person's access record lists them
(issue 9 item 3)."""

import pytest
from django.urls import reverse

from access import bases
from access.models import Disclosure
from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.services import support as s
from cases.tests.factories import ConsentFactory, HouseholdMemberFactory, IntakeWorld, open_case
from meetings import services as ms
from meetings.choices import AgendaKind
from meetings.tests.conftest import schedule, seat, verified

pytestmark = pytest.mark.django_db


def _ledger_page(client, user, person) -> str:
    verified(client, user)
    response = client.get(reverse("access:person_record", args=[person.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_referral_sent_is_in_the_ledger_of_the_person_and_household(client):
    intake = IntakeWorld(consent_kinds=["basic", "household", "health"])
    referral = intake.sent()
    row = Disclosure.objects.get(person=intake.person)
    assert row.channel == Disclosure.Channel.REFERRAL
    assert row.agency == intake.receiver and row.basis.code == bases.CONSENT
    assert row.basis_ref == f"cases.consent:{intake.consent.pk}"
    assert row.sections == ["basic", "health", "household"]
    mother = Disclosure.objects.get(person=intake.mother)
    assert mother.sections == ["household"] and mother.agency == intake.receiver
    page = _ledger_page(client, intake.worker, intake.person)
    assert "つなぐシート" in page and intake.receiver.name in page and "本人同意" in page
    assert referral.number not in page  # the ledger names the basis, not the sheet's content


def test_referral_without_consent_is_recorded_on_the_shien_kaigi_basis():
    intake = IntakeWorld()
    intake.sent(variant="without_consent", consent=None, meeting_summary="80代の母と50代の子")
    row = Disclosure.objects.get(person=intake.person)
    assert row.basis.code == bases.SHIEN_KAIGI and row.agency == intake.receiver
    assert row.sections == ["other"]  # only the summary written for the 支援会議
    assert not Disclosure.objects.filter(person=intake.mother).exists()


@pytest.fixture
def shien_papers(supervisor, city, shien):
    """A 支援会議 item about a person another agency registered; a pledged member at a third
    agency."""
    seat(shien, supervisor, supervisor)
    other = AgencyFactory(name="北部包括")
    owner = staff(other, Role.CASEWORKER)
    member = HouseholdMemberFactory(household__registered_by_agency=other)
    reader_agency = AgencyFactory(name="市社協")
    reader = staff(reader_agency, Role.CSW)
    seat(shien, reader, supervisor)
    request = ms.agenda_request_create(
        body=shien,
        actor=supervisor,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="北部の世帯",
        household=member.household,
        persons=[member.person],
    )
    meeting = schedule(shien, supervisor)
    item = ms.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"request:{request.public_id}"
    )
    return item, member.person, owner, reader, reader_agency


@pytest.mark.parametrize("which", ["paper_pdf", "papers_pdf"])
def test_printed_meeting_papers_are_in_the_ledger(client, shien_papers, which):
    item, person, owner, reader, reader_agency = shien_papers
    verified(client, reader)
    target = item.public_id if which == "paper_pdf" else item.meeting.public_id
    response = client.get(reverse(f"meetings:{which}", args=[target]))
    assert response.status_code == 200
    row = Disclosure.objects.get(person=person, channel=Disclosure.Channel.PAPERS)
    assert row.agency == reader_agency and row.user == reader
    assert row.basis.code == bases.SHIEN_KAIGI
    assert row.basis_ref == f"meetings.meeting:{item.meeting.pk}"
    page = _ledger_page(client, owner, person)
    assert "会議資料" in page and "市社協" in page


def test_convenor_printing_its_own_registered_person_is_no_disclosure(
    client, supervisor, city, shien
):
    seat(shien, supervisor, supervisor)
    member = HouseholdMemberFactory(household__registered_by_agency=city)
    meeting = schedule(shien, supervisor)
    request = ms.agenda_request_create(
        body=shien,
        actor=supervisor,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="世帯",
        household=member.household,
        persons=[member.person],
    )
    item = ms.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"request:{request.public_id}"
    )
    verified(client, supervisor)
    assert client.get(reverse("meetings:paper_pdf", args=[item.public_id])).status_code == 200
    assert not Disclosure.objects.filter(channel=Disclosure.Channel.PAPERS).exists()


def test_export_of_a_case_seen_on_consent_is_in_the_ledger(client, coordinator, city):
    partner = AgencyFactory(name="障がい者相談支援事業所")
    worker = staff(partner, Role.CASEWORKER)
    case = open_case(coordinator=coordinator, agency=city)
    s.team_add(case=case, actor=coordinator, agency=partner)
    ConsentFactory(person=case.principal, agencies=[partner])
    verified(client, worker)
    response = client.get(reverse("cases:case_export") + "?fmt=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert case.number.encode() in body
    row = Disclosure.objects.get(person=case.principal, channel=Disclosure.Channel.EXPORT)
    assert row.agency == partner and row.user == worker
    assert row.basis.code == bases.CONSENT


def test_export_of_own_records_is_no_disclosure(client, coordinator, city):
    case = open_case(coordinator=coordinator, agency=city)
    verified(client, coordinator)
    response = client.get(reverse("cases:case_export") + "?fmt=csv")
    assert response.status_code == 200
    assert not Disclosure.objects.filter(
        person=case.principal, channel=Disclosure.Channel.EXPORT
    ).exists()


def test_receiving_agency_sees_the_person_while_answering_the_sheet():
    from cases.policy.persons import person_access
    from cases.services.intake import referral_return

    intake = IntakeWorld(consent_kinds=["basic", "household"])
    other_staff = staff(intake.receiver, Role.CASEWORKER)
    assert not person_access(other_staff, intake.person)
    referral = intake.sent()
    decision = person_access(staff(intake.receiver, Role.CASEWORKER), intake.person)
    assert decision.allowed and decision.sections == frozenset({"basic", "household"})
    assert not person_access(intake.outsider, intake.person)
    referral_return(
        actor=intake.coordinator, referral=referral, reason="管轄外のため", next_step="包括へ"
    )
    fresh = type(other_staff).objects.get(pk=other_staff.pk)
    assert not person_access(fresh, intake.person)
    # the ledger keeps the disclosure, ended when the sheet was answered
    row = Disclosure.objects.get(person=intake.person)
    assert row.channel == Disclosure.Channel.REFERRAL and row.until is not None

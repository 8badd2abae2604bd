"""The person page as the hub: a dated history of what the viewer may see, the actions that
start from it, and a fixed number of queries however long the history."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases.history import person_history
from cases.tests.factories import ConsultationFactory, IntakeWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return IntakeWorld()


def test_history_lists_consultation_referral_for_the_worker(client, w):
    consultation = ConsultationFactory(agency=w.sender, staff=w.worker, person=w.person)
    referral = w.sent()
    client.force_login(w.worker)
    response = client.get(reverse("cases:person_detail", args=[w.person.public_id]))
    html = response.content.decode()
    assert 'data-testid="section-history"' in html
    assert reverse("cases:consultation_detail", args=[consultation.public_id]) in html
    assert referral.number in html
    # The actions that start from the person.
    assert f"{reverse('cases:consultation_create')}?person={w.person.public_id}" in html
    assert f"{reverse('cases:referral_create')}?person={w.person.public_id}" in html
    assert AuditEvent.objects.filter(action="person.view", actor=w.worker).exists()


def test_history_holds_only_what_the_viewer_may_see(w):
    ConsultationFactory(agency=w.sender, staff=w.worker, person=w.person)
    draft = w.draft()
    # The receiver sees no consultation of the sender and no draft.
    kinds = {e.kind for e in person_history(w.coordinator, w.person)}
    assert "相談" not in kinds
    assert all(draft.number not in e.title for e in person_history(w.coordinator, w.person))
    # Once sent, the receiver sees the sheet.
    sent = w.sent()
    assert any(sent.number in e.title for e in person_history(w.coordinator, w.person))
    # An outsider sees nothing.
    assert person_history(w.outsider, w.person) == []


def test_history_includes_the_case_and_its_notes(w):
    from cases.services import support as s
    from cases.services.intake import referral_accept

    referral = w.opened()
    case = referral_accept(actor=w.coordinator, referral=referral)
    case = case[0] if isinstance(case, tuple) else case
    s.note_create(
        case=case,
        actor=w.coordinator,
        kind="visit",
        content="訪問",
        minutes=30,
        staff_count=1,
        persons=[w.person],
    )
    entries = person_history(w.coordinator, w.person)
    kinds = [e.kind for e in entries]
    assert "多機関協働ケース" in kinds and "支援経過" in kinds
    assert entries == sorted(entries, key=lambda e: e.sort_key, reverse=True)
    note = next(e for e in entries if e.kind == "支援経過")
    assert note.title == f"訪問({case.number})" and note.agency
    shown = next(e for e in entries if e.kind == "多機関協働ケース")
    assert shown.title.startswith(case.number) and shown.status == case.get_status_display()


def test_each_history_source_reads_what_it_prints_in_one_statement(w, django_assert_num_queries):
    """The sources read only the columns their entries print (`.only()`): a column left out
    would be fetched row by row."""
    from cases.history import _SOURCES, person_history
    from cases.services import support as s
    from cases.services.intake import referral_accept

    ConsultationFactory(agency=w.receiver, staff=w.coordinator, person=w.person)
    case = referral_accept(actor=w.coordinator, referral=w.opened())
    case = case[0] if isinstance(case, tuple) else case
    for n in range(3):
        s.note_create(
            case=case,
            actor=w.coordinator,
            kind="visit",
            content=f"訪問{n}",
            minutes=30,
            staff_count=1,
            persons=[w.person],
        )
    person_history(w.coordinator, w.person)  # modules discovered, memberships read
    for name in ("consultations", "referrals", "cases", "notes"):
        with django_assert_num_queries(1):
            entries = _SOURCES[name](w.coordinator, w.person, 50)
            assert entries, name
            for e in entries:
                (e.title, e.status, e.tone, e.agency, str(e.url))


def test_referral_form_starts_with_the_person(client, w):
    client.force_login(w.worker)
    response = client.get(reverse("cases:referral_create"), {"person": str(w.person.public_id)})
    assert response.status_code == 200
    assert response.context["form"].initial["person"] == str(w.person.public_id)
    # A malformed id is not an error, the field is just left empty.
    assert client.get(reverse("cases:referral_create"), {"person": "x"}).status_code == 200


def test_person_page_query_count_does_not_grow_with_history(
    client, w, django_assert_max_num_queries
):
    ConsultationFactory(agency=w.sender, staff=w.worker, person=w.person)
    client.force_login(w.worker)
    url = reverse("cases:person_detail", args=[w.person.public_id])
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        client.get(url)
    for _ in range(8):
        ConsultationFactory(agency=w.sender, staff=w.worker, person=w.person)
        w.sent()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_new_person_from_add_member_page_comes_back_to_the_household(client, w):
    client.force_login(w.worker)
    add_url = reverse("cases:household_member_add", args=[w.household.public_id])
    page = client.get(add_url).content.decode()
    create = f"{reverse('cases:person_create')}?household={w.household.public_id}"
    assert create in page
    response = client.post(
        create,
        {
            "family_name": "新田",
            "given_name": "花子",
            "family_name_kana": "にった",
            "given_name_kana": "はなこ",
            "confirm_new": "1",
            "household": str(w.household.public_id),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"].startswith(add_url + "?person=")
    page = client.get(response["Location"]).content.decode()
    assert "新田 花子" in page and "checked" in page


def test_a_consultation_of_an_agency_not_the_users_still_shows_its_agency(w, monkeypatch):
    """The consultations' source names agencies from the user's memberships; a row the list's
    rule admits from another agency (were the rule to widen) is named by one more lookup."""
    from cases import history
    from cases.models import Consultation
    from cases.selectors import intake

    ConsultationFactory(agency=w.sender, staff=w.worker, person=w.person)
    monkeypatch.setattr(intake, "consultations_visible_to", lambda user: Consultation.objects)
    entries = history._SOURCES["consultations"](w.coordinator, w.person, 50)
    assert [e.agency for e in entries] == [w.sender.short_name or w.sender.name]

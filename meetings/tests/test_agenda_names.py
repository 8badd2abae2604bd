"""A free-text agenda item is a general item (一般議題): it names nobody the meeting deals with
(issue 9 item 5). An item about a person links that person instead (and the consent guard of the
body's basis applies)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.tests.factories import HouseholdMemberFactory, PersonFactory
from meetings import services
from meetings.choices import AgendaKind
from meetings.models import AgendaItem, AgendaRequest
from meetings.names import NAME_IN_TITLE, persons_named

from .conftest import schedule, submitted_plan, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def juso_meeting(supervisor, coordinator, city, juso):
    """A 重層的支援会議 with a consented plan on its agenda; the 本人's mother lives in the
    household and gave no consent."""
    case, plan = submitted_plan(coordinator, city)
    mother = PersonFactory(
        family_name="佐藤",
        given_name="花子",
        family_name_kana="サトウ",
        given_name_kana="ハナコ",
        registered_by_agency=city,
    )
    HouseholdMemberFactory(household=case.household, person=mother, relation="parent")
    meeting = schedule(juso, supervisor)
    services.agenda_item_add(meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}")
    meeting.refresh_from_db()
    return meeting, case, mother


def _general(meeting, supervisor, title):
    return services.agenda_item_add(
        meeting=meeting,
        actor=supervisor,
        kind=AgendaKind.INFO_SHARING,
        title=title,
        expected_version=meeting.version,
    )


@pytest.mark.parametrize(
    "title",
    [
        "佐藤花子さんの近況",
        "佐藤 花子(母)について",
        "サトウ ハナコ",
        "さとうはなこ氏の件",
        "ｻﾄｳﾊﾅｺ",
    ],
)
def test_juso_general_item_naming_a_person_without_consent_is_refused(
    juso_meeting, supervisor, title
):
    meeting, _case, _mother = juso_meeting
    with pytest.raises(ValidationError) as exc:
        _general(meeting, supervisor, title)
    assert exc.value.message_dict == {"title": [str(NAME_IN_TITLE)]}
    assert meeting.items.count() == 1
    meeting.refresh_from_db()
    assert meeting.version == 2  # nothing half-written


def test_general_item_without_a_name_is_accepted(juso_meeting, supervisor):
    meeting, _case, _mother = juso_meeting
    # A surname alone is no person (a district, a colleague): only full names are refused.
    item = _general(meeting, supervisor, "佐藤地区の居場所が足りない")
    assert item.kind == AgendaKind.INFO_SHARING and item.case is None
    assert not item.persons.exists()


def test_name_of_the_persons_on_any_item_of_the_meeting_is_refused(juso_meeting, supervisor):
    meeting, case, _mother = juso_meeting
    principal = case.principal
    with pytest.raises(ValidationError):
        _general(meeting, supervisor, f"{principal.family_name}{principal.given_name}の件")


def test_request_title_naming_its_person_is_refused(supervisor, partner_worker, shien):
    member = HouseholdMemberFactory(
        person__family_name="鈴木",
        person__given_name="一郎",
        person__family_name_kana="すずき",
        person__given_name_kana="いちろう",
    )
    with pytest.raises(ValidationError) as exc:
        services.agenda_request_create(
            body=shien,
            actor=partner_worker,
            kind=AgendaKind.WORRYING_NO_CONSENT,
            title="鈴木一郎さん宅のごみ",
            household=member.household,
            persons=[member.person],
        )
    assert "title" in exc.value.message_dict
    assert not AgendaRequest.objects.exists()


def test_paper_title_cannot_be_renamed_to_a_name(juso_meeting, supervisor):
    meeting, _case, _mother = juso_meeting
    item = meeting.items.get()
    with pytest.raises(ValidationError) as exc:
        services.paper_update(item=item, actor=supervisor, paper="資料", title="佐藤花子の件")
    assert "title" in exc.value.message_dict
    item.refresh_from_db()
    assert "花子" not in item.title


def test_names_match_across_width_kana_and_old_kanji():
    person = PersonFactory.build(
        family_name="髙橋", given_name="澤子", family_name_kana="タカハシ", given_name_kana="サワコ"
    )
    for text in ("高橋沢子", "髙橋 澤子", "たかはし さわこ", "ﾀｶﾊｼｻﾜｺ"):
        assert persons_named(text, [person]) == [person], text
    assert persons_named("高橋さん", [person]) == []


def test_ui_shows_the_refusal_on_the_title_field(client, juso_meeting, supervisor):
    meeting, _case, _mother = juso_meeting
    verified(client, supervisor)
    response = client.post(
        reverse("meetings:item_add", args=[meeting.public_id]),
        {
            "kind": AgendaKind.INFO_SHARING,
            "title": "佐藤花子さんの近況",
            "time_box_minutes": 10,
            "version": meeting.version,
        },
    )
    assert response.status_code == 400
    form = response.context["direct_form"]
    assert form.errors["title"] == [str(NAME_IN_TITLE)]
    assert str(NAME_IN_TITLE) in response.content.decode()
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_api_answers_400_naming_the_title(client, juso_meeting, supervisor):
    meeting, _case, _mother = juso_meeting
    verified(client, supervisor)
    response = client.post(
        "/api/v1/agenda-items/",
        {
            "meeting": str(meeting.public_id),
            "kind": AgendaKind.INFO_SHARING,
            "title": "サトウハナコの支援",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"title": [str(NAME_IN_TITLE)]}
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_ui_and_api_accept_a_general_item(client, juso_meeting, supervisor):
    meeting, _case, _mother = juso_meeting
    verified(client, supervisor)
    response = client.post(
        reverse("meetings:item_add", args=[meeting.public_id]),
        {
            "kind": AgendaKind.RESOURCE_GAP,
            "title": "夜間の相談窓口がない",
            "time_box_minutes": 10,
            "version": meeting.version,
        },
    )
    assert response.status_code == 302
    assert meeting.items.filter(title="夜間の相談窓口がない", case=None).exists()

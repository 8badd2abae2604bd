"""Restricted material per basis (issue 9 item 4): a note restricted to the 要対協 is seen by its
current pledged members only — not the 推進員, the 係長, the admin, the meeting papers, the API
lists of others, and nobody learns it exists."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.choices import Role
from agencies.policy import can
from agencies.tests.factories import staff
from cases.models import ActivityNote
from cases.selectors.support import notes_for
from cases.services import support as s
from cases.tests.factories import open_case
from meetings.choices import BodyKind, DesignatedFrom
from meetings.tests.conftest import make_body, seat, verified

pytestmark = pytest.mark.django_db

SECRET = "児童相談所と共有した虐待通告の経過"


@pytest.fixture
def scene(supervisor, coordinator, city):
    yotaikyo = make_body(
        supervisor,
        city,
        BodyKind.SHIEN_KAIGI,
        "要保護児童対策地域協議会",
        designated_from=DesignatedFrom.YOHOGO,
    )
    member = staff(city, Role.CASEWORKER)
    seat(yotaikyo, member, supervisor)
    case = open_case(coordinator=coordinator, agency=city)
    note = s.note_create(
        case=case,
        actor=member,
        kind="phone",
        content=SECRET,
        visibility=ActivityNote.Visibility.BODY,
        restricted_body=yotaikyo,
    )
    return case, note, member, yotaikyo


def test_members_only(scene, coordinator, supervisor, city):
    case, note, member, _body = scene
    admin = staff(city, Role.ADMIN)
    assert can(member, "note.view", note)
    for user in (coordinator, supervisor, admin):
        assert not can(user, "note.view", note)
        if can(user, "case.view", case):
            assert note not in list(notes_for(user, case))


def test_not_a_member_cannot_restrict(scene, coordinator):
    case, _note, _member, body = scene
    with pytest.raises(ValidationError):
        s.note_create(
            case=case,
            actor=coordinator,
            kind="phone",
            content="x",
            visibility=ActivityNote.Visibility.BODY,
            restricted_body=body,
        )


def test_a_shien_kaigi_does_not_restrict(supervisor, city, coordinator):
    shien = make_body(supervisor, city, BodyKind.SHIEN_KAIGI, "支援会議(北部)")
    seat(shien, coordinator, supervisor)
    case = open_case(coordinator=coordinator, agency=city)
    with pytest.raises(ValidationError):
        s.note_create(
            case=case,
            actor=coordinator,
            kind="phone",
            content="x",
            visibility=ActivityNote.Visibility.BODY,
            restricted_body=shien,
        )


def test_pages_pdf_and_api_hide_it_from_the_coordinator(client, scene, coordinator):
    case, note, member, _body = scene
    verified(client, coordinator)
    notes_page = client.get(reverse("cases:case_notes", args=[case.public_id])).content.decode()
    assert SECRET not in notes_page
    assert (
        client.get(reverse("cases:note_detail", args=[case.public_id, note.public_id])).status_code
        == 404
    )
    assert (
        SECRET.encode()
        not in client.get(reverse("cases:case_detail", args=[case.public_id])).content
    )
    listed = client.get("/api/v1/activity-notes/", {"case": str(case.public_id)}).json()
    assert str(note.public_id) not in str(listed)
    assert client.get(f"/api/v1/activity-notes/{note.public_id}/").status_code == 404
    verified(client, member)
    page = client.get(reverse("cases:note_detail", args=[case.public_id, note.public_id]))
    assert page.status_code == 200 and SECRET in page.content.decode()


def test_member_who_leaves_the_body_loses_it(scene, supervisor):
    from meetings import services as ms

    _case, note, member, body = scene
    ms.member_remove(member=body.members.get(user=member), actor=supervisor)
    fresh = type(member).objects.get(pk=member.pk)
    assert not can(fresh, "note.view", note)

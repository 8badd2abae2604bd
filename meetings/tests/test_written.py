"""書面開催: a meeting held in writing is a meeting with its type, members, date and the members'
answers. It closes (開催済み) only when every current member answered every item, and its
decisions are recorded only then; page and API answer the same."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.policy import PolicyDenied
from meetings import services
from meetings.choices import AgendaKind, DecisionKind, MeetingFormat, MeetingStatus
from meetings.models import WrittenAnswer
from meetings.written import missing_answers, written_answer_record

from .conftest import seat, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(juso, supervisor, coordinator, partner_worker):
    seat(juso, coordinator, supervisor)
    seat(juso, partner_worker, supervisor)
    starts = timezone.localtime().replace(hour=17, minute=0, second=0, microsecond=0)
    meeting = services.meeting_schedule(
        body=juso,
        actor=supervisor,
        starts_at=starts - dt.timedelta(days=1),
        format=MeetingFormat.WRITTEN,
    )
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="北地区の見守り体制"
    )
    meeting.refresh_from_db()
    services.agenda_fix(meeting=meeting, actor=supervisor, expected_version=meeting.version)
    meeting.refresh_from_db()
    return meeting, item


def test_written_meeting_closes_and_decides_only_after_every_answer(
    written, supervisor, coordinator, partner_worker, stranger
):
    meeting, item = written
    assert meeting.format == MeetingFormat.WRITTEN
    with pytest.raises(ValidationError) as exc:
        services.meeting_mark_held(meeting=meeting, actor=supervisor)
    assert "回答がそろっていません(未回答 2件)" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.item_record_decision(item=item, actor=supervisor, kind=DecisionKind.SHARED)
    with pytest.raises(PolicyDenied):
        written_answer_record(item=item, actor=stranger, answer="agree")
    written_answer_record(item=item, actor=coordinator, answer="agree")
    with pytest.raises(ValidationError) as exc:
        written_answer_record(item=item, actor=partner_worker, answer="disagree")
    assert "comment" in exc.value.message_dict
    written_answer_record(
        item=item, actor=partner_worker, answer="comment", comment="訪問は月2回が妥当"
    )
    assert missing_answers(meeting) == []
    services.meeting_mark_held(meeting=meeting, actor=supervisor)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert not meeting.attendance.exists()  # answers, not attendance, make a written meeting
    decision = services.item_record_decision(
        item=item, actor=supervisor, kind=DecisionKind.SHARED, text="見守りを継続"
    )
    assert decision.pk
    with pytest.raises(ValidationError):
        written_answer_record(item=item, actor=coordinator, answer="disagree", comment="x")
    assert WrittenAnswer.objects.filter(item=item).count() == 2


def test_a_later_answer_replaces_the_earlier_and_the_secretariat_records_paper_answers(
    written, supervisor, coordinator, partner_worker
):
    meeting, item = written
    written_answer_record(item=item, actor=coordinator, answer="agree")
    written_answer_record(item=item, actor=coordinator, answer="comment", comment="追記")
    assert WrittenAnswer.objects.get(item=item, member__user=coordinator).answer == "comment"
    member = meeting.body.members.get(user=partner_worker)
    written_answer_record(item=item, actor=supervisor, answer="agree", member=member)
    assert WrittenAnswer.objects.get(member=member).recorded_by == supervisor
    own = meeting.body.members.get(user=coordinator)
    with pytest.raises(PolicyDenied):
        written_answer_record(item=item, actor=partner_worker, answer="agree", member=own)


def test_an_in_person_meeting_takes_no_written_answers(juso, supervisor, coordinator):
    seat(juso, coordinator, supervisor)
    meeting = services.meeting_schedule(
        body=juso, actor=supervisor, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, kind=AgendaKind.INFO_SHARING, title="共有"
    )
    with pytest.raises(ValidationError):
        written_answer_record(item=item, actor=coordinator, answer="agree")


def test_page_and_api(written, client, supervisor, coordinator, partner_worker):
    meeting, item = written
    verified(client, coordinator)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.public_id]))
    body = page.content.decode()
    assert "書面開催" in body and reverse("meetings:item_answer", args=[item.public_id]) in body
    answer = client.post(
        reverse("meetings:item_answer", args=[item.public_id]), {f"a{item.pk}-answer": "agree"}
    )
    assert answer.status_code == 302
    assert WrittenAnswer.objects.filter(member__user=coordinator).exists()
    api = APIClient()
    api.force_authenticate(partner_worker)
    url = f"/api/v1/agenda-items/{item.public_id}/"
    bad = api.post(url + "answer/", {"answer": "maybe"}, format="json")
    assert bad.status_code == 400
    made = api.post(url + "answer/", {"answer": "agree"}, format="json")
    assert made.status_code == 201, made.content
    listed = api.get(url + "answers/")
    assert {a["answer"] for a in listed.json()} == {"agree"}
    assert len(listed.json()) == 2
    api.force_authenticate(supervisor)
    held = api.post(f"/api/v1/meetings/{meeting.public_id}/held/", {}, format="json")
    assert held.status_code in (200, 201), held.content

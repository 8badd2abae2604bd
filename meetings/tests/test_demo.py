"""The demo seeds two bodies of each kind with a year of meetings, even without demo cases."""

import random

import pytest

from agencies import demo as agencies_demo
from agencies.policy import check
from meetings import demo
from meetings.choices import BodyKind, MeetingStatus
from meetings.models import AgendaItem, Meeting, MeetingBody

pytestmark = pytest.mark.django_db


def test_demo_seeds_bodies_meetings_and_pledge_gating():
    ctx = {"rng": random.Random(20261122)}
    agencies_demo.seed(ctx)
    demo.seed(ctx)
    assert MeetingBody.objects.filter(kind=BodyKind.SHIEN_KAIGI).count() == 2
    assert MeetingBody.objects.filter(kind=BodyKind.JUSO_KAIGI).count() == 2
    for body in MeetingBody.objects.all():
        past = body.meetings.filter(status=MeetingStatus.MINUTES_APPROVED)
        assert 11 <= past.count() <= 13
        assert body.meetings.filter(status=MeetingStatus.PLANNED).exists()  # next month
    assert not AgendaItem.objects.filter(
        decision__isnull=True, meeting__status=MeetingStatus.MINUTES_APPROVED
    ).exists()
    shien = MeetingBody.objects.get(name="支援会議(支援調整会議)")
    item = AgendaItem.objects.filter(meeting__body=shien).first()
    users = ctx["users"]
    assert check(users["jiritsu1"], "agendaitem.view", item)
    assert not check(users["kyoiku1"], "agendaitem.view", item)  # member without this year's pledge
    assert Meeting.objects.count() >= 48


def test_demo_has_a_written_meeting_with_every_members_answer():
    from meetings.choices import MeetingFormat
    from meetings.written import missing_answers

    ctx = {"rng": random.Random(20261122)}
    agencies_demo.seed(ctx)
    demo.seed(ctx)
    written = Meeting.objects.get(format=MeetingFormat.WRITTEN)
    assert written.status == "held"
    assert missing_answers(written) == []
    assert written.items.get().decision.kind == "shared"

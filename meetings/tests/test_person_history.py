"""Meetings' entries in the person page's history: the agenda items about the person, for those
who may open the item (case team, convenor); nothing for a stranger."""

import pytest

from cases.history import person_history
from meetings import services

from .conftest import schedule, seat, submitted_plan

pytestmark = pytest.mark.django_db


def test_agenda_item_about_the_person_is_in_the_history(
    supervisor, coordinator, city, juso, stranger
):
    seat(juso, coordinator, supervisor)
    case, plan = submitted_plan(coordinator, city)
    meeting = schedule(juso, supervisor)
    item = services.agenda_item_add(
        meeting=meeting, actor=supervisor, source=f"plan:{plan.public_id}"
    )
    entries = person_history(coordinator, case.principal)
    meetings = [e for e in entries if e.kind == "会議"]
    assert [e.url for e in meetings] == [f"/meetings/items/{item.public_id}/"]
    assert juso.name in meetings[0].title
    assert not [e for e in person_history(stranger, case.principal) if e.kind == "会議"]

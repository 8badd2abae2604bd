"""Closing a target takes its planned visits off the staff's schedule (cancelled, audited, in the
same transaction); visits already recorded stay as they are."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outreach import services
from outreach.models import ClosureReason, PlannedVisit, Stage

from .factories import log_contact


def _plan(csw, target, days, staff=None):
    return services.visit_plan(
        actor=csw,
        target=target,
        planned_on=timezone.localdate() + dt.timedelta(days=days),
        staff=staff or [csw],
    )


def _close(csw, target):
    return services.target_move(
        actor=csw,
        target=target,
        to_stage=Stage.CLOSED,
        reason="包括の見守りにつながった",
        closure_reason=ClosureReason.CONNECTED,
    )


def test_closing_cancels_the_planned_visits_with_an_audit_row(csw, csw2, target):
    tomorrow, next_week = _plan(csw, target, 1, [csw, csw2]), _plan(csw, target, 7)
    today = _plan(csw, target, 0)
    _close(csw, target)
    for visit in (tomorrow, next_week, today):
        visit.refresh_from_db()
        assert visit.cancelled
    audited = AuditEvent.objects.filter(action="outreach_visit.update", actor=csw)
    assert audited.count() == 3


def test_a_recorded_visit_is_left_alone(csw, target):
    visit = _plan(csw, target, 0)
    log_contact(csw, target, planned_visit=visit)
    _close(csw, target)
    visit.refresh_from_db()
    assert not visit.cancelled


def test_a_refused_closure_cancels_nothing(csw, target):
    visit = _plan(csw, target, 1)
    with pytest.raises(ValidationError):
        services.target_move(actor=csw, target=target, to_stage=Stage.CLOSED, reason="x")
    visit.refresh_from_db()
    assert not visit.cancelled


def test_moving_to_an_open_stage_keeps_the_visits(csw, target):
    visit = _plan(csw, target, 1)
    services.target_move(actor=csw, target=target, to_stage=Stage.RELATING, reason="手紙")
    visit.refresh_from_db()
    assert not visit.cancelled


def test_schedule_and_dashboard_no_longer_show_a_closed_targets_visits(client, csw, csw2, target):
    _plan(csw, target, 1, [csw, csw2])
    client.force_login(csw2)
    assert target.number in client.get(reverse("outreach:visit_plan")).content.decode()
    client.force_login(csw)
    response = client.post(
        reverse("outreach:target_stage", args=[target.public_id]),
        {
            "to_stage": "closed",
            "on": timezone.localdate().isoformat(),
            "reason": "包括の見守りにつながった",
            "closure_reason": "connected",
            "version": target.version,
        },
    )
    assert response.status_code == 302
    client.force_login(csw2)
    assert target.number not in client.get(reverse("outreach:visit_plan")).content.decode()
    assert target.number not in client.get(reverse("dashboard")).content.decode()


def test_api_lists_the_cancelled_visit_flagged(csw, target):
    """A synchronising client (the tablet page) learns of the cancellation."""
    from rest_framework.test import APIClient

    visit = _plan(csw, target, 1)
    _close(csw, target)
    api = APIClient()
    api.force_authenticate(csw)
    rows = api.get("/api/v1/outreach/visits/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [(r["public_id"], r["cancelled"]) for r in rows] == [(str(visit.public_id), True)]
    assert PlannedVisit.objects.get(pk=visit.pk).cancelled

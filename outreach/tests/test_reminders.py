"""The stagnant-target and retry-due reminders in the notifications sweep."""

import datetime as dt

import time_machine
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import staff
from notifications.models import Notification
from notifications.services import sweep
from outreach import services
from outreach.models import ClosureReason, Stage

from .factories import log_contact, make_target


def test_stagnant_target_reminds_the_lead_then_the_supervisor(csw, shakyo):
    supervisor = staff(shakyo, Role.SUPERVISOR)
    target = make_target(csw, shakyo, known_on=timezone.localdate() - dt.timedelta(days=1))
    log_contact(csw, target, when=timezone.now() - dt.timedelta(days=1))
    fresh = make_target(csw, shakyo)
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        log_contact(csw, fresh)
    today = timezone.localdate()
    sweep(today + dt.timedelta(days=31), codes=["outreach_stagnant"], queue_mail=False)
    notes = Notification.objects.filter(rule="outreach_stagnant")
    assert [n.recipient for n in notes] == [csw]
    assert target.number in notes[0].title and str(target.public_id) in notes[0].url
    sweep(today + dt.timedelta(days=46), codes=["outreach_stagnant"], queue_mail=False)
    assert set(notes.values_list("recipient", flat=True)) == {csw.pk, supervisor.pk}


def test_a_new_contact_resolves_the_reminder(csw, shakyo):
    target = make_target(csw, shakyo)
    today = timezone.localdate()
    sweep(today + dt.timedelta(days=31), codes=["outreach_stagnant"], queue_mail=False)
    assert Notification.objects.filter(rule="outreach_stagnant").count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(days=32)):
        log_contact(csw, target)
    result = sweep(today + dt.timedelta(days=33), codes=["outreach_stagnant"], queue_mail=False)
    assert result.failed == []
    assert Notification.objects.filter(rule="outreach_stagnant").count() == 1


def test_refused_for_now_reminds_before_the_next_try(csw, shakyo):
    target = make_target(csw, shakyo)
    today = timezone.localdate()
    services.target_move(
        actor=csw,
        target=target,
        to_stage=Stage.CLOSED,
        reason="今は関わりを望まない",
        closure_reason=ClosureReason.REFUSED,
        next_try_on=today + dt.timedelta(days=30),
    )
    sweep(today + dt.timedelta(days=20), codes=["outreach_retry_due"], queue_mail=False)
    assert not Notification.objects.filter(rule="outreach_retry_due").exists()
    sweep(today + dt.timedelta(days=24), codes=["outreach_retry_due"], queue_mail=False)
    assert Notification.objects.get(rule="outreach_retry_due").recipient == csw

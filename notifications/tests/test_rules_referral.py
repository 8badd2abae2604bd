import datetime as dt

import pytest

from notifications.models import Level, Notification, Reminder

from . import builders
from .conftest import notes_for

pytestmark = pytest.mark.django_db

D = dt.date


def test_unopened_referral_fires_once_after_three_business_days_over_a_national_holiday(
    world, sweep_on
):
    # Sent Fri 2026-11-20; Mon 11-23 is 勤労感謝の日 → 3rd business day is Thu 11-26.
    r = builders.referral(world, sent_on=D(2026, 11, 20))
    for day in (D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 25), D(2026, 11, 26)):
        sweep_on(day)
        assert not Notification.objects.filter(rule="referral_unopened").exists(), day
    sweep_on(D(2026, 11, 27))
    [n] = notes_for(world.coordinator, "referral_unopened")
    assert r.number in n.title and "3営業日" in n.title
    assert n.due_date == D(2026, 11, 26)
    assert n.level == Level.NORMAL
    # The next hourly and daily runs create nothing new.
    sweep_on(D(2026, 11, 27))
    sweep_on(D(2026, 11, 28))
    assert Notification.objects.filter(rule="referral_unopened").count() == 1


def test_deadline_spanning_the_year_end_closure(world, sweep_on):
    # Sent Mon 2026-12-28; 12/29–1/3 closed → business days 1/4, 1/5, 1/6; reminded on 1/7.
    builders.referral(world, sent_on=D(2026, 12, 28))
    for day in (D(2026, 12, 31), D(2027, 1, 4), D(2027, 1, 6)):
        sweep_on(day)
        assert not notes_for(world.coordinator), day
    sweep_on(D(2027, 1, 7))
    [n] = notes_for(world.coordinator)
    assert n.due_date == D(2027, 1, 6)


def test_escalates_to_the_supervisor_after_two_more_business_days(world, sweep_on):
    builders.referral(world, sent_on=D(2026, 11, 20))
    sweep_on(D(2026, 11, 27))
    assert notes_for(world.supervisor) == []
    sweep_on(D(2026, 11, 30))  # due 11-26 + 2 business days = Mon 11-30: not yet
    assert notes_for(world.supervisor) == []
    sweep_on(D(2026, 12, 1))
    [n] = notes_for(world.supervisor)
    assert n.level == Level.URGENT
    assert len(notes_for(world.coordinator)) == 1  # not notified again
    sweep_on(D(2026, 12, 2))
    assert len(notes_for(world.supervisor)) == 1


def test_goes_to_the_assignee_while_in_post_else_the_coordinators(world, sweep_on):
    assignee = builders.member(world.hub)
    builders.referral(world, sent_on=D(2026, 11, 20), assignee=assignee)
    sweep_on(D(2026, 11, 27))
    assert len(notes_for(assignee)) == 1
    assert notes_for(world.coordinator) == []


def test_assignee_who_left_is_replaced_by_the_coordinators(world, sweep_on):
    gone = builders.member(world.hub)
    gone.memberships.update(end_date=D(2026, 3, 31))
    builders.referral(world, sent_on=D(2026, 11, 20), assignee=gone)
    sweep_on(D(2026, 11, 27))
    assert notes_for(gone) == []
    assert len(notes_for(world.coordinator)) == 1


def test_stops_and_resolves_once_the_referral_is_opened(world, sweep_on):
    r = builders.referral(world, sent_on=D(2026, 11, 20))
    sweep_on(D(2026, 11, 27))
    [n] = notes_for(world.coordinator)
    r.status = "opened"
    r.save(update_fields=["status"])
    sweep_on(D(2026, 11, 27))
    n.refresh_from_db()
    assert n.resolved_at is not None and not n.is_unread
    assert Reminder.objects.filter(rule="referral_unopened", resolved_at__isnull=True).count() == 0
    sweep_on(D(2026, 12, 3))  # past the escalation date: nothing for the supervisor
    assert notes_for(world.supervisor, "referral_unopened") == []


def test_unanswered_after_opening_fires_and_resolves_on_answer(world, sweep_on):
    r = builders.referral(world, sent_on=D(2026, 11, 20), status="opened")
    sweep_on(D(2026, 11, 26))
    assert notes_for(world.coordinator) == []
    sweep_on(D(2026, 11, 27))
    [n] = notes_for(world.coordinator, "referral_unanswered")
    assert "回答していません" in n.title
    r.status = "withdrawn"
    r.save(update_fields=["status"])
    sweep_on(D(2026, 12, 2))
    n.refresh_from_db()
    assert n.resolved_at is not None
    assert notes_for(world.supervisor) == []


def test_urgent_referral_is_urgent_from_the_first_reminder(world, sweep_on):
    builders.referral(world, sent_on=D(2026, 11, 20), urgency="urgent")
    sweep_on(D(2026, 11, 27))
    [n] = notes_for(world.coordinator)
    assert n.level == Level.URGENT


def test_threshold_from_rule_setting(world, sweep_on, admin_user):
    from notifications.services import rule_setting_update

    rule_setting_update(
        actor=admin_user,
        code="referral_unopened",
        enabled=True,
        threshold_days=5,
        escalation_days=2,
    )
    builders.referral(world, sent_on=D(2026, 11, 20))
    sweep_on(D(2026, 11, 27))
    assert notes_for(world.coordinator) == []
    sweep_on(D(2026, 12, 1))  # 5 business days after 11-20 (holiday 11-23) = Mon 11-30
    [n] = notes_for(world.coordinator)
    assert "5営業日" in n.title


def test_disabled_rule_does_not_fire(world, sweep_on, admin_user):
    from notifications.services import rule_setting_update

    rule_setting_update(
        actor=admin_user,
        code="referral_unopened",
        enabled=False,
        threshold_days=3,
        escalation_days=2,
    )
    builders.referral(world, sent_on=D(2026, 11, 20))
    sweep_on(D(2026, 11, 27))
    assert notes_for(world.coordinator) == []

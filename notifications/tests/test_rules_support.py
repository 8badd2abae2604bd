import datetime as dt

import pytest

from notifications.models import Level, Notification

from . import builders
from .conftest import notes_for

pytestmark = pytest.mark.django_db

D = dt.date


def _rule(rule):
    return Notification.objects.filter(rule=rule)


# --- assessment -------------------------------------------------------------------------------


def test_assessment_overdue_fires_the_day_after_fourteen_days_then_escalates(world, sweep_on):
    c = builders.case(world, status="received", opened_on=D(2026, 6, 1))
    sweep_on(D(2026, 6, 15))
    assert not _rule("assessment_overdue").exists()
    sweep_on(D(2026, 6, 16))
    [n] = notes_for(world.coordinator, "assessment_overdue")
    assert c.number in n.title and n.due_date == D(2026, 6, 15)
    sweep_on(D(2026, 6, 22))
    assert notes_for(world.supervisor) == []
    sweep_on(D(2026, 6, 23))
    [s] = notes_for(world.supervisor, "assessment_overdue")
    assert s.level == Level.URGENT
    sweep_on(D(2026, 6, 30))
    assert _rule("assessment_overdue").count() == 2


def test_assessment_overdue_stops_once_an_assessment_exists(world, sweep_on):
    c = builders.case(world, status="received", opened_on=D(2026, 6, 1))
    sweep_on(D(2026, 6, 16))
    builders.assessment(c, assessed_on=D(2026, 6, 16))
    sweep_on(D(2026, 6, 17))
    [n] = notes_for(world.coordinator)
    assert n.resolved_at is not None
    sweep_on(D(2026, 6, 30))
    assert notes_for(world.supervisor) == []


def test_case_without_coordinator_goes_to_the_coordinating_agency(world, sweep_on):
    other = builders.member(world.hub, "coordinator")
    builders.case(world, status="received", opened_on=D(2026, 6, 1), coordinator=None)
    sweep_on(D(2026, 6, 16))
    assert len(notes_for(other)) == 1 and len(notes_for(world.coordinator)) == 1


# --- plan -------------------------------------------------------------------------------------


def test_plan_not_submitted_thirty_days_after_assessment(world, sweep_on):
    c = builders.case(world, status="planning", opened_on=D(2026, 5, 1))
    a = builders.assessment(c, assessed_on=D(2026, 6, 1))
    builders.plan(c, status="draft", drafted_on=D(2026, 6, 10), assessment=a)
    sweep_on(D(2026, 7, 1))
    assert not _rule("plan_overdue").exists()
    sweep_on(D(2026, 7, 2))
    [n] = notes_for(world.coordinator, "plan_overdue")
    assert "プラン" in n.title and c.number in n.title
    p = c.plans.get()
    p.status = "submitted"
    p.save(update_fields=["status"])
    sweep_on(D(2026, 7, 3))
    n.refresh_from_db()
    assert n.resolved_at is not None
    sweep_on(D(2026, 7, 20))
    assert notes_for(world.supervisor, "plan_overdue") == []


# --- monitoring: the escalation ladder ---------------------------------------------------------


def test_monitoring_ladder_staff_then_lead_coordinator_then_supervisor(world, sweep_on):
    c = builders.case(world, status="supporting", lead=world.partner)
    p = builders.plan(c, next_monitoring_on=D(2026, 7, 10))
    builders.plan_item(p, agency=world.partner, staff=world.worker)
    sweep_on(D(2026, 7, 2))
    assert not _rule("monitoring_due").exists()
    sweep_on(D(2026, 7, 3))  # 7 days before
    [n0] = notes_for(world.worker, "monitoring_due")
    assert "近づいています" in n0.title and n0.level == Level.NORMAL
    sweep_on(D(2026, 7, 10))
    assert len(notes_for(world.worker)) == 1
    sweep_on(D(2026, 7, 11))  # overdue: the responsible staff again
    n1 = notes_for(world.worker, "monitoring_due")[-1]
    assert "過ぎています" in n1.title and len(notes_for(world.worker)) == 2
    sweep_on(D(2026, 7, 17))
    assert notes_for(world.partner_coordinator) == []
    sweep_on(D(2026, 7, 18))  # + 7 days: the lead agency's coordinator
    [n2] = notes_for(world.partner_coordinator, "monitoring_due")
    assert n2.level == Level.URGENT
    sweep_on(D(2026, 7, 25))  # + 7 more: the lead agency's supervisor
    [n3] = notes_for(world.partner_supervisor, "monitoring_due")
    assert n3.level == Level.URGENT
    sweep_on(D(2026, 8, 20))
    assert _rule("monitoring_due").count() == 4


def test_monitoring_recorded_with_a_next_date_resolves_and_reschedules(world, sweep_on):
    c = builders.case(world, status="supporting")
    p = builders.plan(c, next_monitoring_on=D(2026, 7, 10))
    item = builders.plan_item(p, agency=world.partner, staff=world.worker)
    sweep_on(D(2026, 7, 11))
    [n] = notes_for(world.worker)
    builders.monitoring(
        item, monitored_on=D(2026, 7, 11), next_on=D(2026, 8, 31), author=world.worker
    )
    sweep_on(D(2026, 7, 12))
    n.refresh_from_db()
    assert n.resolved_at is not None
    sweep_on(D(2026, 8, 23))
    assert len(notes_for(world.worker)) == 1
    sweep_on(D(2026, 8, 24))
    new = notes_for(world.worker)[-1]
    assert new.due_date == D(2026, 8, 31)


def test_monitoring_finished_item_without_next_date_is_not_reminded(world, sweep_on):
    c = builders.case(world, status="supporting")
    p = builders.plan(c, next_monitoring_on=D(2026, 7, 10))
    item = builders.plan_item(p, agency=world.partner, staff=world.worker)
    builders.monitoring(item, monitored_on=D(2026, 7, 1), next_on=None, author=world.worker)
    sweep_on(D(2026, 7, 20))
    assert not _rule("monitoring_due").exists()


def test_monitoring_stops_when_the_case_closes(world, sweep_on):
    c = builders.case(world, status="supporting")
    p = builders.plan(c, next_monitoring_on=D(2026, 7, 10))
    builders.plan_item(p, agency=world.partner, staff=world.worker)
    sweep_on(D(2026, 7, 11))
    c.status, c.closed_on = "closed", D(2026, 7, 11)
    c.save(update_fields=["status", "closed_on"])
    sweep_on(D(2026, 7, 30))
    assert notes_for(world.partner_coordinator, "monitoring_due") == []
    assert notes_for(world.supervisor, "monitoring_due") == []
    assert all(n.resolved_at for n in notes_for(world.worker, "monitoring_due"))


# --- evaluation -------------------------------------------------------------------------------


def test_evaluation_due_at_the_end_of_the_plan_period(world, sweep_on):
    c = builders.case(world, status="supporting")
    p = builders.plan(c, period_end=D(2026, 9, 30))
    sweep_on(D(2026, 9, 15))
    assert not _rule("evaluation_due").exists()
    sweep_on(D(2026, 9, 16))
    [n] = notes_for(world.coordinator, "evaluation_due")
    assert "評価シート" in n.title
    sweep_on(D(2026, 10, 1))
    assert len(notes_for(world.coordinator, "evaluation_due")) == 2
    sweep_on(D(2026, 10, 15))
    [s] = notes_for(world.supervisor, "evaluation_due")
    assert s.level == Level.URGENT
    from cases.models import Evaluation

    Evaluation.objects.create(
        case=c, plan=p, status="ready", author=world.coordinator, agency=world.hub
    )
    sweep_on(D(2026, 10, 16))
    assert all(x.resolved_at for x in _rule("evaluation_due"))


# --- inactivity -------------------------------------------------------------------------------


def test_open_case_without_activity_for_sixty_days(world, sweep_on):
    c = builders.case(world, status="supporting", opened_on=D(2026, 1, 10))
    builders.note(c, on=D(2026, 3, 1))
    sweep_on(D(2026, 4, 30))
    assert not _rule("case_inactive").exists()
    sweep_on(D(2026, 5, 1))
    [n] = notes_for(world.coordinator, "case_inactive")
    assert "令和8年3月1日" in n.title
    builders.note(c, on=D(2026, 5, 2))
    sweep_on(D(2026, 5, 2))
    n.refresh_from_db()
    assert n.resolved_at is not None
    sweep_on(D(2026, 7, 1))
    assert len(notes_for(world.coordinator, "case_inactive")) == 1
    sweep_on(D(2026, 7, 2))
    assert len(notes_for(world.coordinator, "case_inactive")) == 2


# --- after closure ----------------------------------------------------------------------------


def test_post_closure_check_on_its_date_until_a_note_is_recorded(world, sweep_on):
    c = builders.case(
        world,
        status="closed",
        opened_on=D(2025, 10, 1),
        closed_on=D(2026, 3, 31),
        closure_reason="stable",
    )
    builders.case(
        world,
        status="closed",
        opened_on=D(2025, 10, 1),
        closed_on=D(2026, 3, 31),
        closure_reason="died",
    )
    sweep_on(D(2026, 6, 28))
    assert not _rule("post_closure_check").exists()
    sweep_on(D(2026, 6, 29))
    [n] = notes_for(world.coordinator, "post_closure_check")
    assert c.number in n.title
    builders.note(c, on=D(2026, 6, 30))
    sweep_on(D(2026, 7, 1))
    n.refresh_from_db()
    assert n.resolved_at is not None
    sweep_on(D(2026, 8, 1))
    assert notes_for(world.supervisor) == []


def test_post_closure_check_fires_once_on_the_set_date_to_the_lead_agency(world, sweep_on):
    """Issue 10 item 6: the check date set at 終結 (見守り継続) reminds the 主担当 once."""
    c = builders.case(
        world,
        status="closed",
        opened_on=D(2025, 10, 1),
        closed_on=D(2026, 3, 31),
        closure_reason="stable",
    )
    type(c).objects.filter(pk=c.pk).update(
        followup_on=D(2026, 5, 15), followup_note="就労の継続を確認"
    )
    sweep_on(D(2026, 5, 14))
    assert not _rule("post_closure_check").exists()
    for day in (D(2026, 5, 15), D(2026, 5, 16), D(2026, 6, 30), D(2026, 9, 1)):
        sweep_on(day)
    [n] = notes_for(world.coordinator, "post_closure_check")
    assert c.number in n.title and n.body == "就労の継続を確認"
    assert _rule("post_closure_check").count() == 1
    assert notes_for(world.supervisor) == []

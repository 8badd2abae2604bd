import datetime as dt

import pytest
from django.db import OperationalError

from notifications import tasks
from notifications.events import on_referral_status_changed, referral_status_notify
from notifications.models import Level, Notification

from . import builders
from .conftest import notes_for

D = dt.date


def _event(referral, *, kind, from_status, to_status, actor, agency):
    from cases.models import ReferralEvent

    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        agency=agency,
    )


@pytest.mark.django_db
def test_sender_is_notified_of_every_status_change_once(world):
    r = builders.referral(world, sent_on=D(2026, 11, 20))
    for kind, frm, to in (
        ("opened", "sent", "opened"),
        ("info_requested", "opened", "info_requested"),
    ):
        r.status = to
        r.save(update_fields=["status"])
        e = _event(
            r, kind=kind, from_status=frm, to_status=to, actor=world.coordinator, agency=world.hub
        )
        referral_status_notify(referral_id=r.pk, event_id=e.pk)
        referral_status_notify(referral_id=r.pk, event_id=e.pk)  # delivered twice
    titles = [n.title for n in notes_for(world.sender)]
    assert len(titles) == 2
    assert "確認しました" in titles[0] and "追加情報の依頼" in titles[1]
    assert all(r.number in t for t in titles)
    assert notes_for(world.coordinator) == []  # the actor is not told about their own action


@pytest.mark.django_db
def test_returned_referral_is_urgent_and_mailed(world, outbox):
    r = builders.referral(world, sent_on=D(2026, 11, 20))
    r.status, r.return_reason, r.return_next_step = "returned", "対象外", "包括へ"
    r.save()
    e = _event(
        r,
        kind="returned",
        from_status="opened",
        to_status="returned",
        actor=world.coordinator,
        agency=world.hub,
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        referral_status_notify(referral_id=r.pk, event_id=e.pk)
    [n] = notes_for(world.sender)
    assert n.level == Level.URGENT and "差し戻されました" in n.title
    assert [m.to for m in outbox] == [[world.sender.email]]


@pytest.mark.django_db
def test_new_referral_notifies_the_receiving_side(world):
    r = builders.referral(world, sent_on=D(2026, 11, 20))
    e = _event(
        r,
        kind="sent",
        from_status="draft",
        to_status="sent",
        actor=world.sender,
        agency=world.sender_agency,
    )
    referral_status_notify(referral_id=r.pk, event_id=e.pk)
    [n] = notes_for(world.coordinator)
    assert "届きました" in n.title
    assert notes_for(world.sender) == []


@pytest.mark.django_db
def test_signal_receiver_is_connected_and_never_raises(world, caplog):
    from cases.models import Referral
    from cases.signals import referral_status_changed

    receivers = [
        r for r in referral_status_changed.receivers if "notifications.referral_status" in str(r[0])
    ]
    assert receivers
    on_referral_status_changed(Referral, referral_id=999999, status="sent", event_id=None)
    assert "referral status notification failed" in caplog.text


@pytest.mark.django_db
def test_the_service_flow_sends_the_signal(world):
    """The real intake service: opening a referral notifies its sender after commit."""
    from django.test import TestCase

    from cases.services import intake

    r = builders.referral(world, sent_on=D(2026, 11, 20))
    with TestCase.captureOnCommitCallbacks(execute=True):
        intake.referral_open(actor=world.coordinator, referral=r)
    [n] = notes_for(world.sender)
    assert "確認しました" in n.title


# --- tasks and schedule -----------------------------------------------------------------------


@pytest.mark.django_db
def test_sweep_task_runs_the_sweep(world):
    builders.referral(world, sent_on=D(2026, 11, 20))
    result = tasks.run_sweep.delay(today="2026-11-27").get()
    assert result["notifications"] == 1 and result["failed"] == []
    assert Notification.objects.count() == 1


def test_tasks_retry_only_transient_errors():
    for task in (tasks.run_sweep, tasks.send_digests, tasks.deliver_notification_email):
        assert OperationalError in task.autoretry_for and ConnectionError in task.autoretry_for
        assert Exception not in task.autoretry_for and ValueError not in task.autoretry_for


def test_beat_schedule_is_defined_in_code():
    from celery.schedules import crontab

    from config.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["notifications-sweep"]["task"] == "notifications.sweep"
    assert schedule["notifications-sweep"]["schedule"] == crontab(minute=5)
    assert schedule["notifications-digests"]["schedule"] == crontab(minute=30)
    assert app.conf.timezone == "Asia/Tokyo"
    assert set(app.tasks) >= {
        "notifications.sweep",
        "notifications.send_digests",
        "notifications.deliver_email",
    }


@pytest.mark.django_db
def test_concern_slip_reaches_the_agency_and_its_status_reaches_the_resident(world):
    from django.test import TestCase

    from agencies.choices import AgencyKind, Role
    from cases.services import intake

    shakyo = builders.agency(name="社会福祉協議会(テスト)", kind=AgencyKind.SHAKYO)
    csw = builders.member(shakyo, Role.CSW)
    resident = builders.member(shakyo, Role.RESIDENT)
    with TestCase.captureOnCommitCallbacks(execute=True):
        slip = intake.concern_slip_submit(
            actor=resident,
            to_agency=shakyo,
            subject_description="角の家の高齢の方 山田さん",
            noticed="新聞がたまっている",
        )
    [arrived] = notes_for(csw, "concern_slip_status")
    assert "気づきシート" in arrived.title and "山田" not in arrived.title + arrived.body
    with TestCase.captureOnCommitCallbacks(execute=True):
        intake.concern_slip_set_status(actor=csw, slip=slip, status="received")
    [status] = notes_for(resident, "concern_slip_status")
    assert "受付済み" in status.title and "山田" not in status.title
    assert len(notes_for(csw, "concern_slip_status")) == 1

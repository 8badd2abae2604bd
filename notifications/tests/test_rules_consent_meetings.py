import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Level, Notification

from . import builders
from .conftest import notes_for

pytestmark = pytest.mark.django_db

D = dt.date


def _rule(rule):
    return Notification.objects.filter(rule=rule)


# --- consent ----------------------------------------------------------------------------------


def _case_with_consent(world, valid_until):
    c = builders.case(world, status="supporting")
    p = builders.person(world.hub, world.coordinator)
    c.principal = p
    c.save(update_fields=["principal"])
    return c, p, builders.consent(world, person_=p, household_=c.household, valid_until=valid_until)


def test_consent_expiring_within_thirty_days_then_expired(world, sweep_on):
    c, _p, _consent = _case_with_consent(world, D(2026, 8, 31))
    sweep_on(D(2026, 7, 31))
    assert not _rule("consent_expiry").exists()
    sweep_on(D(2026, 8, 1))
    [n] = notes_for(world.coordinator, "consent_expiry")
    assert c.number in n.title and "近づいています" in n.title and n.level == Level.NORMAL
    assert len(notes_for(world.worker, "consent_expiry")) == 1  # the staff who took it
    sweep_on(D(2026, 8, 31))
    assert _rule("consent_expiry").count() == 2
    sweep_on(D(2026, 9, 1))
    expired = notes_for(world.coordinator, "consent_expiry")[-1]
    assert "切れています" in expired.title and expired.level == Level.URGENT
    sweep_on(D(2026, 9, 15))
    assert _rule("consent_expiry").count() == 4


def test_renewed_consent_resolves_the_reminder(world, sweep_on):
    c, p, _consent = _case_with_consent(world, D(2026, 8, 31))
    sweep_on(D(2026, 8, 10))
    [n] = notes_for(world.coordinator, "consent_expiry")
    builders.consent(
        world,
        person_=p,
        household_=c.household,
        valid_until=D(2027, 8, 31),
        given_on=D(2026, 8, 10),
    )
    sweep_on(D(2026, 8, 11))
    n.refresh_from_db()
    assert n.resolved_at is not None
    sweep_on(D(2026, 9, 2))
    assert _rule("consent_expiry").count() == 2  # no "expired" for the old one


def test_consent_without_an_open_case_is_not_reminded(world, sweep_on):
    p = builders.person(world.hub, world.coordinator)
    builders.consent(world, person_=p, valid_until=D(2026, 8, 31))
    sweep_on(D(2026, 8, 20))
    assert not _rule("consent_expiry").exists()


def test_withdrawn_consent_is_not_reminded(world, sweep_on):
    _c, _p, consent = _case_with_consent(world, D(2026, 8, 31))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    sweep_on(D(2026, 8, 20))
    assert not _rule("consent_expiry").exists()


# --- 支援会議 pledges ----------------------------------------------------------------------------


def test_member_without_pledge_seven_days_before_shien_kaigi(world, sweep_on):
    body = builders.body(world, kind="shien_kaigi")
    m = builders.meeting(body, on=D(2026, 7, 15))
    seat = builders.seat(body, user=world.worker, agency=world.partner)
    pledged = builders.seat(body, user=world.partner_coordinator, agency=world.partner)
    builders.pledge(
        pledged, fiscal_year=2026, signed_on=D(2026, 4, 10), recorded_by=world.coordinator
    )
    old = builders.seat(body, user=world.sender, agency=world.sender_agency)
    builders.pledge(old, fiscal_year=2025, signed_on=D(2025, 4, 10), recorded_by=world.coordinator)
    sweep_on(D(2026, 7, 7))
    assert not _rule("pledge_missing").exists()
    sweep_on(D(2026, 7, 8))
    [mine] = notes_for(world.worker, "pledge_missing")
    assert body.name in mine.title and "誓約" in mine.title
    assert world.worker.display_name not in mine.title + mine.body
    assert len(notes_for(world.sender, "pledge_missing")) == 1  # last year's pledge does not count
    assert notes_for(world.partner_coordinator, "pledge_missing") == []
    assert len(notes_for(world.coordinator, "pledge_missing")) == 2  # the convenor, once per member
    builders.pledge(seat, fiscal_year=2026, signed_on=D(2026, 7, 9), recorded_by=world.coordinator)
    sweep_on(D(2026, 7, 9))
    mine.refresh_from_db()
    assert mine.resolved_at is not None
    assert m.pk


def test_pledge_missing_links_to_the_member_list_the_member_may_open(client, world, sweep_on):
    """QA: the notice linked to the meeting page, which answers 403 to the unpledged member."""
    from django.urls import reverse

    body = builders.body(world, kind="shien_kaigi")
    builders.meeting(body, on=D(2026, 7, 15))
    builders.seat(body, user=world.worker, agency=world.partner)
    sweep_on(D(2026, 7, 10))
    [mine] = notes_for(world.worker, "pledge_missing")
    assert mine.url == reverse("meetings:body_detail", args=[body.public_id])
    client.force_login(world.worker)
    assert client.get(mine.url).status_code == 200


def test_external_member_without_pledge_goes_to_the_convenor_only(world, sweep_on):
    body = builders.body(world, kind="shien_kaigi")
    builders.meeting(body, on=D(2026, 7, 15))
    builders.seat(body, external_name="民生 和子")
    sweep_on(D(2026, 7, 10))
    [n] = notes_for(world.coordinator, "pledge_missing")
    assert "民生 和子" not in n.title + n.body and "民生委員協議会" in n.body


def test_juso_kaigi_needs_no_pledge(world, sweep_on):
    body = builders.body(world, kind="juso_kaigi")
    builders.meeting(body, on=D(2026, 7, 15))
    builders.seat(body, user=world.worker, agency=world.partner)
    sweep_on(D(2026, 7, 10))
    assert not _rule("pledge_missing").exists()


# --- agenda -----------------------------------------------------------------------------------


def test_agenda_submission_deadline_for_coordinators_with_waiting_cases(world, sweep_on):
    body = builders.body(world, kind="juso_kaigi", deadline_days=7)
    builders.meeting(body, on=D(2026, 7, 15))  # deadline 07-08
    waiting = builders.case(world, status="planning")
    builders.case(world, status="supporting")
    sweep_on(D(2026, 7, 4))
    assert not _rule("agenda_submission").exists()
    sweep_on(D(2026, 7, 5))
    [n] = notes_for(world.coordinator, "agenda_submission")
    assert "令和8年7月8日" in n.title and "1件" in n.title and waiting.number in n.body
    assert f"{body.name} 令和8年7月15日 の議題提出期限" in n.title  # no ISO date
    builders.plan(waiting, status="submitted")
    sweep_on(D(2026, 7, 6))
    n.refresh_from_db()
    assert n.resolved_at is not None


def test_agenda_distributed_to_members_three_days_before(world, sweep_on):
    body = builders.body(world, kind="juso_kaigi")
    m = builders.meeting(body, on=D(2026, 7, 15), status="planned")
    builders.seat(body, user=world.worker, agency=world.partner)
    sweep_on(D(2026, 7, 12))
    assert not _rule("agenda_distribution").exists()  # agenda not fixed yet
    m.status = "agenda_fixed"
    m.save(update_fields=["status"])
    sweep_on(D(2026, 7, 11))
    assert not _rule("agenda_distribution").exists()
    sweep_on(D(2026, 7, 12))
    [n] = notes_for(world.worker, "agenda_distribution")
    assert body.name in n.title
    sweep_on(D(2026, 7, 13))
    assert _rule("agenda_distribution").count() == 1


# --- role assignments -------------------------------------------------------------------------


def test_role_assignment_due_then_overdue_then_supervisor(world, sweep_on):
    body = builders.body(world, kind="juso_kaigi")
    m = builders.meeting(body, on=D(2026, 6, 17), status="held")
    c = builders.case(world, status="supporting")
    role = builders.role_assignment(
        m,
        owner_agency=world.partner,
        owner_user=world.worker,
        due_on=D(2026, 7, 20),
        case_=c,
        recorder=world.coordinator,
    )
    sweep_on(D(2026, 7, 16))
    assert not _rule("role_assignment_due").exists()
    sweep_on(D(2026, 7, 17))
    [n0] = notes_for(world.worker, "role_assignment_due")
    assert c.number in n0.title and "家庭訪問" not in n0.title + n0.body
    sweep_on(D(2026, 7, 21))
    assert len(notes_for(world.worker, "role_assignment_due")) == 2
    sweep_on(D(2026, 7, 27))
    assert notes_for(world.partner_supervisor, "role_assignment_due") == []
    sweep_on(D(2026, 7, 28))
    [s] = notes_for(world.partner_supervisor, "role_assignment_due")
    assert s.level == Level.URGENT
    role.done_on = D(2026, 7, 28)
    role.save(update_fields=["done_on"])
    sweep_on(D(2026, 7, 29))
    assert all(x.resolved_at for x in _rule("role_assignment_due"))


def test_member_leaving_before_the_meeting_is_not_asked_for_a_pledge(world, sweep_on):
    body = builders.body(world, kind="shien_kaigi")
    builders.meeting(body, on=D(2026, 7, 15))
    seat = builders.seat(body, user=world.worker, agency=world.partner)
    seat.left_on = D(2026, 7, 15)  # leaves on the day: no seat at the meeting
    seat.save(update_fields=["left_on"])
    sweep_on(D(2026, 7, 10))
    assert notes_for(world.worker, "pledge_missing") == []

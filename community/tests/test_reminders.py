import datetime as dt

from notifications.models import Notification
from notifications.services import sweep

from .factories import ResourceFactory, SessionFactory


def test_a_weekly_place_with_no_session_for_six_weeks_reminds_its_csw_once(w):
    place = ResourceFactory(schedule="weekly", csw=w.csw, start_date=dt.date(2026, 1, 1))
    SessionFactory(resource=place, held_on=dt.date(2026, 5, 10), recorded_by=w.csw)
    sweep(dt.date(2026, 6, 20), codes=["place_no_session"], queue_mail=False)
    assert not Notification.objects.filter(rule="place_no_session").exists()
    sweep(dt.date(2026, 6, 22), codes=["place_no_session"], queue_mail=False)
    sweep(dt.date(2026, 6, 23), codes=["place_no_session"], queue_mail=False)
    [note] = Notification.objects.filter(rule="place_no_session")
    assert note.recipient == w.csw
    assert place.name in note.title
    # Logging a session resolves it: nothing more is sent.
    SessionFactory(resource=place, held_on=dt.date(2026, 6, 24), recorded_by=w.csw)
    sweep(dt.date(2026, 6, 25), codes=["place_no_session"], queue_mail=False)
    assert Notification.objects.filter(rule="place_no_session").count() == 1


def test_a_monthly_place_waits_twice_its_rhythm_and_irregular_places_never(w):
    monthly = ResourceFactory(schedule="monthly", csw=w.csw)
    SessionFactory(resource=monthly, held_on=dt.date(2026, 5, 10), recorded_by=w.csw)
    sweep(dt.date(2026, 7, 5), codes=["place_no_session"], queue_mail=False)
    assert not Notification.objects.filter(rule="place_no_session").exists()
    sweep(dt.date(2026, 7, 6), codes=["place_no_session"], queue_mail=False)
    assert Notification.objects.filter(rule="place_no_session").count() == 1


def test_a_bimonthly_place_is_not_chased_after_six_weeks_and_irregular_places_never(w):
    odd = ResourceFactory(schedule="odd_months", csw=w.csw)
    SessionFactory(resource=odd, held_on=dt.date(2026, 5, 10), recorded_by=w.csw)
    irregular = ResourceFactory(schedule="irregular", csw=w.csw)
    SessionFactory(resource=irregular, held_on=dt.date(2025, 5, 10), recorded_by=w.csw)
    sweep(dt.date(2026, 8, 30), codes=["place_no_session"], queue_mail=False)
    assert not Notification.objects.filter(rule="place_no_session").exists()
    sweep(dt.date(2026, 8, 31), codes=["place_no_session"], queue_mail=False)
    [note] = Notification.objects.filter(rule="place_no_session")
    assert odd.name in note.title

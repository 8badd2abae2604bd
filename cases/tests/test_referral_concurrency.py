"""Two coordinators accepting the same つなぐシート at the same moment create exactly one case.

On PostgreSQL the row lock serialises them (run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_h5); everywhere the conditional UPDATE
(… WHERE status = read status AND version = read version) refuses the second one, which is what
protects SQLite, where `select_for_update` is a no-op: simulated here with a stale read.
"""

import threading
import uuid

import pytest
from django.db import close_old_connections, connection

from agencies.choices import Role
from agencies.tests.factories import staff
from cases.models import Referral, ReferralEvent, SupportCase
from cases.services import intake as s
from cases.tests.factories import IntakeWorld


def test_stale_read_cannot_accept_twice(db, monkeypatch):
    """SQLite semantics: both coordinators read the sheet before either wrote."""
    w = IntakeWorld()
    second = staff(w.receiver, Role.COORDINATOR)
    r = w.opened()
    stale = Referral.objects.get(pk=r.pk)  # what the second transaction read "at the same time"
    s.referral_accept(actor=w.coordinator, referral=r)

    monkeypatch.setattr(s, "_lock", lambda referral: stale)
    with pytest.raises(s.IntakeConflict) as exc:
        s.referral_accept(actor=second, referral=stale)
    assert exc.value.current_status == "accepted"
    assert SupportCase.objects.count() == 1
    assert ReferralEvent.objects.filter(referral=r, kind="accepted").count() == 1


def test_stale_read_cannot_return_an_accepted_referral(db, monkeypatch):
    w = IntakeWorld()
    r = w.opened()
    stale = Referral.objects.get(pk=r.pk)
    s.referral_accept(actor=w.coordinator, referral=r)
    monkeypatch.setattr(s, "_lock", lambda referral: stale)
    with pytest.raises(s.IntakeConflict):
        s.referral_return(actor=w.coordinator, referral=stale, reason="r", next_step="n")
    r.refresh_from_db()
    assert r.status == "accepted" and r.return_reason == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (set DATABASE_URL)"
)
@pytest.mark.django_db(transaction=True)
def test_two_threads_accepting_at_once_create_one_case():
    w = IntakeWorld()
    second = staff(w.receiver, Role.COORDINATOR)
    r = w.opened()
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def accept(name, actor):
        try:
            barrier.wait(timeout=10)
            results[name] = s.referral_accept(actor=actor, referral=Referral.objects.get(pk=r.pk))
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[name] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=accept, args=("a", w.coordinator)),
        threading.Thread(target=accept, args=("b", second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    cases = [v for v in results.values() if isinstance(v, SupportCase)]
    conflicts = [v for v in results.values() if isinstance(v, s.IntakeConflict)]
    assert len(cases) == 1, results
    assert len(conflicts) == 1, results
    assert SupportCase.objects.count() == 1
    r.refresh_from_db()
    assert r.status == "accepted" and r.case_id == cases[0].pk
    assert ReferralEvent.objects.filter(referral=r, kind="accepted").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (set DATABASE_URL)"
)
@pytest.mark.django_db(transaction=True)
def test_double_submit_in_parallel_creates_one_referral():
    w = IntakeWorld()
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results = []

    def create():
        try:
            barrier.wait(timeout=10)
            results.append(w.draft(idempotency_key=key))
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(isinstance(x, Referral) for x in results), results
    assert len({x.pk for x in results}) == 1
    assert Referral.objects.count() == 1

"""The application cannot erase its audit log, and the hash chain shows any later change.

As the application's database role (granted by `manage.py db_app_role`, entered here with SET
ROLE inside the test's transaction): TRUNCATE, ALTER TABLE … DISABLE TRIGGER, UPDATE and DELETE on
the audit tables fail, INSERT and SELECT work. The chain verifies, and fails on the day a row was
altered by the owner (the only role that can, bypassing the triggers)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import chain
from audit.models import AuditDay, AuditEvent
from audit.services import record

APP_ROLE = "tsunagu_app_test"

pytestmark = pytest.mark.django_db


def _on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("database roles and triggers: PostgreSQL only (runs in CI)")


@pytest.fixture
def as_app_role():
    """Grant the application role its rights and act as it; back to the owner afterwards."""
    _on_postgresql()
    from audit.roles import grant_app_role

    grant_app_role(APP_ROLE, login=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _fails(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_app_role_cannot_truncate_disable_triggers_update_or_delete(as_app_role):
    event = record(actor=None, action="system.test", object_type="system", object_id="1")
    assert AuditEvent.objects.filter(pk=event.pk).exists()  # INSERT and SELECT work
    for table in ("audit_auditevent", "audit_auditday"):
        assert _fails(f"TRUNCATE {table}"), table
        assert _fails(f"ALTER TABLE {table} DISABLE TRIGGER ALL"), table
        assert _fails(f"DELETE FROM {table}"), table
    assert _fails("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    assert _fails("UPDATE audit_auditday SET digest = 'x'")
    assert AuditEvent.objects.get(pk=event.pk).action == "system.test"


def test_app_role_rights_on_the_audit_tables_are_insert_and_select(as_app_role):
    from audit.roles import audit_rights

    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert audit_rights(APP_ROLE) == {
        "audit_auditevent": {"INSERT", "SELECT"},
        "audit_auditday": {"INSERT", "SELECT"},
    }


def test_app_role_still_writes_ordinary_tables(as_app_role, agency):
    agency.name = "改名"
    agency.save(update_fields=["name"])  # the application keeps working as this role


def _rows_on(day: dt.date, n: int) -> list[AuditEvent]:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    with time_machine.travel(at, tick=False):
        return [record(actor=None, action="system.test", object_id=str(i)) for i in range(n)]


def test_chain_seals_each_day_once_and_verifies():
    today = timezone.localdate()
    _rows_on(today - dt.timedelta(days=3), 2)
    _rows_on(today - dt.timedelta(days=1), 3)
    sealed = chain.seal()
    assert [link.row_count for link in sealed] == [2, 0, 3]
    assert chain.seal() == []  # idempotent
    assert sealed[1].previous_digest == sealed[0].digest
    assert chain.verify() == (3, None)
    call_command("audit_verify")


def test_chain_fails_after_the_owner_alters_a_row():
    today = timezone.localdate()
    day = today - dt.timedelta(days=2)
    rows = _rows_on(day, 2)
    _rows_on(today - dt.timedelta(days=1), 1)
    chain.seal()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only a superuser/owner can step around the triggers like this.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE audit_auditevent SET object_id = 'tampered' WHERE id = %s", [rows[1].pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    checked, broken = chain.verify()
    assert checked == 0 and broken.day == day
    with pytest.raises(CommandError, match=str(day)):
        call_command("audit_verify")


def test_chain_fails_when_a_row_disappears():
    day = timezone.localdate() - dt.timedelta(days=1)
    rows = _rows_on(day, 2)
    chain.seal()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [rows[0].pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    assert chain.verify()[1].reason.startswith("row_count")
    assert AuditDay.objects.count() == 1


def test_seal_task_is_scheduled_daily():
    from config.celery import app

    assert app.conf.beat_schedule["audit-seal"]["task"] == "audit.seal"

"""The audit log: append-only rows (model, queryset and — on PostgreSQL — a trigger), request
facts on every row, and the admin-only viewer with filters, pagination and an audited export."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from agencies.tests.utils import login_as
from audit.models import AuditEvent
from audit.services import record


@pytest.fixture
def resident(agency):
    return staff(agency, Role.RESIDENT)


@pytest.fixture
def event(admin_user, agency):
    return record(
        actor=admin_user,
        action="agency.update",
        obj=agency,
        basis="admin",
        changes=["phone", "email"],
    )


# --- append-only ------------------------------------------------------------------------


def test_record_stores_label_kind_and_sorted_changes(event, agency, admin_user):
    assert event.kind == AuditEvent.Kind.UPDATE
    assert (event.object_type, event.object_id, event.object_repr) == (
        "agencies.agency",
        str(agency.pk),
        agency.name,
    )
    assert event.actor_label == admin_user.username
    assert event.changes == ["email", "phone"]


def test_record_writes_the_row_it_returns_in_one_statement(admin_user, django_assert_num_queries):
    """The INSERT built once (audit.services._append) stores every field as given: the stored
    row equals the returned event, request facts and lists included."""
    from audit import context

    token = context.set_current(context.RequestInfo(ip="192.0.2.7", user_agent="Firefox/140"))
    try:
        with django_assert_num_queries(1):
            e = record(
                actor=admin_user,
                action="person.view",
                object_type="cases.person",
                object_id="42",
                basis="consent",
                changes=["b", "a"],
                subjects=["P-1", "P-2"],
            )
    finally:
        context.reset(token)
    stored = AuditEvent.objects.get(pk=e.pk)
    fields = [f.attname for f in AuditEvent._meta.concrete_fields]
    assert [getattr(stored, f) for f in fields] == [getattr(e, f) for f in fields]
    assert (stored.ip, stored.user_agent, stored.changes, stored.subjects) == (
        "192.0.2.7",
        "Firefox/140",
        ["a", "b"],
        ["P-1", "P-2"],
    )
    assert stored.actor_id == admin_user.pk and stored.kind == AuditEvent.Kind.VIEW
    assert abs(stored.at - timezone.now()) < timedelta(minutes=1)
    assert record(actor=None, action="system.test").pk > e.pk


def test_staff_rows_never_carry_a_persons_name(admin_user, caseworker):
    e = record(actor=admin_user, action="staff.view", obj=caseworker)
    assert caseworker.display_name not in e.object_repr
    assert e.object_repr == caseworker.username


def test_audit_row_cannot_be_updated_or_deleted_through_the_model(event):
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "agency.update"


def _trigger_installed() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'audit_auditevent_append_only'")
        return cursor.fetchone() is not None


def test_database_trigger_rejects_raw_update_and_delete_on_postgresql(event):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    if not _trigger_installed():
        pytest.skip("run with migrations (not --nomigrations) to install the trigger")
    for sql in (
        "UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "agency.update"


def test_trigger_migration_is_a_no_op_elsewhere(db):
    """On SQLite the migration runs without touching anything (no trigger to find)."""
    if connection.vendor == "postgresql":
        pytest.skip("covered by the trigger test")
    from importlib import import_module

    migration = import_module("audit.migrations.0002_reject_update_delete_on_postgresql")

    class Editor:
        connection = connection

        def execute(self, *args, **kwargs):  # pragma: no cover - must not be called
            raise AssertionError("no SQL on this vendor")

    migration.install(None, Editor())
    migration.remove(None, Editor())


def test_request_ip_and_user_agent_are_recorded(client, admin_user, caseworker):
    login_as(client, admin_user)
    client.get(
        reverse("agencies:staff_detail", args=[caseworker.public_id]),
        HTTP_USER_AGENT="TestBrowser/1.0",
        HTTP_X_FORWARDED_FOR="192.0.2.7, 10.0.0.1",
    )
    e = AuditEvent.objects.get(action="staff.view")
    assert (e.ip, e.user_agent, e.basis) == ("192.0.2.7", "TestBrowser/1.0", "admin")


def test_every_change_through_services_is_audited(client, admin_user, caseworker, other_agency):
    from agencies import services

    agency = services.agency_create(
        actor=admin_user, data={"code": "a-x", "name": "X", "kana": "えっくす", "kind": "npo"}
    )
    services.agency_update(actor=admin_user, agency=agency, data={"phone": "1"}, expected_version=1)
    services.agency_set_active(actor=admin_user, agency=agency, active=False, expected_version=2)
    m = caseworker.memberships.get()
    new = services.membership_transfer(
        actor=admin_user,
        membership=m,
        to_agency=other_agency,
        transfer_date=timezone.localdate() + timedelta(days=1),
    )
    services.membership_end(actor=admin_user, membership=new, end_date=new.start_date)
    services.staff_update(
        actor=admin_user, staff=caseworker, data={"phone": "2"}, expected_version=1
    )
    services.staff_set_active(actor=admin_user, staff=caseworker, active=False, expected_version=2)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "changes"))
    assert actions == [
        ("agency.create", ["code", "kana", "kind", "name"]),
        ("agency.update", ["phone"]),
        ("agency.deactivate", ["active"]),
        ("membership.transfer", ["end_date"]),
        ("membership.create", ["agency", "role", "start_date"]),
        ("membership.end", ["end_date"]),
        ("staff.update", ["phone"]),
        ("staff.deactivate", ["is_active"]),
    ]
    assert set(AuditEvent.objects.values_list("actor", flat=True)) == {admin_user.pk}


def test_a_no_op_edit_writes_no_row(admin_user, agency):
    from agencies import services

    services.agency_update(
        actor=admin_user, agency=agency, data={"name": agency.name}, expected_version=1
    )
    assert not AuditEvent.objects.filter(action="agency.update").exists()


# --- viewer -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["audit:event_list", "audit:event_export"])
def test_viewer_and_export_are_admin_only(client, name, admin_user, caseworker, outsider, resident):
    login_as(client, admin_user)
    assert client.get(reverse(name)).status_code == 200
    for user in (caseworker, outsider, resident):
        client.logout()
        login_as(client, user)
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).status_code == 302


def test_no_write_method_exists(client, admin_user, event):
    login_as(client, admin_user)
    assert client.post(reverse("audit:event_list"), {"id": event.pk}).status_code == 405
    assert client.delete(reverse("audit:event_list")).status_code == 405
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _events(client, params):
    return [e.action for e in client.get(reverse("audit:event_list"), params).context["page_obj"]]


def test_viewer_filters(client, admin_user, caseworker, agency):
    record(actor=caseworker, action="staff.view", obj=caseworker, basis="self")
    record(actor=admin_user, action="agency.update", obj=agency, basis="admin")
    record(actor=None, action="auth.login_failed")
    login_as(client, admin_user)
    assert _events(client, {"actor": caseworker.username}) == ["staff.view"]
    assert _events(client, {"action": "agency."}) == ["agency.update"]
    assert _events(client, {"kind": "view"}) == ["staff.view"]
    assert _events(client, {"object_type": "agencies.agency"}) == ["agency.update"]
    assert _events(client, {"object_type": "agencies.user", "object_id": str(caseworker.pk)}) == [
        "staff.view"
    ]
    today = timezone.localdate()
    assert len(_events(client, {"date_from": today.isoformat(), "date_to": today.isoformat()})) >= 3
    assert _events(client, {"date_to": (today - timedelta(days=1)).isoformat()}) == []


def test_viewer_paginates(client, admin_user, agency):
    for _ in range(60):
        record(actor=admin_user, action="agency.view", obj=agency)
    login_as(client, admin_user)
    response = client.get(reverse("audit:event_list"), {"action": "agency.view"})
    assert len(response.context["page_obj"]) == 50
    assert "1 / 2 ページ（全60件）" in response.content.decode()
    second = client.get(reverse("audit:event_list"), {"action": "agency.view", "page": 2})
    assert len(second.context["page_obj"]) == 10


def test_viewer_stops_counting_at_the_cap(client, admin_user, agency, monkeypatch):
    """A log of millions is not counted row by row: past the cap the pager says so."""
    monkeypatch.setattr("agencies.paging.CappedPaginator.default_cap", 55)
    for _ in range(60):
        record(actor=admin_user, action="agency.view", obj=agency)
    login_as(client, admin_user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("audit:event_list"), {"action": "agency.view"}).content.decode()
    assert "55件以上" in body and "全60件" not in body
    # Counted without the list's order: any index may serve the first 56 rows.
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"].upper()]
    [count] = [sql for sql in counts if "audit_auditevent" in sql]
    assert "ORDER BY" not in count.upper()
    assert "LIMIT 56" in count.upper()


def test_record_kind_filter_lists_japanese_names_without_reading_the_log(
    client, admin_user, django_assert_max_num_queries
):
    login_as(client, admin_user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("audit:event_list")).content.decode()
    assert '<option value="cases.supportcase">支援ケース</option>' in body
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]


def test_viewer_query_count_is_constant(client, admin_user, agency, django_assert_max_num_queries):
    login_as(client, admin_user)
    url = reverse("audit:event_list")
    client.get(url)
    for _ in range(5):
        record(actor=admin_user, action="agency.view", obj=agency)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(25):
        record(actor=staff(AgencyFactory()), action="agency.view", obj=agency)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_export_is_csv_neutralised_filtered_and_audited(client, admin_user, agency):
    agency.name = '=HYPERLINK("http://evil")'
    agency.save()
    record(actor=admin_user, action="agency.update", obj=agency, basis="admin", changes=["name"])
    record(actor=admin_user, action="staff.view", obj=admin_user, basis="self")
    login_as(client, admin_user)
    response = client.get(reverse("audit:event_export"), {"action": "agency."})
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].startswith("日時,実行者,操作")
    assert "'=HYPERLINK" in text
    assert "管理者権限" in text
    assert "staff.view" not in text
    export = AuditEvent.objects.get(action="audit.export")
    assert (export.kind, export.actor, export.changes) == ("export", admin_user, ["action"])

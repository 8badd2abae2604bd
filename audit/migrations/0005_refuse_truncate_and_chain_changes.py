"""Triggers (PostgreSQL): the hash chain's links refuse UPDATE and DELETE like the audit rows, and
both tables refuse TRUNCATE from any role but the tables' owner.

The owner is the role migrations run as (MIGRATE: see README "Database roles"); the application
connects as another role that holds only INSERT and SELECT on these tables (`manage.py
db_app_role`), so it can neither TRUNCATE nor ALTER TABLE … DISABLE TRIGGER (that needs
ownership). The owner may TRUNCATE because the test runner empties tables with it between
transactional tests; an owner can drop triggers anyway, so refusing it would protect nothing.
"""

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS audit_auditday_append_only ON audit_auditday;
CREATE TRIGGER audit_auditday_append_only
    BEFORE UPDATE OR DELETE ON audit_auditday
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_reject_change();

CREATE OR REPLACE FUNCTION audit_reject_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user,
            (SELECT tableowner FROM pg_tables WHERE schemaname = TG_TABLE_SCHEMA
             AND tablename = TG_TABLE_NAME), 'MEMBER') THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE is not allowed', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_truncate();
DROP TRIGGER IF EXISTS audit_auditday_no_truncate ON audit_auditday;
CREATE TRIGGER audit_auditday_no_truncate
    BEFORE TRUNCATE ON audit_auditday
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditday_no_truncate ON audit_auditday;
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_reject_truncate();
DROP TRIGGER IF EXISTS audit_auditday_append_only ON audit_auditday;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_day_hash_chain")]

    operations = [migrations.RunPython(install, remove, elidable=False)]

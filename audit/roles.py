"""The application's database role (PostgreSQL): everything it needs, and on the audit tables
only INSERT and SELECT.

Two roles: the owner, which runs migrations and owns every table (MIGRATE_DATABASE_URL in the
release step), and the application role, which web and worker connect as (DATABASE_URL). Run
`manage.py db_app_role <role>` as the owner after every `migrate`: it creates the role if it is
missing and (re)grants — idempotent. Without ownership the application role cannot ALTER TABLE
(so no DISABLE TRIGGER) and without the privilege it cannot TRUNCATE, UPDATE or DELETE the audit
log; the triggers refuse UPDATE and DELETE to everyone besides.
"""

from django.db import connection

APPEND_ONLY_TABLES = ("audit_auditevent", "audit_auditday")


def grant_app_role(role: str, *, password: str | None = None, login: bool = True) -> None:
    if connection.vendor != "postgresql":
        raise RuntimeError("database roles are a PostgreSQL feature")
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {q(role)} {'LOGIN' if login else 'NOLOGIN'}")
        if password:
            cursor.execute(f"ALTER ROLE {q(role)} PASSWORD %s", [password])
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
        statements = [
            f"GRANT CONNECT ON DATABASE {q(database)} TO {q(role)}",
            f"GRANT USAGE ON SCHEMA public TO {q(role)}",
            f"REVOKE CREATE ON SCHEMA public FROM {q(role)}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q(role)}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q(role)}",
            # Tables a later migration creates (as this owner) are granted the same way; the
            # next run of this command takes the audit tables' rights away again.
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q(role)}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {q(role)}",
        ]
        for table in APPEND_ONLY_TABLES:
            statements += [
                f"REVOKE ALL ON TABLE {q(table)} FROM {q(role)}",
                f"GRANT SELECT, INSERT ON TABLE {q(table)} TO {q(role)}",
            ]
        for statement in statements:
            cursor.execute(statement)


def audit_rights(role: str) -> dict[str, set[str]]:
    """{table: privileges} of `role` on the append-only tables (for checks and tests)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = ANY(%s)",
            [role, list(APPEND_ONLY_TABLES)],
        )
        rights: dict[str, set[str]] = {t: set() for t in APPEND_ONLY_TABLES}
        for table, privilege in cursor.fetchall():
            rights[table].add(privilege)
    return rights

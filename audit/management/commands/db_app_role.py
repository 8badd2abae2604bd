"""Create (if missing) and grant the application's database role; run as the owner after
`migrate`. The password comes from an environment variable, never the command line:

    APP_DB_PASSWORD=… manage.py db_app_role tsunagu_app --password-env APP_DB_PASSWORD
"""

import os

from django.core.management.base import BaseCommand, CommandError

from audit.roles import audit_rights, grant_app_role


class Command(BaseCommand):
    help = "Create/grant the application's DB role: INSERT and SELECT only on the audit tables."

    def add_arguments(self, parser):
        parser.add_argument("role")
        parser.add_argument("--password-env", default="", metavar="VAR")

    def handle(self, *args, role, password_env, **options):
        password = os.environ.get(password_env) if password_env else None
        if password_env and not password:
            raise CommandError(f"{password_env} is empty")
        try:
            grant_app_role(role, password=password)
        except RuntimeError as exc:
            raise CommandError(str(exc))
        for table, rights in audit_rights(role).items():
            self.stdout.write(f"{role} on {table}: {', '.join(sorted(rights))}")

"""Restore an archive of `manage.py backup` into an EMPTY database and MEDIA_ROOT:

    manage.py restore --archive tsunagu.tar.gz [--database-url postgres://…] [--passphrase-env VAR]

Every checksum is checked before anything is written; row counts are compared afterwards."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and an empty MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("--archive", required=True)
        parser.add_argument("--database-url", default=None)
        parser.add_argument("--passphrase-env", default="", metavar="VAR")

    def handle(self, *args, archive, database_url, passphrase_env, **options):
        passphrase = os.environ.get(passphrase_env) if passphrase_env else None
        if passphrase_env and not passphrase:
            raise CommandError(f"{passphrase_env} is empty")
        try:
            summary = restore(
                archive=Path(archive), database_url=database_url, passphrase=passphrase
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"restored {summary.tables} tables, {summary.rows} rows, {summary.files} files; "
            "row counts and checksums match"
        )

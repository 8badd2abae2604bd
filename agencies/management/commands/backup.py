"""One archive with the database and the uploaded files, with checksums (agencies/backup.py):

manage.py backup --output /backups/tsunagu-$(date +%F).tar.gz [--passphrase-env BACKUP_PASSPHRASE]
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into one archive with checksums."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True)
        parser.add_argument("--passphrase-env", default="", metavar="VAR")

    def handle(self, *args, output, passphrase_env, **options):
        passphrase = os.environ.get(passphrase_env) if passphrase_env else None
        if passphrase_env and not passphrase:
            raise CommandError(f"{passphrase_env} is empty")
        try:
            summary = backup(output=Path(output), passphrase=passphrase)
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"{summary.path}: {summary.tables} tables, {summary.rows} rows, {summary.files} files"
            + (" (encrypted)" if passphrase else "")
        )

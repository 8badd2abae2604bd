"""Verify the audit log's hash chain (seal the days not sealed yet first with --seal).

Exit status 0 when every sealed day matches; 1 naming the first broken day otherwise."""

from django.core.management.base import BaseCommand, CommandError

from audit import chain


class Command(BaseCommand):
    help = "Recompute the audit log's daily hash chain and report the first broken day."

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="seal unsealed past days first")

    def handle(self, *args, seal, **options):
        if seal:
            sealed = chain.seal()
            self.stdout.write(f"sealed {len(sealed)} day(s)")
        checked, broken = chain.verify()
        if broken is not None:
            raise CommandError(
                f"audit chain broken on {broken.day} ({broken.reason}); {checked} day(s) before it verify"
            )
        self.stdout.write(f"audit chain OK: {checked} day(s)")

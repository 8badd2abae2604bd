"""Recompute the derived grants (team, 主担当, consent) of every case, or of some.

For data loaded around the services (bulk imports, the scale generator's bulk_create): the
grants are an index of those rows and need a rebuild. Idempotent; prints what changed.
"""

from django.core.management.base import BaseCommand

from access.sync import sync_all


class Command(BaseCommand):
    help = "支援チーム・主担当・本人同意から導かれるアクセス権を再計算します。"

    def add_arguments(self, parser):
        parser.add_argument("--case", action="append", default=[], help="ケース番号(複数可)")

    def handle(self, *args, **options):
        from cases.models import SupportCase

        cases = SupportCase.objects.all()
        if options["case"]:
            cases = cases.filter(number__in=options["case"])
        total, added, ended = sync_all(cases)
        self.stdout.write(f"cases={total} added={added} ended={ended}")

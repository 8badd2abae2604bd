"""`manage.py generate_scale_data --scale S`: the city-scale data set for benchmarks.

Scale 1 is a city of about 400,000 people (benchmarks/scaledata/core.py SIZES). Loads the demo
city first when the database is empty (so the demo logins work on top of the scale data), then
writes the rest with COPY. PostgreSQL only. Refuses a database that holds anything but the demo
city: it is for throw-away benchmark databases, never for a municipality's data.
"""

import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from agencies.demo import AGENCIES as DEMO_AGENCIES
from agencies.models import Agency


class Command(BaseCommand):
    help = "Generate the city-scale benchmark data set (PostgreSQL, empty or demo-only database)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = a city of ~400,000")
        parser.add_argument("--seed", type=int, default=20261205)

    def handle(self, *args, scale: float, seed: int, **options):
        from benchmarks.scaledata.bulk import Writer
        from benchmarks.scaledata.core import STEPS, Ctx

        if connection.vendor != "postgresql":
            raise CommandError("generate_scale_data needs PostgreSQL (DATABASE_URL).")
        if not 0 < scale <= 5:
            raise CommandError("--scale must be between 0 and 5.")
        demo_codes = {row[0] for row in DEMO_AGENCIES}
        codes = set(Agency.objects.values_list("code", flat=True))
        if any(code.startswith("scale-") for code in codes):
            raise CommandError("This database already holds generated data; use a new database.")
        foreign = codes - demo_codes
        if foreign:
            raise CommandError(
                "This database holds agencies that are not the demo city's: refusing to add "
                "generated data to what may be real data."
            )
        started = time.monotonic()
        if not codes:
            call_command("seed_demo", stdout=self.stdout)
        ctx = Ctx(scale=scale, rng=random.Random(seed), writer=Writer(), log=self.stdout.write)
        for name, step in STEPS:
            t0 = time.monotonic()
            with transaction.atomic():
                step(ctx)
                ctx.writer.flush()
            self.stdout.write(f"{name}: {time.monotonic() - t0:.1f} s")
        ctx.writer.finish()
        t0 = time.monotonic()
        with connection.cursor() as cur:
            # As autovacuum leaves a live database: statistics, the visibility map, and the GIN
            # indexes' pending lists merged (after a bulk load the trigram search of a name read
            # a 20,000-entry pending list: 7 ms instead of 0.25 ms, and the planner chose a
            # sequential scan over it).
            # VACUUM cannot run in a transaction (a test's): ANALYZE alone there.
            cur.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(f"vacuum analyze: {time.monotonic() - t0:.1f} s")
        for label, count in sorted(ctx.writer.counts.items()):
            self.stdout.write(f"  {label}: {count:,}")
        self.stdout.write(f"generated in {time.monotonic() - started:.0f} s")

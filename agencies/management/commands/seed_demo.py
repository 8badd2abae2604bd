import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.models import Agency

# Order matters: later apps build on what earlier ones created.
DEMO_MODULES = ["agencies.demo", "cases.demo", "meetings.demo", "notifications.demo"]


class Command(BaseCommand):
    help = "Load the fictional demo city (deterministic). Does nothing if data already exists."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="skip silently when data exists"
        )

    def handle(self, *args, if_empty=False, **options):
        if Agency.objects.exists():
            if if_empty:
                self.stdout.write("demo data: database not empty, skipped")
                return
            raise CommandError(
                "database is not empty; demo data is loaded only into an empty database"
            )
        ctx: dict = {"rng": random.Random(20261122)}
        with transaction.atomic():
            for name in DEMO_MODULES:
                app_label = name.split(".")[0]
                if not apps.is_installed(app_label):
                    continue
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name == name:
                        continue
                    raise
                module.seed(ctx)
                self.stdout.write(f"demo data: {app_label} loaded")

from django.conf import settings
from django.core.management.base import BaseCommand

from agencies.demo import DEMO_LOGINS


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write(f"デモ用ログイン (パスワードは全員 {settings.DEMO_PASSWORD}):")
        for username, label in DEMO_LOGINS:
            self.stdout.write(f"  {username:<14} {label}")

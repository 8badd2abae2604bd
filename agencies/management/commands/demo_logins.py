from django.conf import settings
from django.core.management.base import BaseCommand

from agencies.demo import DEMO_LOGINS
from agencies.services_auth import DEMO_OTP_SECRET_B32


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write(f"デモ用ログイン (パスワードは全員 {settings.DEMO_PASSWORD}):")
        for username, label in DEMO_LOGINS:
            self.stdout.write(f"  {username:<14} {label}")
        self.stdout.write(
            "二要素認証の確認コード: make otp USER=kakaricho (admin も同様) で表示されます。\n"
            f"  認証アプリに登録する場合のデモ用キー: {DEMO_OTP_SECRET_B32} (デモ専用・全環境共通)"
        )

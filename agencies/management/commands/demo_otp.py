from django.core.management.base import BaseCommand, CommandError

from agencies.models import User
from agencies.services_auth import otp_demo_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo user (only for the documented demo key)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"ユーザー {username} は存在しません。")
        try:
            code, remaining = otp_demo_code(user)
        except LookupError:
            # Real accounts have their own random keys; this command must never read those.
            raise CommandError(
                f"{username} にはデモ用の二要素認証キーがありません。デモ用ユーザー以外のコードは表示できません。"
            )
        self.stdout.write(code)
        self.stderr.write(f"(あと {remaining} 秒有効。ログインID {username} の確認コード)")

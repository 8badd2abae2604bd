"""Issue or revoke a named API token from the command line (automation, CI):

    manage.py api_token suishin1 --name 集計バッチ [--expires-days 30]   # prints the key once
    manage.py api_token suishin1 --revoke 集計バッチ

Audited like the account page (the user is the actor: tokens are always the user's own)."""

from django.core.management.base import BaseCommand, CommandError

from agencies.models import User
from agencies.tokens import ApiToken, api_token_issue, api_token_revoke


class Command(BaseCommand):
    help = "Issue (prints the key once) or revoke a named API token of a user."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")
        parser.add_argument("--expires-days", type=int, default=None)
        parser.add_argument("--revoke", metavar="NAME", default=None)

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("no such active user")
        if options["revoke"] is not None:
            for token in ApiToken.objects.filter(user=user, name=options["revoke"]).active():
                api_token_revoke(token=token, actor=user)
            return
        if not options["name"]:
            raise CommandError("--name is required")
        _token, key = api_token_issue(
            user=user, actor=user, name=options["name"], expires_in_days=options["expires_days"]
        )
        self.stdout.write(key)

"""Bootstrap the first administrator of a fresh installation.

    manage.py create_admin --username sato --agency-code fukushi-soudan \
        --agency-name "福祉相談課" --display-name "佐藤 一郎" --email sato@city.example.jp

Creates (or reuses) the user, the agency when --agency-name is given and it does not exist yet
(a municipal section), and a current 事務・管理者 membership there — the role the app's own
administration pages, policy and 2FA enforcement look at. The password is asked for twice on a
terminal, or read from the environment variable TSUNAGU_ADMIN_PASSWORD (for scripts), and
checked by the password validators. Every row written gets an audit row (actor: none, basis:
管理コマンド). The admin sets up two-factor authentication at the first login.
"""

import getpass
import os
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies.choices import AgencyKind, OperatorType, Programme, Role
from agencies.models import Agency, Membership, User
from audit.services import record

BASIS = "management_command"
PASSWORD_ENV = "TSUNAGU_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "Create the first administrator (user + admin membership at an agency)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="login ID")
        parser.add_argument("--agency-code", required=True, help="code of the agency")
        parser.add_argument(
            "--agency-name",
            help="create the agency (a municipal section) with this name if the code is unknown",
        )
        parser.add_argument("--display-name", default="", help="name shown in the app")
        parser.add_argument("--email", default="", help="for password reset e-mails")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="also allow /django-admin/ (is_staff and is_superuser)",
        )

    def handle(self, *args, **options):
        username = options["username"].strip()
        user = User.objects.filter(username=username).first()
        password = None if user is not None else self._password(username, options)
        with transaction.atomic():
            agency = self._agency(options)
            if user is None:
                user = User(
                    username=username,
                    display_name=options["display_name"] or username,
                    email=options["email"],
                )
                user.set_password(password)
                if options["superuser"]:
                    user.is_staff = user.is_superuser = True
                user.full_clean()
                user.save()
                record(
                    actor=None,
                    action="user.create",
                    obj=user,
                    basis=BASIS,
                    changes=["username", "display_name", "email", "password"],
                )
                self.stdout.write(f"created user {username}")
            elif options["superuser"] and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
                record(
                    actor=None,
                    action="user.update",
                    obj=user,
                    basis=BASIS,
                    changes=["is_staff", "is_superuser"],
                )
            current = Membership.objects.current().filter(user=user, agency=agency, role=Role.ADMIN)
            if current.exists():
                self.stdout.write(f"{username} is already an administrator at {agency.code}")
                return
            membership = Membership(
                user=user,
                agency=agency,
                role=Role.ADMIN,
                start_date=timezone.localdate(),
                note="create_admin",
            )
            membership.full_clean()
            membership.save()
            record(
                actor=None,
                action="membership.create",
                obj=membership,
                basis=BASIS,
                changes=["agency", "role", "start_date"],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{username} is now an administrator at {agency.code}; two-factor setup is "
                "required at the first login."
            )
        )

    def _agency(self, options) -> Agency:
        code = options["agency_code"].strip()
        agency = Agency.objects.filter(code=code).first()
        if agency is not None:
            if not agency.active:
                raise CommandError(f"agency {code} is inactive")
            return agency
        name = (options["agency_name"] or "").strip()
        if not name:
            raise CommandError(f"unknown agency code {code}: pass --agency-name to create it")
        agency = Agency(
            code=code,
            name=name,
            kana="",
            kind=AgencyKind.CITY_SECTION,
            operator_type=OperatorType.MUNICIPAL,
            programmes=[Programme.MULTIAGENCY.value],
        )
        agency.full_clean(exclude=["kana"])
        agency.save()
        record(
            actor=None,
            action="agency.create",
            obj=agency,
            basis=BASIS,
            changes=["code", "name", "kind", "operator_type", "programmes"],
        )
        self.stdout.write(f"created agency {code}")
        return agency

    def _password(self, username: str, options) -> str:
        probe = User(
            username=username, display_name=options["display_name"], email=options["email"]
        )
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError(f"no terminal: set {PASSWORD_ENV} to pass the password")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords do not match")
        try:
            validate_password(password, probe)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        return password

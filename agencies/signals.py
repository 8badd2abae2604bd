"""Authentication events go to the audit log (no password, no username guess for failures)."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditEvent
from audit.services import record

from . import policy_auth  # noqa: F401 - registers the account-security policy rules


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(actor=user, action="auth.login", obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action="auth.logout", obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is not stored: it may be a person's name typed by mistake.
    record(actor=None, action="auth.login_failed")


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    """Record the moment a login ID becomes locked (not every later attempt while locked).

    The row points at the account when it exists, so an admin can see whom to unlock; for an
    unknown login ID nothing is stored but the fact of a lockout (it may be a mistyped name).
    """
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    from .models import User

    user = User.objects.filter(username=username).first() if username else None
    record(actor=None, action="auth.lockout", obj=user, kind=AuditEvent.Kind.AUTH)

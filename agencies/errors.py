"""Error pages: Japanese, and nothing about the record or the exception on them.

Django's own handlers serve 400, 404 and 500 from templates/400.html, 404.html, 500.html (400 and
500 render without a request or the database: they must work when the database is the problem).
403 and the CSRF failure come through here so the page can say *why* without saying *what*:
a policy reason (a fixed sentence such as "no pledge this year") is shown, anything else is not.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .policy import PolicyDenied


def public_reason(exception) -> str:
    """The policy's reason when it is one of its fixed sentences, else "".

    Rules give reasons with `deny(<translated constant>)`; they never format a name or free
    text into it (see agencies/policy.py). Any other exception's text stays off the page: it may
    come from a library and carry internals.
    """
    if isinstance(exception, PolicyDenied):
        return str(exception.decision.reason or "")
    return ""


def permission_denied(request, exception: PermissionDenied | None = None):
    return render(request, "403.html", {"reason": public_reason(exception)}, status=403)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: usually a form left open past the session or an old tab. Django's
    reason is technical English; the user gets what to do instead."""
    return render(request, "403_csrf.html", status=403)

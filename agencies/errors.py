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


def record_refusal(request, exception) -> None:
    """A refused attempt in the audit log: who, which address, when — no record content."""
    from audit.services import record

    user = getattr(request, "user", None)
    action = getattr(exception, "action", "") or "request"
    try:
        record(
            actor=user,
            action="access.refused",
            kind="action",
            object_type=action[:80],
            subjects=[request.path[:300]],
        )
    except Exception:  # noqa: BLE001 - the refusal must be answered even if the log fails
        import logging

        logging.getLogger(__name__).exception("audit of a refused request failed")


def not_found_response(request):
    """The not-found page exactly as Django's handler404 renders it."""
    from django.http import Http404
    from django.views.defaults import page_not_found

    return page_not_found(request, Http404())


def permission_denied(request, exception: PermissionDenied | None = None):
    record_refusal(request, exception)
    if isinstance(exception, PolicyDenied) and exception.hides_existence_for(request.user):
        return not_found_response(request)
    return render(request, "403.html", {"reason": public_reason(exception)}, status=403)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: usually a form left open past the session or an old tab. Django's
    reason is technical English; the user gets what to do instead."""
    return render(request, "403_csrf.html", status=403)

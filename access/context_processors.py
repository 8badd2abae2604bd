from django.utils import timezone
from django.utils.dateparse import parse_datetime

SESSION_KEY = "emergency_until"


def emergency(request):
    """The banner of an emergency access in force, on every page (templates/base.html).

    Opening one marks the session with its end (access.views.emergency_open), so the pages of
    everyone else cost no query for it. The name is always set (empty when there is none): a
    template variable that is missing costs its lookup's exceptions on every page."""
    return {"emergency_accesses": _in_force(request)}


def _in_force(request) -> list | tuple:
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or not user.is_authenticated or session is None:
        return ()
    until = parse_datetime(session.get(SESSION_KEY) or "")
    if until is None:
        return ()
    if until <= timezone.now():
        session.pop(SESSION_KEY, None)
        return ()
    from .emergency import active_for

    accesses = list(active_for(user))
    if not accesses:
        session.pop(SESSION_KEY, None)
    return accesses

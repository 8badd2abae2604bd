"""Calendar feed tokens: create/rotate/revoke (audited) and the session-less feed lookup."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from agencies.models import Membership
from agencies.policy import check, require
from audit.services import record

from . import selectors
from .ics import calendar_ics
from .models.feeds import CalendarFeedToken, hash_token

TOKEN_BYTES = 32
FEED_DAYS_BACK = 92


def user_calendar_ics(user, *, host: str) -> str:
    """The user's meetings from three months back as iCalendar (body name and place only):
    the same content for the session export and the subscribed feed."""
    since = timezone.now() - dt.timedelta(days=FEED_DAYS_BACK)
    meetings = selectors.meetings_for_user(user).filter(starts_at__gte=since).order_by("starts_at")
    return calendar_ics(meetings, host=host or "tsunagu")


@transaction.atomic
def feed_token_issue(*, actor) -> str:
    """Create the actor's feed token, or replace it (rotate): the old URL stops working at once.
    Returns the new token in clear text — the only time it exists outside the user's app."""
    decision = require(actor, "meeting.list")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    current = CalendarFeedToken.objects.select_for_update().filter(user=actor).first()
    if current is None:
        current = CalendarFeedToken.objects.create(user=actor, token_hash=hash_token(token))
        action = "calendar_feed.create"
    else:
        current.token_hash = hash_token(token)
        current.rotated_at = timezone.now()
        current.last_used_at = None
        current.save(update_fields=["token_hash", "rotated_at", "last_used_at"])
        action = "calendar_feed.rotate"
    record(actor=actor, action=action, obj=current, basis=decision.basis)
    return token


@transaction.atomic
def feed_token_revoke(*, actor) -> bool:
    """Delete the actor's feed token. Returns False when there was none."""
    current = CalendarFeedToken.objects.select_for_update().filter(user=actor).first()
    if current is None:
        return False
    record(actor=actor, action="calendar_feed.delete", obj=current)
    current.delete()
    return True


def feed_user(token: str):
    """The user a feed token belongs to, or None: unknown/revoked token, deactivated user, no
    current membership, or no longer allowed to list meetings."""
    if not token or len(token) > 100:
        return None
    row = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    user = row.user
    if not Membership.objects.current().filter(user=user).exists():
        return None
    if not check(user, "meeting.list").allowed:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(hours=1):
        CalendarFeedToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return user

"""Calendar subscription: the user's secret feed URL (managed on a page) and the feed itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies.policy import require

from .. import feeds
from ..models import CalendarFeedToken


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    """Show whether a feed URL exists; issue/rotate it (the URL is shown once) or revoke it."""
    require(request.user, "meeting.list")
    feed_url = None
    if request.method == "POST":
        if request.POST.get("op") == "revoke":
            if feeds.feed_token_revoke(actor=request.user):
                messages.success(request, _("購読URLを無効にしました。"))
            return redirect("meetings:calendar_feed_settings")
        token = feeds.feed_token_issue(actor=request.user)
        feed_url = request.build_absolute_uri(
            f"{reverse('meetings:calendar_feed')}?{urlencode({'key': token})}"
        )
    current = CalendarFeedToken.objects.filter(user=request.user).first()
    response = render(
        request,
        "meetings/calendar_feed.html",
        {"current": current, "feed_url": feed_url, "nav_active": "meetings"},
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def calendar_feed(request):
    """The feed for calendar apps: no session; the secret in the query string (`?key=`) is the
    credential — query strings stay out of the access and application logs (Dockerfile's
    gunicorn format, config.logfilters), a path would not. Unknown, revoked or rotated tokens,
    deactivated users and users without a current membership → 404."""
    user = feeds.feed_user(request.GET.get("key", ""))
    if user is None:
        raise Http404
    body = feeds.user_calendar_ics(user, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tsunagu-meetings.ics"'
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response

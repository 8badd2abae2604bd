from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from . import dashboard as dashboard_panels
from . import panels  # noqa: F401 - registers the agencies panels
from .combobox import Option, limited, picker_response
from .policy import require
from .services import staff_update


@login_required
def dashboard(request):
    """ "What needs me": panels contributed by every app for the user's roles."""
    return render(
        request,
        "agencies/dashboard.html",
        {
            "panels": dashboard_panels.panels_for(request.user),
            "memberships": request.user.current_memberships(),
        },
    )


@never_cache
@require_GET
def healthz(request):
    """Database and broker reachable. No personal data, no authentication needed.

    Also the page's keepalive: a signed-in session is extended now (agencies.sessions)."""
    request.keep_session_alive = True
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not healthy
        checks["database"] = "error"
    try:
        from config.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception:  # noqa: BLE001
        checks["broker"] = "error"
    # Without the broker the web still serves every page: background work waits in the outbox
    # (outbox/services.py) and is sent when Redis is back. So a broker outage is "degraded" (200,
    # the load balancer keeps the web in rotation); only a database failure is 503.
    if checks["database"] != "ok":
        status, code = "error", 503
    elif checks["broker"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks}, status=code)


@login_required
@require_POST
def set_date_style(request):
    """和暦 alone, or 和暦 with the Western year (User.show_seireki), kept on the account."""
    user = request.user
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    wanted = request.POST.get("seireki") == "1"
    if user.show_seireki != wanted:
        staff_update(actor=user, staff=user, data={"show_seireki": wanted}, expected_version=None)
    return redirect(next_url)


@require_POST
def set_language(request):
    """Switch the UI language; for a logged-in user also keep it on the account, because the
    per-user language in SecurityPolicyMiddleware wins over the cookie on every request."""
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        staff_update(actor=user, staff=user, data={"language": language}, expected_version=None)
    return django_set_language(request)


@login_required
@require_GET
def staff_picker(request):
    """The 担当者 picker: care-role staff of the agency given as ?agency= (agencies/combobox.py)."""
    from django.utils.translation import gettext as _

    from .selectors import staff_pick, staff_role_at

    require(request.user, "staff.list")
    agency = request.GET.get("agency", "")
    if not agency.isdigit():
        agency = ""
    users, more = limited(
        staff_pick(actor=request.user, agency_id=agency, q=request.GET.get("q", ""))
    )
    options = [
        Option(str(u.pk), u.display_name or u.username, staff_role_at(u, int(agency)))
        for u in users
    ]
    return picker_response(
        request, options, more=more, hint="" if agency else _("先に機関を選んでください。")
    )


@login_required
@require_GET
def agency_picker(request, purpose: str = "active"):
    """The 機関 picker (agencies/combobox.py): agencies for `purpose` (agencies.selectors
    .agencies_for — every active agency, or those a つなぐシート can be sent to) matching ?q=.
    The directory holds no personal data, so nothing is audited."""
    from django.utils.translation import gettext as _

    from .selectors import agency_detail, agency_label, agency_pick

    require(request.user, "agency.view")
    agencies, more = limited(
        agency_pick(actor=request.user, q=request.GET.get("q", ""), purpose=purpose)
    )
    options = [Option(str(a.pk), agency_label(a), agency_detail(a)) for a in agencies]
    hint = ""
    if not request.GET.get("q", "").strip():
        hint = _("機関名・ふりがな・機関種別・地区で検索できます。")
    return picker_response(request, options, more=more, hint=hint)

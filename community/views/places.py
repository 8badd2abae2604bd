"""Places (拠点・居場所) and the resource catalogue: register, page, create/edit, print, export;
sessions (tallies) and the 気づき that arise at a place."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import apply_service_errors
from agencies.jpdates import fiscal_year, fiscal_year_label, format_date
from agencies.paging import FirstPageCountingPaginator
from agencies.pdf import pdf_response, render_pdf
from agencies.policy import check, require
from audit.services import record

from .. import exports, selectors, services, services_activity
from ..choices import (
    AGE_BANDS,
    ATTRIBUTES,
    Function,
    OperatorKind,
    ResourceKind,
    ResourceStatus,
    TargetGroup,
)
from ..forms import ResourceForm, SessionForm, districts, spheres
from ..models import PlaceConcern, Resource, Session
from ..models.resources import OPEN_PLACE_RULE
from .common import by_public_id

PAGE_SIZE = 50
FILTER_KEYS = (
    "q",
    "kind",
    "area",
    "small_area",
    "operator_kind",
    "status",
    "function",
    "target",
    "places",
    "new",
)


def _filters(request) -> dict:
    params = {k: request.GET.get(k, "").strip()[:100] for k in FILTER_KEYS}
    if "places" not in request.GET:
        params["places"] = "1"  # the register lists places; the catalogue view shows all
    return params


@login_required
def index(request):
    require(request.user, "resource.list")
    start, end = selectors.current_fy_range()
    return render(
        request,
        "community/index.html",
        {
            "nav_active": "community",
            "fy_label": fiscal_year_label(fiscal_year(start)),
            "summary": selectors.community_summary(start=start, end=end),
            "place_rule": OPEN_PLACE_RULE,
            "can_create": check(request.user, "resource.create").allowed,
            "can_volunteers": check(request.user, "volunteer.list").allowed,
        },
    )


@login_required
def place_list(request):
    decision = require(request.user, "resource.list")
    params = _filters(request)
    start, end = selectors.current_fy_range()
    qs = selectors.filter_places(
        selectors.places_with_figures(start=start, end=end), params
    ).order_by("area__sort_order", "kana", "pk")
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        require(request.user, "resource.export")
        header, rows = exports.place_rows(qs)
        record(
            actor=request.user,
            action="resource.export",
            basis=decision.basis,
            object_type="community.resource",
            object_id=f"{len(rows)} rows",
        )
        return exports.table_response(
            fmt, f"拠点・居場所一覧_{timezone.localdate():%Y%m%d}", header, rows
        )
    if fmt == "pdf":
        places = list(qs[:2000])
        pdf = render_pdf(
            "community/print/place_register.html",
            {"places": places, "print_date": timezone.localdate(), "title": _("拠点・居場所 台帳")},
            request=request,
        )
        record(
            actor=request.user,
            action="resource.print",
            basis=decision.basis,
            kind="view",
            object_type="community.resource",
            object_id=f"{len(places)} rows",
        )
        return pdf_response(pdf, f"拠点・居場所台帳_{timezone.localdate():%Y%m%d}.pdf")
    page = FirstPageCountingPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/place_list.html",
        {
            "nav_active": "community",
            "page_obj": page,
            "filters": params,
            "kinds": ResourceKind.choices,
            "operator_kinds": OperatorKind.choices,
            "statuses": ResourceStatus.choices,
            "functions": Function.choices,
            "targets": TargetGroup.choices,
            "spheres": spheres(),
            "districts": districts(),
            "can_create": check(request.user, "resource.create").allowed,
            "fy_start": start,
            "today": timezone.localdate(),
        },
    )


@login_required
def place_detail(request, public_id):
    resource = by_public_id(Resource.objects.for_list(), public_id)
    require(request.user, "resource.view", resource)
    start, end = selectors.current_fy_range()
    figures = selectors.place_figures(resource, start=start, end=end)
    sessions = list(resource.sessions.all()[:12])
    can_link = check(request.user, "place_concern.link", None).allowed
    concerns, linkable = [], []
    if can_link:
        from cases.selectors.intake import consultations_visible_to

        concerns = list(resource.concerns.select_related("concern_slip", "consultation")[:20])
        # Consultations received 「居場所・サロンで」 by the user's agencies and not yet linked to a
        # place: offered by date, agency and a short id only (no content on the place page).
        linkable = list(
            consultations_visible_to(request.user)
            .filter(route="ibasho", place_link__isnull=True)
            .order_by("-received_at")[:30]
        )
    return render(
        request,
        "community/place_detail.html",
        {
            "nav_active": "community",
            "r": resource,
            "figures": figures,
            "all_time_consultations": selectors.consultations_arising(resource),
            "sessions": sessions,
            "concerns": concerns,
            "linkable": linkable,
            "fy_label": fiscal_year_label(fiscal_year(start)),
            "can_edit": check(request.user, "resource.update", resource).allowed,
            "can_tally": resource.is_place
            and check(request.user, "session.create", resource).allowed,
            "can_link": can_link,
            "issues": list(resource.issues_raised.all()[:10]),
            "origin_issue": resource.origin_issue,
            "origin_program": resource.origin_program,
        },
    )


def _resource_form_page(request, form, title, resource=None):
    return render(
        request,
        "community/form_page.html",
        {
            "nav_active": "community",
            "form": form,
            "title": title,
            "submit": _("保存する"),
            "back": resource.get_absolute_url() if resource else None,
        },
    )


@login_required
def place_create(request):
    require(request.user, "resource.create")
    initial = {"start_date": timezone.localdate(), "status": ResourceStatus.ACTIVE}
    form = ResourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(actor=request.user, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("拠点・資源を登録しました。"))
            return redirect(resource)
    return _resource_form_page(request, form, _("拠点・資源の登録"))


@login_required
def place_edit(request, public_id):
    resource = by_public_id(Resource, public_id)
    require(request.user, "resource.update", resource)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        resource.refresh_from_db()
        try:
            services.resource_update(
                actor=request.user,
                resource=resource,
                expected_version=form.cleaned_data.get("expected_version"),
                **form.service_data(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("拠点・資源を更新しました。"))
            return redirect(resource)
    return _resource_form_page(
        request, form, _("拠点・資源の編集: %(name)s") % {"name": resource.name}, resource
    )


# --- sessions --------------------------------------------------------------------------------------


@login_required
def session_list(request, public_id):
    resource = by_public_id(Resource, public_id)
    require(request.user, "session.list", resource)
    qs = resource.sessions.select_related("recorded_by").order_by("-held_on", "-pk")
    page = FirstPageCountingPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/session_list.html",
        {
            "nav_active": "community",
            "r": resource,
            "page_obj": page,
            "age_bands": AGE_BANDS,
            "can_tally": resource.is_place
            and check(request.user, "session.create", resource).allowed,
        },
    )


@login_required
def session_tally(request, public_id):
    """The mobile-first tally page: big +/− counters per age band and attribute."""
    resource = by_public_id(Resource, public_id)
    require(request.user, "session.create", resource)
    if not resource.is_place:
        raise Http404
    form = SessionForm(request.POST or None, initial={"idempotency_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key", None)
        try:
            session = services_activity.session_record(
                actor=request.user, resource=resource, idempotency_key=key, **data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(date)s の開催を記録しました(参加者 延べ%(n)s人)。")
                % {"date": format_date(session.held_on), "n": session.participants},
            )
            return redirect("community:session_list", resource.public_id)
    return render(
        request,
        "community/session_tally.html",
        {"nav_active": "community", "r": resource, "form": form},
    )


@login_required
def session_edit(request, public_id):
    session = by_public_id(Session.objects.select_related("resource"), public_id)
    require(request.user, "session.update", session)
    initial = {f: getattr(session, f) for f in services_activity.SESSION_FIELDS}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("idempotency_key", None)
        try:
            services_activity.session_update(actor=request.user, session=session, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("開催記録を更新しました。"))
            return redirect("community:session_list", session.resource.public_id)
    return render(
        request,
        "community/session_tally.html",
        {"nav_active": "community", "r": session.resource, "form": form, "session": session},
    )


@login_required
@require_POST
def session_delete(request, public_id):
    """Remove a tally recorded by mistake (asked to confirm on the edit page)."""
    session = by_public_id(Session.objects.select_related("resource"), public_id)
    require(request.user, "session.delete", session)
    services_activity.session_delete(actor=request.user, session=session)
    messages.success(
        request,
        _("%(date)s の開催記録を削除しました。") % {"date": format_date(session.held_on)},
    )
    return redirect("community:session_list", session.resource.public_id)


@login_required
def session_print(request, public_id):
    session = by_public_id(Session.objects.select_related("resource", "recorded_by"), public_id)
    decision = require(request.user, "session.view", session)
    pdf = render_pdf(
        "community/print/session.html",
        {
            "s": session,
            "r": session.resource,
            "ages": [(label, getattr(session, f)) for f, label in AGE_BANDS],
            "attrs": [(label, getattr(session, f)) for f, label in ATTRIBUTES],
            "print_date": timezone.localdate(),
            "title": _("開催記録"),
        },
        request=request,
    )
    record(
        actor=request.user,
        action="session.print",
        obj=session,
        basis=decision.basis,
        kind="view",
        changes=["pdf"],
    )
    return pdf_response(pdf, f"開催記録_{session.held_on:%Y%m%d}.pdf")


# --- 気づき from places ------------------------------------------------------------------------------


@login_required
def concern_submit(request):
    """A resident host passes on a 気づき noticed at a place (their 気づきシート, linked to it)."""
    from cases.services.intake import concern_slip_destinations

    from ..forms import PlaceConcernForm

    require(request.user, "place_concern.create")
    form = PlaceConcernForm(request.POST or None, destinations=concern_slip_destinations())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        resource = data.pop("resource")
        try:
            services_activity.place_concern_submit(actor=request.user, resource=resource, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("気づきを届けました。届け先の担当者が確認します。"))
            return redirect("dashboard")
    return render(
        request,
        "community/form_page.html",
        {
            "form": form,
            "title": _("居場所での気づきを届ける"),
            "lead": _(
                "居場所で気になった方のことを、社会福祉協議会または地域包括支援センターに届けます。"
            ),
            "submit": _("届ける"),
        },
    )


@login_required
@require_POST
def concern_link(request, public_id):
    """Community staff record the consultation a place's 気づき led to (by its public id)."""
    from cases.models import Consultation

    resource = by_public_id(Resource, public_id)
    require(request.user, "place_concern.link", None)
    concern = None
    if request.POST.get("concern"):
        concern = by_public_id(
            PlaceConcern.objects.filter(resource=resource), request.POST["concern"]
        )
    consultation = by_public_id(Consultation, request.POST.get("consultation", "").strip())
    try:
        services_activity.place_concern_link_consultation(
            actor=request.user,
            consultation=consultation,
            concern=concern,
            resource=None if concern else resource,
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("相談受付とつなぎました。"))
    return redirect(resource)

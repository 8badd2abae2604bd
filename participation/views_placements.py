"""HTML views of matching, placements, the catalogue and gaps. Thin: policy, form, one service,
render. A record the user may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import apply_service_errors, message_service_errors
from agencies.paging import FirstPageCountingPaginator
from agencies.pdf import pdf_response, render_pdf
from agencies.policy import can, check, require
from audit.services import record

from . import forms_placements as pf
from . import selectors as sel
from . import selectors_matching as msel
from . import services_placements as svc
from .forms import WeightsForm
from .matching import CRITERIA, INTEREST_LABELS, rank
from .models import ParticipationAssessment, Placement, ResourceGap, ResourceProfile
from .views import _assessment, _case, found_with_access, with_access

MATCH_LIMIT = 30


def _ctx(**extra):
    return {"nav_active": "participation", **extra}


def _placement(request, public_id, action: str = "placement.view", *, page: bool = False):
    qs = with_access(
        Placement.objects.select_related(
            "case", "person", "resource", "resource__area", "agency", "worker", "assessment"
        ),
        request.user,
    )
    found = get_object_or_404(msel.with_page_figures(qs) if page else qs, public_id=public_id)
    p = found_with_access(request.user, found)
    if not check(request.user, "placement.view", p):
        raise Http404
    return p, require(request.user, action, p)


def _resource(public_id):
    from community.models import Resource

    return get_object_or_404(Resource.objects.select_related("area"), public_id=public_id)


# --- matching ------------------------------------------------------------------------------------


def _match(a: ParticipationAssessment, params):
    weights_form = WeightsForm(
        {k: params[k] for k in CRITERIA if params.get(k) not in (None, "")} or None
    )
    excluded = [x for x in params.getlist("x") if x][:200]
    results = rank(
        sel.person_facts(a), msel.catalogue_facts(), weights_form.weights(), exclude=excluded
    )
    return weights_form, excluded, results


def _resources_by_key(keys) -> dict:
    from community.models import Resource

    wanted = [k for k in keys if k]
    rows = Resource.objects.filter(public_id__in=wanted).select_related("area")
    return {str(r.public_id): r for r in rows}


def match_labels() -> dict[str, str]:
    """The words every candidate of the matching list repeats, translated once for the list
    (participation/_match_item.html): thirty candidates asked for ten each."""
    return {
        "outside": _("条件外"),
        "capacity": _("定員"),
        "taking_part": _("参加中"),
        "reasons_for": _("合う理由"),
        "reasons_against": _("合わない理由"),
        "proposed": _("提案・参加中"),
        "role": _("参加のかたち"),
        "user": _("利用者"),
        "helper": _("担い手"),
        "activity": _("そこで行うこと"),
        "propose": _("この参加先を提案する"),
        "exclude": _("候補から除外"),
    }


@login_required
def match(request, public_id):
    """Ranked resources for the person, each with its reasons; the worker weights, excludes,
    proposes. Nothing is stored until a placement is proposed: a candidate's proposal posts
    here (to the list's own address and query, so a refused one answers the same list)."""
    if request.method == "POST":
        return propose(request, public_id)
    a, _decision = _assessment(request, public_id, "participation.match")
    return _match_page(request, a, _match_query(request.GET))


def _match_query(params) -> QueryDict:
    """What a matching list is made of — weights, exclusions, page, `all` — and nothing else."""
    query = QueryDict(mutable=True)
    for key in (*CRITERIA, "x", "page", "all"):
        values = [v for v in params.getlist(key) if v]
        if values:
            query.setlist(key, values)
    return query


def _match_page(request, a, query: QueryDict, *, failed=None, status: int = 200):
    """The matching list for `query`, a page of `MATCH_LIMIT` candidates at a time (those a
    condition rules out below, on request). `failed`: the candidate whose proposal was refused,
    with what was typed and the errors, shown at that candidate when its form is on the page;
    otherwise (already proposed or taking part, not on this page, no form) the errors go in a
    block above the list, so a refusal is never silent."""
    decision = require(request.user, "participation.match", a)
    weights_form, excluded, results = _match(a, query)
    show_all = query.get("all") == "1"
    candidates = [m for m in results if not m.excluded_by_condition]
    conditioned = [m for m in results if m.excluded_by_condition]
    page = FirstPageCountingPaginator(candidates, MATCH_LIMIT).get_page(query.get("page"))
    shown = list(page.object_list)
    by_key = _resources_by_key(
        [m.resource.key for m in shown + (conditioned if show_all else [])] + excluded
    )
    for m in shown + conditioned:
        m.model = by_key.get(m.resource.key)
    record(actor=request.user, action="participation.match", obj=a, basis=decision.basis)
    open_keys = set(
        str(k)
        for k in Placement.objects.open()
        .filter(person=a.person)
        .values_list("resource__public_id", flat=True)
    )
    can_propose = a.is_current and can(request.user, "placement.create", a.case)
    listed = {m.resource.key for m in shown + (conditioned if show_all else [])}
    with_form = listed - open_keys if can_propose else set()
    at_candidate = bool(failed) and failed["key"] in with_form
    return render(
        request,
        "participation/match.html",
        _ctx(
            a=a,
            case=a.case,
            person_name=sel.person_names(request.user, [a.person])[a.person_id],
            weights_form=weights_form,
            page_obj=page,
            results=shown,
            conditioned=conditioned if show_all else [],
            conditioned_count=len(conditioned),
            excluded=[by_key[k] for k in excluded if k in by_key],
            excluded_keys=excluded,
            open_keys=open_keys,
            can_propose=can_propose,
            query=query.urlencode(),
            failed=failed if at_candidate else None,
            failed_errors=failed["errors"] if failed and not at_candidate else [],
            label=match_labels(),
            propose_url=reverse("participation:match", args=[a.public_id]),
        ),
        status=status,
    )


@login_required
@require_POST
def propose(request, public_id):
    """Propose a candidate of the matching list (the list's query string ranks it again); a
    refusal answers the list with the candidate's form as typed and its errors (400)."""
    a, _decision = _assessment(request, public_id, "placement.create")
    form = pf.ProposeForm(request.POST)
    query = _match_query(request.GET)
    if form.is_valid():
        _w, _x, results = _match(a, query)
        key = str(form.cleaned_data["resource"])
        chosen = next((m for m in results if m.resource.key == key), None)
        resource = _resources_by_key([key]).get(key)
        if chosen is None or resource is None:
            raise Http404
        try:
            placement = svc.placement_propose(
                assessment=a,
                resource=resource,
                actor=request.user,
                role=form.cleaned_data["role"],
                activity=form.cleaned_data["activity"],
                match=chosen,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("参加先を提案として登録しました。"))
            return redirect(placement.get_absolute_url())
    failed = {
        "key": request.POST.get("resource", ""),
        "role": request.POST.get("role", ""),
        "activity": request.POST.get("activity", ""),
        "errors": [e for errors in form.errors.values() for e in errors],
    }
    return _match_page(request, a, query, failed=failed, status=400)


# --- placement -----------------------------------------------------------------------------------


def _placement_context(request, p):
    """What the placement page and its print show of `p`, read with its figures
    (selectors_matching.with_page_figures)."""
    lists = msel.page_lists(p)
    totals = {"n": p.days_count, "hours": p.days_hours}
    follow_ups = lists["follow_ups"]
    last_follow_up = follow_ups[0].on if follow_ups else None
    return {
        "p": p,
        "case": p.case,
        "person_name": sel.person_names(request.user, [p.person])[p.person_id],
        "transitions": lists["transitions"],
        "days": lists["days"],
        "totals": totals,
        "follow_ups": follow_ups,
        "last_follow_up": last_follow_up,
        "person_follow_ups": sum(1 for f in follow_ups if f.target == "person"),
        "host_follow_ups": sum(1 for f in follow_ups if f.target == "host"),
        "host_support": sum(1 for f in follow_ups if f.is_host_support),
        "occupied": p.resource_occupied,
    }


@login_required
def placement_detail(request, public_id):
    p, _decision = _placement(request, public_id, page=True)
    return _placement_page(request, p)


def _placement_page(request, p, *, bound: dict | None = None, status: int = 200):
    """The placement page with its forms: empty ones, or (`bound`: context name → form) the
    form whose post was refused, as typed and with its errors at its fields — not a message
    above a form reset to today. `p` is read with its page figures (`_placement(page=True)`)."""
    decision = require(request.user, "placement.view", p)
    record(actor=request.user, action="placement.view", obj=p, basis=decision.basis)
    can_edit = can(request.user, "placement.log", p)
    forms = {
        "move_form": pf.MoveForm(placement=p) if can_edit and p.status != "ended" else None,
        "activity_form": pf.ActivityForm() if can_edit else None,
        "follow_up_form": pf.FollowUpForm() if can_edit else None,
        **(bound or {}),
    }
    return render(
        request,
        "participation/placement.html",
        _ctx(
            **_placement_context(request, p),
            **forms,
            can_edit=can_edit,
            today=timezone.localdate(),
        ),
        status=status,
    )


def _post_back(request, p, name: str, form, call, ok: str, field_map=None):
    """Validate the placement page's form `name`, call the service; a refusal answers the page
    again with the form as typed (400)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map)
        else:
            messages.success(request, ok)
            return redirect(p.get_absolute_url())
    return _placement_page(request, p, bound={name: form}, status=400)


@login_required
@require_POST
def placement_move(request, public_id):
    p, _decision = _placement(request, public_id, "placement.transition", page=True)
    form = pf.MoveForm(request.POST, placement=p)
    return _post_back(
        request,
        p,
        "move_form",
        form,
        lambda d: svc.placement_move(
            placement=p,
            actor=request.user,
            to=d["to"],
            on=d["on"],
            note=d["note"],
            outcome=d["outcome"],
            outcome_note=d["outcome_note"],
        ),
        _("状態を更新しました。"),
    )


@login_required
@require_POST
def placement_activity(request, public_id):
    p, _decision = _placement(request, public_id, "placement.log", page=True)
    form = pf.ActivityForm(request.POST)
    return _post_back(
        request,
        p,
        "activity_form",
        form,
        lambda d: svc.activity_record(
            placement=p,
            actor=request.user,
            days=d["days"],
            hours=d["hours"],
            source=d["source"],
            note=d["note"],
        ),
        _("活動日を記録しました。"),
        field_map={"days": "on"},
    )


@login_required
@require_POST
def placement_follow_up(request, public_id):
    p, _decision = _placement(request, public_id, "placement.log", page=True)
    form = pf.FollowUpForm(request.POST)
    return _post_back(
        request,
        p,
        "follow_up_form",
        form,
        lambda d: svc.follow_up_record(
            placement=p,
            actor=request.user,
            target=d["target"],
            kind=d["kind"],
            on=d["on"],
            minutes=d["minutes"],
            content=d["content"],
        ),
        _("フォローアップを記録しました。"),
    )


@login_required
def placement_pdf(request, public_id):
    p, decision = _placement(request, public_id, "placement.print", page=True)
    context = _placement_context(request, p)
    context["person_name"] = p.person.full_name
    pdf = render_pdf("participation/print/placement.html", context, request=request)
    record(actor=request.user, action="placement.export", obj=p, basis=decision.basis)
    return pdf_response(pdf, f"参加先記録_{p.case.number}.pdf")


@login_required
def plan_pdf(request, case_id):
    """参加支援計画書: the participation plan (shared plan sheet, programme 参加支援) with the
    current assessment and the placements, on A4."""
    case, decision = _case(request, case_id, "participation_assessment.print")
    plan = (
        case.plans.filter(programme="participation")
        .exclude(status="superseded")
        .prefetch_related("items__agency", "items__staff")
        .order_by("-number")
        .first()
    )
    assessments = list(
        ParticipationAssessment.objects.current()
        .filter(case=case)
        .select_related("person", "author", "agency")
    )
    placements = list(
        Placement.objects.filter(case=case).select_related("resource", "person").order_by("pk")
    )
    pdf = render_pdf(
        "participation/print/plan.html",
        {
            "case": case,
            "plan": plan,
            "assessments": [(a, sel.assessment_sections(a)) for a in assessments],
            "placements": placements,
        },
        request=request,
    )
    record(actor=request.user, action="plan.export", obj=plan or case, basis=decision.basis)
    return pdf_response(pdf, f"参加支援計画書_{case.number}.pdf")


# --- catalogue -----------------------------------------------------------------------------------


@login_required
def catalogue(request):
    """社会資源 as 参加支援 staff see them: activities, conditions, places left."""
    require(request.user, "participation.catalogue")
    form = pf.CatalogueFilter(request.GET or None)
    qs = msel.catalogue_queryset().only(*msel.CATALOGUE_COLUMNS)
    if form.is_valid():
        qs = form.apply(qs)
    page = FirstPageCountingPaginator(qs, 50).get_page(request.GET.get("page"))
    rows = []
    for r in page.object_list:
        facts = msel.resource_facts(r)
        rows.append((r, facts, [INTEREST_LABELS[c] for c in sorted(facts.activities)]))
    return render(
        request,
        "participation/catalogue.html",
        _ctx(
            page_obj=page,
            rows=rows,
            form=form,
            can_gaps=can(request.user, "resource_gap.list"),
        ),
    )


@login_required
def resource_detail(request, public_id):
    require(request.user, "participation.catalogue")
    resource = _resource(public_id)
    profile = ResourceProfile.objects.filter(resource=resource).first()
    can_profile = can(request.user, "resource_profile.edit", resource)
    form = None
    if can_profile:
        form = pf.ProfileForm(request.POST or None, instance=profile or ResourceProfile())
        if request.method == "POST" and form.is_valid():
            saved = form.save(commit=False)
            try:
                svc.profile_save(resource=resource, profile=saved, actor=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("受け入れ情報を保存しました。"))
                return redirect("participation:resource", resource.public_id)
    elif request.method == "POST":
        require(request.user, "resource_profile.edit", resource)
    occupied = msel.occupancy([resource.pk]).get(resource.pk, 0)
    facts = msel.resource_facts(resource)
    gaps = (
        list(resource.filled_gaps.order_by("-recorded_on"))
        if can(request.user, "resource_gap.list")
        else []
    )
    return render(
        request,
        "participation/resource.html",
        _ctx(
            resource=resource,
            profile=profile,
            facts=facts,
            occupied=occupied,
            form=form,
            gaps=gaps,
        ),
    )


# --- gaps ----------------------------------------------------------------------------------------


@login_required
def gap_new(request, public_id):
    a, _decision = _assessment(request, public_id, "resource_gap.create")
    form = pf.GapForm(
        request.POST or None,
        initial={"interests": a.interests, "area": a.person.area_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            gap = svc.gap_record(actor=request.user, assessment=a, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("資源の不足を記録しました。"))
            return redirect(gap.get_absolute_url())
    return render(
        request,
        "participation/gap_form.html",
        _ctx(form=form, a=a, case=a.case),
    )


@login_required
def gap_list(request):
    require(request.user, "resource_gap.list")
    qs = ResourceGap.objects.select_related(
        "community_issue", "resource", "area", "agency"
    ).order_by("-recorded_on", "-pk")
    page = FirstPageCountingPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "participation/gap_list.html", _ctx(page_obj=page))


@login_required
def gap_detail(request, public_id):
    require(request.user, "resource_gap.list")
    return _gap_page(request, _gap(public_id))


def _gap(public_id) -> ResourceGap:
    return get_object_or_404(
        ResourceGap.objects.select_related("community_issue", "resource", "area", "case"),
        public_id=public_id,
    )


def _gap_page(request, gap, *, link_form=None, status: int = 200):
    """The gap's page; `link_form`: the refused 結び付け form, as chosen and with its error."""
    case_visible = gap.case is not None and check(request.user, "case.view", gap.case)
    return render(
        request,
        "participation/gap_detail.html",
        _ctx(
            gap=gap,
            case_visible=case_visible,
            link_form=link_form or pf.GapResourceForm(),
        ),
        status=status,
    )


@login_required
@require_POST
def gap_raise(request, public_id):
    require(request.user, "resource_gap.list")
    gap = get_object_or_404(ResourceGap, public_id=public_id)
    try:
        svc.gap_raise_issue(gap=gap, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("地域課題として提起しました。"))
    return redirect(gap.get_absolute_url())


@login_required
@require_POST
def gap_link(request, public_id):
    require(request.user, "resource_gap.list")
    gap = _gap(public_id)
    form = pf.GapResourceForm(request.POST)
    if form.is_valid():
        try:
            svc.gap_link_resource(
                gap=gap, resource=form.cleaned_data["resource"], actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("生まれた資源を結び付けました。"))
            return redirect(gap.get_absolute_url())
    return _gap_page(request, gap, link_form=form, status=400)

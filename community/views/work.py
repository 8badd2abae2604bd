"""Platforms (協議の場), courses and events; community issues → actions → resources; agreements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import apply_service_errors
from agencies.paging import FirstPageCountingPaginator
from agencies.policy import check, require

from .. import services_activity as sa
from ..choices import IssueSource, ProgramKind
from ..forms import (
    AgreementForm,
    IssueActionForm,
    IssueForm,
    IssueStatusForm,
    LinkResourceForm,
    ProgramForm,
    ProgramSessionForm,
)
from ..models import Agreement, CommunityIssue, IssueAction, Program
from .common import by_public_id


def _form_page(request, form, title, back=None, submit=None):
    return render(
        request,
        "community/form_page.html",
        {
            "nav_active": "community",
            "form": form,
            "title": title,
            "submit": submit or _("保存する"),
            "back": back,
        },
    )


# --- platforms, courses, events ---------------------------------------------------------------


@login_required
def program_list(request):
    require(request.user, "program.list")
    kind = request.GET.get("kind", "")
    qs = Program.objects.select_related("area", "organiser").annotate(
        n_sessions=Count("sessions"), participants=Coalesce(Sum("sessions__participants"), 0)
    )
    if kind in ProgramKind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "community/program_list.html",
        {
            "nav_active": "community",
            "programs": list(qs.order_by("kind", "-started_on", "pk")[:500]),
            "kinds": ProgramKind.choices,
            "kind": kind,
            "can_manage": check(request.user, "program.manage").allowed,
        },
    )


@login_required
def program_detail(request, public_id):
    program = by_public_id(Program.objects.select_related("area", "organiser"), public_id)
    require(request.user, "program.view", program)
    sessions = list(program.sessions.select_related("recorded_by").prefetch_related("issues"))
    return render(
        request,
        "community/program_detail.html",
        {
            "nav_active": "community",
            "p": program,
            "sessions": sessions,
            "totals": program.sessions.aggregate(
                n=Count("pk"),
                participants=Coalesce(Sum("participants"), 0),
                organisations=Coalesce(Sum("organisations"), 0),
            ),
            "created_resources": list(program.created_resources.select_related("area")),
            "session_form": ProgramSessionForm(),
            "can_manage": check(request.user, "program.manage", program).allowed,
            "can_raise": check(request.user, "communityissue.create").allowed,
        },
    )


@login_required
def program_create(request):
    require(request.user, "program.manage")
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = sa.program_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("登録しました。"))
            return redirect("community:program_detail", program.public_id)
    return _form_page(request, form, _("協議の場・講座の登録"))


@login_required
def program_edit(request, public_id):
    program = by_public_id(Program, public_id)
    require(request.user, "program.manage", program)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        program.refresh_from_db()
        try:
            sa.program_update(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("更新しました。"))
            return redirect("community:program_detail", program.public_id)
    return _form_page(request, form, _("協議の場・講座の編集"))


@login_required
def program_session_create(request, public_id):
    program = by_public_id(Program, public_id)
    require(request.user, "program.manage", program)
    form = ProgramSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sa.program_session_record(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("開催を記録しました。"))
            return redirect("community:program_detail", program.public_id)
    return _form_page(
        request, form, _("開催の記録: %(name)s") % {"name": program.name}, submit=_("記録する")
    )


# --- community issues ----------------------------------------------------------------------------


@login_required
def issue_list(request):
    require(request.user, "communityissue.list")
    status = request.GET.get("status", "open")
    qs = CommunityIssue.objects.select_related("area", "owner_agency").annotate(
        n_actions=Count("actions", distinct=True),
        n_resources=Count("created_resources", distinct=True),
    )
    if status == "open":
        qs = qs.open()
    elif status in CommunityIssue.Status.values:
        qs = qs.filter(status=status)
    source = request.GET.get("source", "")
    if source in IssueSource.values:
        qs = qs.filter(source=source)
    page = FirstPageCountingPaginator(qs.order_by("-raised_on", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/issue_list.html",
        {
            "nav_active": "community",
            "page_obj": page,
            "status": status,
            "source": source,
            "statuses": CommunityIssue.Status.choices,
            "sources": IssueSource.choices,
            "can_create": check(request.user, "communityissue.create").allowed,
        },
    )


def _issue(public_id):
    return by_public_id(
        CommunityIssue.objects.select_related(
            "area",
            "owner_agency",
            "raised_by",
            "source_case",
            "source_resource",
            "source_program_session__program",
            "raised_from__meeting__body",
            "raised_from__case",
        ),
        public_id,
    )


@login_required
def issue_detail(request, public_id):
    return _issue_page(request, _issue(public_id))


def _issue_page(request, issue, *, action_form=None, link_form=None, status_form=None):
    """The issue's page; after a refused 取組, 資源 link or 状態 change that form comes back
    bound, with the errors at its fields and what was typed or chosen."""
    require(request.user, "communityissue.view", issue)
    case = issue.case
    can_update = check(request.user, "communityissue.update", issue).allowed
    return render(
        request,
        "community/issue_detail.html",
        {
            "nav_active": "community",
            "i": issue,
            # The case number and link only for those who may open the case.
            "case": case if case is not None and check(request.user, "case.view", case) else None,
            "actions": list(issue.actions.select_related("owner_agency", "owner")),
            "resources": list(issue.created_resources.select_related("area")),
            "can_update": can_update,
            "action_form": (action_form or IssueActionForm()) if can_update else None,
            "link_form": (link_form or LinkResourceForm()) if can_update else None,
            "status_form": (status_form or IssueStatusForm(initial={"status": issue.status}))
            if can_update
            else None,
            "can_create_resource": check(request.user, "resource.create").allowed,
        },
    )


@login_required
def issue_create(request):
    """Raise an issue; `?case=<uuid>` (from a case page), `?place=<uuid>` or
    `?program_session=<uuid>` names where it came from."""
    from cases.models import SupportCase

    from ..models import ProgramSession, Resource

    require(request.user, "communityissue.create")
    origin = {}
    if request.GET.get("case"):
        case = by_public_id(SupportCase, request.GET["case"])
        require(request.user, "case.view", case)
        origin = {"source_case": case, "source": IssueSource.CASE}
    elif request.GET.get("place"):
        origin = {
            "source_resource": by_public_id(Resource, request.GET["place"]),
            "source": IssueSource.PLACE,
        }
    elif request.GET.get("program_session"):
        origin = {
            "source_program_session": by_public_id(ProgramSession, request.GET["program_session"]),
            "source": IssueSource.PLATFORM,
        }
    form = IssueForm(request.POST or None, initial={"source": origin.get("source", "other")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data) | origin
        try:
            issue = sa.community_issue_raise(actor=request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("地域課題を登録しました。"))
            return redirect(issue)
    return _form_page(request, form, _("地域課題の登録"), submit=_("登録する"))


@login_required
@require_POST
def issue_action_create(request, public_id):
    issue = _issue(public_id)
    require(request.user, "communityissue.update", issue)
    form = IssueActionForm(request.POST)
    if form.is_valid():
        try:
            sa.issue_action_add(actor=request.user, issue=issue, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("取組を追加しました。"))
            return redirect(issue)
    return _issue_page(request, issue, action_form=form)


@login_required
@require_POST
def issue_action_done(request, public_id, action_id):
    issue = by_public_id(CommunityIssue, public_id)
    require(request.user, "communityissue.update", issue)
    action = IssueAction.objects.filter(issue=issue, pk=action_id).first()
    if action is None:
        from django.http import Http404

        raise Http404
    sa.issue_action_complete(actor=request.user, action=action)
    messages.success(request, _("取組を完了にしました。"))
    return redirect(issue)


@login_required
@require_POST
def issue_link_resource(request, public_id):
    issue = _issue(public_id)
    require(request.user, "communityissue.update", issue)
    form = LinkResourceForm(request.POST)
    if form.is_valid():
        try:
            sa.community_issue_link_resource(
                actor=request.user, issue=issue, resource=form.cleaned_data["resource"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("生まれた資源とつなぎました。"))
            return redirect(issue)
    return _issue_page(request, issue, link_form=form)


@login_required
@require_POST
def issue_status(request, public_id):
    issue = _issue(public_id)
    require(request.user, "communityissue.update", issue)
    form = IssueStatusForm(request.POST)
    if form.is_valid():
        try:
            sa.community_issue_set_status(
                actor=request.user, issue=issue, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("状態を変更しました。"))
            return redirect(issue)
    return _issue_page(request, issue, status_form=form)


# --- agreements ------------------------------------------------------------------------------------


@login_required
def agreement_list(request):
    require(request.user, "agreement.list")
    qs = Agreement.objects.select_related("our_agency").order_by("-signed_on", "pk")
    show = request.GET.get("show", "in_force")
    if show == "in_force":
        qs = qs.in_force()
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(partner_name__icontains=q) | Q(title__icontains=q))
    page = FirstPageCountingPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/agreement_list.html",
        {
            "nav_active": "community",
            "page_obj": page,
            "show": show,
            "q": q,
            "can_manage": check(request.user, "agreement.manage").allowed,
        },
    )


@login_required
def agreement_create(request):
    require(request.user, "agreement.manage")
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sa.agreement_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("協定を登録しました。"))
            return redirect("community:agreement_list")
    return _form_page(request, form, _("協定の登録"), submit=_("登録する"))


@login_required
def agreement_edit(request, public_id):
    agreement = by_public_id(Agreement, public_id)
    require(request.user, "agreement.manage", agreement)
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        agreement.refresh_from_db()
        try:
            sa.agreement_update(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("協定を更新しました。"))
            return redirect("community:agreement_list")
    return _form_page(request, form, _("協定の編集"))

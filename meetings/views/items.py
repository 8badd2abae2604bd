"""One agenda item: its paper (audited view, with the basis shown), editing, the per-item PDF,
and the decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.services import ledger_papers
from agencies.forms import apply_service_errors, message_service_errors
from agencies.pdf import PDF_FONT_FAMILY, pdf_response, render_pdf
from agencies.policy import check, require
from audit.services import record

from .. import policy, selectors, services
from ..choices import MeetingStatus
from ..forms import DecisionForm, PaperForm, RoleFormSet
from ..models import Decision
from .common import get_item


def _decision_of(item):
    try:
        return item.decision
    except Decision.DoesNotExist:
        return None


def _roles_of(user, item) -> list[tuple]:
    """(role, may the user mark it done) for the item's decision."""
    decision = _decision_of(item)
    if decision is None:
        return []
    roles = decision.roles.select_related(
        "owner_agency", "owner_user", "done_by", "plan_item__plan"
    )
    return [(r, check(user, "roleassignment.complete", r).allowed) for r in roles]


@login_required
def item_detail(request, public_id):
    item = get_item(public_id)
    decision = require(request.user, "agendaitem.view", item)
    record(actor=request.user, action="agendaitem.view", obj=item, basis=decision.basis)
    meeting = item.meeting
    can_edit = check(request.user, "agendaitem.edit", item).allowed
    return render(
        request,
        "meetings/item_detail.html",
        {
            "item": item,
            "meeting": meeting,
            "body": meeting.body,
            "basis_text": policy.ui_basis(decision),
            "covered": list(item.persons.all()),
            "decision": _decision_of(item),
            "roles": _roles_of(request.user, item),
            "addenda": list(item.addenda.select_related("author")),
            "issues": list(item.community_issues.all()),
            "can_edit_paper": can_edit
            and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_FIXED),
            "can_decide": can_edit
            and meeting.status == MeetingStatus.HELD
            and _decision_of(item) is None,
            "nav_active": "meetings",
        },
    )


@login_required
def paper_edit(request, public_id):
    item = get_item(public_id)
    require(request.user, "agendaitem.edit", item)
    form = PaperForm(request.POST or None, initial={"title": item.title, "paper": item.paper})
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_update(
                item=item,
                actor=request.user,
                paper=form.cleaned_data["paper"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("会議資料を保存しました。"))
            return redirect("meetings:item_detail", item.public_id)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": _("会議資料の編集: %(title)s") % {"title": item.title},
            "submit": _("保存する"),
            "nav_active": "meetings",
            "back_href": item,
            "lead": _(
                "氏名は書かず、続柄・年齢で表してください。資料は議題の範囲の人だけを扱います。"
            ),
        },
    )


@login_required
@require_POST
def paper_regenerate(request, public_id):
    item = get_item(public_id)
    try:
        services.paper_generate(item=item, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("ケースの記録から会議資料を作り直しました。"))
    return redirect("meetings:item_detail", item.public_id)


@login_required
def paper_pdf(request, public_id):
    item = get_item(public_id)
    decision = require(request.user, "agendaitem.view", item)
    record(actor=request.user, action="agendaitem.export", obj=item, basis=decision.basis)
    ledger_papers(actor=request.user, items=[item])
    item.access = decision
    item.basis_text = policy.ui_basis(decision)
    item.drawings = selectors.paper_drawings(item, font_family=PDF_FONT_FAMILY)
    pdf = render_pdf(
        "meetings/print/papers.html",
        {"meeting": item.meeting, "body": item.meeting.body, "items": [item]},
        request=request,
    )
    return pdf_response(pdf, f"会議資料_{item.meeting.date:%Y%m%d}_{item.order:02d}.pdf")


@login_required
def item_decide(request, public_id):
    item = get_item(public_id)
    require(request.user, "agendaitem.edit", item)
    meeting = item.meeting
    form = DecisionForm(
        request.POST or None, item=item, initial={"decided_on": meeting.date, "notes": item.notes}
    )
    # The roles' 期限 are checked against the decision's date at their own rows.
    decided_on = form.cleaned_data["decided_on"] if form.is_valid() else None
    roles = RoleFormSet(
        request.POST or None, prefix="roles", form_kwargs={"decided_on": decided_on}
    )
    if request.method == "POST" and form.is_valid() and roles.is_valid():
        data = form.cleaned_data
        role_rows = [r for r in (f.cleaned_data for f in roles.forms) if r and r.get("task")]
        try:
            services.item_record_decision(
                item=item,
                actor=request.user,
                kind=data["kind"],
                decided_on=data["decided_on"],
                text=data.get("text", ""),
                changes=data.get("changes", ""),
                notes=data.get("notes", ""),
                next_review_on=data.get("next_review_on"),
                roles=role_rows,
                lead_agency=data.get("lead_agency"),
                closure_reason=data.get("closure_reason") or None,
                issue_title=data.get("issue_title", ""),
                issue_description=data.get("issue_description", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("決定を記録しました。"))
            return redirect("meetings:meeting_detail", meeting.public_id)
    return render(
        request,
        "meetings/decision_form.html",
        {
            "item": item,
            "meeting": meeting,
            "form": form,
            "roles": roles,
            "nav_active": "meetings",
            "held": meeting.status == MeetingStatus.HELD,
        },
    )


@login_required
@require_POST
def item_answer(request, public_id):
    """A member's 書面開催 answer to one item (from the meeting page)."""
    from ..forms import WrittenAnswerForm
    from ..written import written_answer_record

    item = get_item(public_id)
    require(request.user, "meeting.view", item.meeting)
    form = WrittenAnswerForm(request.POST, prefix=f"a{item.pk}")
    if form.is_valid():
        try:
            written_answer_record(
                item=item,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            message_service_errors(request, exc)
        else:
            messages.success(request, _("書面の回答を記録しました。"))
    else:
        messages.error(request, _("回答を選んでください。"))
    return redirect("meetings:meeting_detail", item.meeting.public_id)

"""HTML views of 参加支援: the index, a case's participation page and the assessment sheet.
Thin: fetch through the policy, validate a form, call one service, render. A record the user
may not see is a 404 (nothing reveals that it exists)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import apply_service_errors
from agencies.pdf import pdf_response, render_pdf
from agencies.policy import can, check, require
from audit.services import record, record_list
from cases.models import SupportCase
from cases.policy.persons import prime_person_access, with_person_access
from cases.policy.support import prime_case_access, with_case_access

from . import forms as f
from . import selectors as sel
from . import services as svc
from .models import ParticipationAssessment


def _case(request, case_id, action: str = "participation_assessment.view"):
    cases = SupportCase.objects.select_related(
        "household", "lead_agency", "coordinating_agency", "coordinator", "principal"
    )
    case = get_object_or_404(with_case_access(cases, request.user, ""), public_id=case_id)
    prime_case_access(request.user, case, case)
    if not check(request.user, "case.view", case):
        raise Http404
    return case, require(request.user, action, case)


def with_access(queryset, user):
    """Sheets or placements with what the policies decide them on — the case's grants and team
    rows, the user's grants on the person — read in the same statement (cases.policy)."""
    return with_person_access(with_case_access(queryset, user), user)


def found_with_access(user, row):
    """Hand the rows `with_access` read with `row` to the policies of this request."""
    prime_case_access(user, row.case, row)
    prime_person_access(user, row.person, row)
    return row


def _assessment(request, public_id, action: str = "participation_assessment.view"):
    sheets = ParticipationAssessment.objects.select_related(
        "case", "case__lead_agency", "person", "author", "agency"
    )
    a = found_with_access(
        request.user, get_object_or_404(with_access(sheets, request.user), public_id=public_id)
    )
    if not check(request.user, "participation_assessment.view", a):
        raise Http404
    return a, require(request.user, action, a)


def _ctx(**extra):
    return {"nav_active": "participation", **extra}


@login_required
def index(request):
    """参加支援 top: the cases the worker follows (care staff) and the catalogue (everyone)."""
    require(request.user, "participation.index")
    rows, outcomes, page_obj = [], [], None
    if can(request.user, "participation.caseload"):
        rows, page_obj = sel.caseload(request.user, request.GET.get("page"))
        record_list(actor=request.user, action="case.list", objects=[r.case for r in rows])
        outcomes = sel.visible_outcomes(request.user)
    return render(
        request,
        "participation/index.html",
        _ctx(
            rows=rows,
            page_obj=page_obj,
            outcomes=outcomes,
            can_caseload=can(request.user, "participation.caseload"),
            can_gaps=can(request.user, "resource_gap.list"),
        ),
    )


@login_required
def case_page(request, case_id):
    case, _decision = _case(request, case_id)
    return _case_page(request, case)


def _case_page(request, case, *, start_form=None, status: int = 200):
    """A case's participation page; `start_form`: the refused 作成 form, with its errors."""
    decision = require(request.user, "participation_assessment.view", case)
    page = sel.case_page(request.user, case)
    record(actor=request.user, action="case.view", obj=case, basis=decision.basis)
    can_edit = can(request.user, "participation_assessment.edit", case)
    if can_edit and start_form is None:
        start_form = f.AssessmentStartForm(persons=sel.case_persons(case))
    return render(
        request,
        "participation/case.html",
        _ctx(
            case=case,
            page=page,
            basis_label=decision.basis_label,
            can_edit=can_edit,
            start_form=start_form if can_edit else None,
        ),
        status=status,
    )


@login_required
@require_POST
def assessment_new(request, case_id):
    case, _decision = _case(request, case_id, "participation_assessment.edit")
    form = f.AssessmentStartForm(request.POST, persons=sel.case_persons(case))
    if form.is_valid():
        try:
            a = svc.assessment_create(
                case=case, person=form.cleaned_data["person"], actor=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("参加支援アセスメント 第%(n)s版を作成しました。") % {"n": a.number}
            )
            return redirect("participation:assessment_edit", a.public_id)
    return _case_page(request, case, start_form=form, status=400)


@login_required
def assessment_detail(request, public_id):
    a, decision = _assessment(request, public_id)
    record(
        actor=request.user,
        action="participation_assessment.view",
        obj=a,
        basis=decision.basis,
    )
    return render(
        request,
        "participation/assessment_detail.html",
        _ctx(
            a=a,
            case=a.case,
            sections=sel.assessment_sections(a),
            versions=sel.assessment_versions(a),
            person_name=sel.person_names(request.user, [a.person])[a.person_id],
            can_edit=a.is_current and can(request.user, "participation_assessment.edit", a),
        ),
    )


@login_required
def assessment_edit(request, public_id):
    a, decision = _assessment(request, public_id, "participation_assessment.edit")
    if not a.is_current:
        messages.error(request, _("旧版のアセスメントは編集できません。"))
        return redirect(a.get_absolute_url())
    if request.method == "GET":
        record(
            actor=request.user,
            action="participation_assessment.view",
            obj=a,
            basis=decision.basis,
        )
    form = f.AssessmentForm(request.POST or None, instance=a)
    conflict = None
    if request.method == "POST" and form.is_valid():
        # The ModelForm wrote the values onto `a`; give the service the saved row to compare.
        saved = ParticipationAssessment.objects.get(pk=a.pk)
        try:
            svc.assessment_update(
                assessment=saved,
                actor=request.user,
                data=form.service_data(),
                lock_version=form.cleaned_data["lock_version"],
            )
        except svc.EditConflict as exc:
            conflict = exc.current
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("参加支援アセスメントを保存しました。"))
            return redirect(a.get_absolute_url())
    return render(
        request,
        "participation/assessment_form.html",
        _ctx(a=a, case=a.case, form=form, conflict=conflict),
    )


@login_required
def assessment_pdf(request, public_id):
    a, decision = _assessment(request, public_id, "participation_assessment.print")
    pdf = render_pdf(
        "participation/print/assessment.html",
        {"a": a, "case": a.case, "sections": sel.assessment_sections(a)},
        request=request,
    )
    record(
        actor=request.user,
        action="participation_assessment.export",
        obj=a,
        basis=decision.basis,
    )
    return pdf_response(pdf, f"参加支援アセスメント_{a.case.number}_第{a.number}版.pdf")

"""HTML views of the 多機関協働 case. Thin: fetch through the policy, validate a form, call one
service, render. A case the user may not see is a 404 (nothing reveals that it exists)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from agencies import jpdates, uploads
from agencies.dashboard import Panel, PanelItem, panel
from agencies.forms import apply_service_errors, message_service_errors
from agencies.listing import clear_filters_url, export_list, export_query, form_filters_set
from agencies.models import User
from agencies.paging import FirstPageCountingPaginator, KeysWithCountPaginator
from agencies.pdf import PDF_FONT_FAMILY, pdf_response, render_pdf
from agencies.policy import can, require, require_visible
from audit.services import record, record_list
from audit.views_of import recent_views
from cases import forms_support as f
from cases import lists
from cases.genogram import household_drawings
from cases.models import (
    ActivityNote,
    Assessment,
    CaseTeamMember,
    Evaluation,
    EvaluationItem,
    NoteAttachment,
    Plan,
    PlanItem,
    SupportCase,
)
from cases.policy.support import prime_case_access, with_case_access
from cases.selectors import support as sel
from cases.services import support as svc
from cases.timeline import timeline_for

Status = SupportCase.Status
PAGE_SIZE = 30


# --- helpers ----------------------------------------------------------------------------------------


def _case(request, case_id, action: str = "case.view", *, with_next: bool = False):
    """The case, with what its decision reads in the same statement (with_case_access), and
    `with_next`: whether a later case follows it (`has_next_cases`), so that a page showing the
    links reads them only for the few cases that have one."""
    cases = SupportCase.objects.select_related(
        "household", "lead_agency", "coordinating_agency", "coordinator", "principal"
    )
    if with_next:
        later = SupportCase.objects.filter(previous_case=OuterRef("pk"))
        cases = cases.annotate(has_next_cases=Exists(later))
    case = get_object_or_404(with_case_access(cases, request.user, ""), public_id=case_id)
    prime_case_access(request.user, case, case)
    decision = require_visible(request.user, "case.view", case)
    if action != "case.view":
        decision = require(request.user, action, case)
    return case, decision


def _members(case):
    return list(case.household.members.select_related("person").order_by("-is_key_person", "pk"))


def _ctx(case, **extra):
    return {"case": case, "nav_active": "multiagency", **extra}


def _perms(user, case) -> dict:
    return {
        "can_edit": can(user, "case.edit", case),
        "can_manage": can(user, "case.manage", case),
        "can_decide": can(user, "case.decide", case),
    }


def _on_case_team(user, case) -> bool:
    from meetings.policy import on_case_team

    return on_case_team(user, case)


def _case_url(case, suffix: str = "") -> str:
    return reverse("cases:case_detail", args=[case.public_id]) + suffix


# --- list, create, detail -----------------------------------------------------------------------------


def _case_filters(request) -> tuple[sel.CaseFilters, f.CaseListFilterForm]:
    """The list's filters from the query string, and the form of those that need resolving (the
    主担当機関 picker, the 担当推進員): a value it refuses is its field error, and that filter is
    not applied (the others are)."""
    g = request.GET
    form = f.CaseListFilterForm(g, user=request.user)
    form.is_valid()
    lead_agency = form.cleaned_data.get("lead_agency")
    coordinator = form.cleaned_data.get("coordinator")
    filters = sel.CaseFilters(
        status=g.get("status", "open")
        if g.get("status", "open") in {"", "open", *Status.values}
        else "open",
        lead_agency=lead_agency.pk if lead_agency else None,
        coordinator=coordinator.pk if coordinator else None,
        overdue=g.get("overdue") == "1",
        mine=g.get("mine") == "1",
        q=g.get("q", "").strip()[:50],
    )
    return filters, form


def _clear_filters_url(request, filters: sel.CaseFilters, form) -> str:
    """「絞り込みを解除」 while the list is narrowed (or a refused filter value is in the form):
    the list as it opens (対応中すべて), in the same order."""
    active = filters != sel.CaseFilters(status="open") or form_filters_set(request, form)
    return clear_filters_url(request, active=active)


# What a row of case_list.html prints (the export reads whole rows: its columns are chosen).
# 83 columns of four tables per row cost more to compile and plan than the page costs to read.
CASE_ROW = (
    "public_id",
    "number",
    "status",
    "summary",
    "opened_on",
    "next_monitoring_on",
    "lead_agency__name",
    "lead_agency__short_name",
    "coordinator__display_name",
)


@login_required
def case_list(request):
    require(request.user, "case.list")
    filters, filter_form = _case_filters(request)
    qs = lists.CASES.order(sel.case_list(request.user, filters), request)
    qs = qs.select_related(None).select_related("lead_agency", "coordinator").only(*CASE_ROW)
    # The visible cases: no index gives them in order, so their count comes with the keys.
    page = KeysWithCountPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(actor=request.user, action="case.list", objects=page.object_list)
    return render(
        request,
        "cases/support/case_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "filter_form": filter_form,
            "statuses": Status.choices,
            "columns": lists.CASES.headers(request),
            "export_url": reverse("cases:case_export"),
            "export_query": export_query(request),
            "today": timezone.localdate(),
            "clear_filters_url": _clear_filters_url(request, filters, filter_form),
            "nav_active": "multiagency",
            "can_create": can(request.user, "case.create"),
            "can_handover": can(request.user, "caseload.handover"),
        },
    )


@login_required
def case_export(request):
    """The case list as shown (filters, order), every row, CSV or XLSX (?fmt=). Audited.
    A filter the list refuses sends back to the list, which says why: an export is never wider
    than what was asked for."""
    decision = require(request.user, "case.list")
    filters, filter_form = _case_filters(request)
    list_url = reverse("cases:case_list")
    if filter_form.errors:
        query = export_query(request)
        return redirect(list_url + (f"?{query}" if query else ""))
    return export_list(
        request,
        lists.CASES,
        sel.case_list(request.user, filters),
        action="case.export",
        basis=decision.basis,
        stem="多機関協働ケース一覧",
        persons=lambda c: [c.principal_id],
        list_url=list_url,
    )


@login_required
def case_create(request):
    require(request.user, "case.create")
    from cases.policy.persons import households_visible_to

    initial = {}
    previous = request.GET.get("previous", "")
    if previous:
        import uuid as _uuid

        try:
            previous_id = _uuid.UUID(previous)
        except ValueError:
            raise Http404 from None
        prior = get_object_or_404(
            sel.cases_visible_to(request.user).select_related("household"), public_id=previous_id
        )
        # The pickers hold public ids.
        initial = {"previous_case": prior.public_id, "household": prior.household.public_id}
    form = f.CaseCreateForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        households=households_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = d["household"]
        members = list(household.members.current().select_related("person"))
        living = [m for m in members if not m.person.is_deceased_on()]
        principal = d.get("principal") or next(
            (m.person for m in living if m.relation == "self"),
            living[0].person if living else None,
        )
        try:
            case = svc.case_create(
                actor=request.user,
                household=household,
                coordinating_agency=d["coordinating_agency"],
                lead_agency=d["lead_agency"],
                principal=principal,
                persons=[m.person for m in living],
                opened_on=d["opened_on"],
                summary=d["summary"],
                previous_case=d.get("previous_case"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("ケース %(number)s を登録しました。") % {"number": case.number}
            )
            return redirect(_case_url(case))
    return render(
        request, "cases/support/case_form.html", {"form": form, "nav_active": "multiagency"}
    )


@login_required
def case_detail(request, case_id):
    case, decision = _case(request, case_id, with_next=True)
    page = sel.case_page(request.user, case)
    relations = list(page.assessment.relations.select_related("agency")) if page.assessment else []
    from cases.policy.persons import person_decisions

    person_rights = person_decisions(request.user, [m.person for m in page.members])
    member_rows = [(m, person_rights[m.person_id]) for m in page.members]
    following = case.next_cases.all() if case.has_next_cases else []
    linked_next = [(n, can(request.user, "case.view", n)) for n in following]
    linked_previous_visible = bool(case.previous_case_id) and can(
        request.user, "case.view", case.previous_case
    )
    record(actor=request.user, action="case.view", obj=case, basis=decision.basis)
    return render(
        request,
        "cases/support/case_detail.html",
        _ctx(
            case,
            page=page,
            timeline=timeline_for(case, request.user),
            basis_label=decision.basis_label,
            member_rows=member_rows,
            linked_next=linked_next,
            linked_previous_visible=linked_previous_visible,
            **household_drawings(
                members=page.members,
                team=page.team,
                relations=relations,
                principal_id=case.principal_id,
                hide_age_of={pid for pid, d in person_rights.items() if not d.allowed},
            ),
            today=timezone.localdate(),
            **_perms(request.user, case),
            transitions_available=_available_actions(request.user, case),
            meeting_route=_meeting_route(case),
            # 「会議に付議」 is the case team's (meetings.views.bodies.case_submit asks the same).
            can_submit=_on_case_team(request.user, case),
            can_manage_team=can(request.user, "team.manage", case),
            # "Who viewed this": for those who manage the case.
            views=recent_views(case) if can(request.user, "case.manage", case) else None,
        ),
    )


def _meeting_route(case):
    """Which meeting the case can go to now (meetings app), shown before any plan is submitted."""
    if not case.is_open:
        return None
    from meetings.selectors import case_meeting_route

    return case_meeting_route(case)


@login_required
def case_edit(request, case_id):
    case, decision = _case(request, case_id, "case.manage")
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(actor=request.user, action="case.view", obj=case, basis=decision.basis)
    members = list(case.household.members.current().select_related("person"))
    initial = {
        "summary": case.summary,
        "programmes": case.programmes,
        "persons": list(case.persons.all()),
    }
    form = f.CaseEditForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        svc.case_update(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, _("ケースの情報を更新しました。"))
        return redirect(_case_url(case))
    return render(request, "cases/support/case_edit.html", _ctx(case, form=form))


# --- transitions -----------------------------------------------------------------------------------

# Lazy: module-level labels evaluated at import would stay in the language of the first import.
ACTIONS = {
    "start_assessment": (gettext_lazy("アセスメントを開始"), "case.manage", f.ReasonForm),
    "start_planning": (gettext_lazy("プラン作成に進む"), "case.manage", f.ReasonForm),
    "send_to_meeting": (
        gettext_lazy("会議付議の状態にする(提出済みプラン)"),
        "case.manage",
        f.ReasonForm,
    ),
    "close_exceptional": (
        gettext_lazy("死亡・転出による終結"),
        "case.manage",
        f.ExceptionalCloseForm,
    ),
    "reopen": (gettext_lazy("ケースを再開"), "case.reopen", f.ReasonForm),
}


def _available_actions(user, case) -> list[tuple[str, str]]:
    result = []
    wanted = {
        "start_assessment": Status.ASSESSMENT,
        "start_planning": Status.PLANNING,
        "send_to_meeting": Status.IN_MEETING,
        "close_exceptional": Status.CLOSED,
        "reopen": Status.ASSESSMENT,
    }
    for key, (label, action, _form) in ACTIONS.items():
        if key == "reopen" and case.is_open:
            continue
        if key != "reopen" and not case.is_open:
            continue
        if key == "start_assessment" and case.status != Status.RECEIVED:
            continue
        if key == "start_planning" and case.status == Status.IN_MEETING:
            continue  # back from 会議付議 through the plan's 「作成中に戻す」 (case_start_planning)
        if case.can_move_to(wanted[key]) and can(user, action, case):
            result.append((key, label))
    return result


@login_required
def case_transition(request, case_id, action):
    if action not in ACTIONS:
        raise Http404
    label, policy_action, form_class = ACTIONS[action]
    case, _decision = _case(request, case_id, policy_action)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if action == "start_assessment":
                svc.case_start_assessment(case=case, actor=request.user, reason=d["reason"])
            elif action == "start_planning":
                svc.case_start_planning(case=case, actor=request.user, reason=d["reason"])
            elif action == "send_to_meeting":
                svc.case_send_to_meeting(case=case, actor=request.user, reason=d["reason"])
            elif action == "close_exceptional":
                svc.case_close_exceptional(
                    case=case,
                    actor=request.user,
                    reason=d["reason"],
                    closed_on=d["closed_on"],
                    note=d["note"],
                )
            elif action == "reopen":
                svc.case_reopen(case=case, actor=request.user, reason=d["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            case.refresh_from_db()
            messages.success(
                request,
                _("状態を「%(status)s」に変更しました。") % {"status": case.get_status_display()},
            )
            return redirect(_case_url(case))
    return render(
        request,
        "cases/support/transition_form.html",
        _ctx(case, form=form, title=label, action=action),
    )


# --- team -------------------------------------------------------------------------------------------


OUTSIDE_CONSENT_NOTE = gettext_lazy(
    "この機関は本人同意の共有先に含まれていないため、チームに入ってもケースを開けません。"
    "本人同意に共有先を加えてください。"
)


@login_required
def case_team(request, case_id):
    case, _decision = _case(request, case_id)
    manage = can(request.user, "team.manage", case)
    add_form = f.TeamAddForm(prefix="add")
    lead_form = f.LeadAgencyForm(prefix="lead")
    if request.method == "POST":
        require(request.user, "team.manage", case)
        try:
            if "add-agency" in request.POST:
                add_form = f.TeamAddForm(request.POST, prefix="add")
                if add_form.is_valid():
                    try:
                        member = svc.team_add(
                            case=case, actor=request.user, **add_form.cleaned_data
                        )
                    except ValidationError as exc:  # next to the field, with the input kept
                        apply_service_errors(add_form, exc)
                    else:
                        messages.success(request, _("支援チームに追加しました。"))
                        if svc.agencies_outside_consent(case, [member.agency_id]):
                            messages.warning(request, OUTSIDE_CONSENT_NOTE)
                        return redirect(request.path)
            elif "lead-agency" in request.POST:
                lead_form = f.LeadAgencyForm(request.POST, prefix="lead")
                if lead_form.is_valid():
                    d = lead_form.cleaned_data
                    svc.case_set_lead_agency(
                        case=case,
                        actor=request.user,
                        agency=d["agency"],
                        on=d["on"],
                        reason=d["reason"],
                    )
                    messages.success(request, _("主担当機関を変更しました。"))
                    return redirect(request.path)
            else:
                leave = f.TeamLeaveForm(request.POST)
                if leave.is_valid():
                    member = get_object_or_404(
                        CaseTeamMember, pk=leave.cleaned_data["member"], case=case
                    )
                    svc.team_leave(
                        member=member,
                        actor=request.user,
                        left_on=leave.cleaned_data["left_on"],
                        note=leave.cleaned_data["note"],
                    )
                    messages.success(request, _("支援チームから外しました(履歴は残ります)。"))
                    return redirect(request.path)
                messages.error(request, _("入力内容を確認してください。"))
        except ValidationError as exc:
            message_service_errors(request, exc)
    page = sel.case_page(request.user, case)
    return render(
        request,
        "cases/support/team.html",
        _ctx(
            case,
            page=page,
            # Members whose agency the team row lets open nothing (no consent names it).
            outside_consent=set(
                svc.agencies_outside_consent(case, [m.agency_id for m in page.team])
            ),
            manage=manage,
            add_form=add_form,
            lead_form=lead_form,
            today=timezone.localdate(),
        ),
    )


# --- assessment ----------------------------------------------------------------------------------------


def _assessment(case, number) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("author", "agency", "principal"), case=case, number=number
    )


@login_required
@require_POST
def assessment_new(request, case_id):
    case, _decision = _case(request, case_id, "assessment.edit")
    try:
        assessment = svc.assessment_create(case=case, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
        return redirect(_case_url(case))
    messages.success(
        request, _("アセスメントシート第%(n)s版を作成しました。") % {"n": assessment.number}
    )
    return redirect(_case_url(case, f"assessments/{assessment.number}/edit/"))


@login_required
def assessment_detail(request, case_id, number):
    case, decision = _case(request, case_id, "assessment.view")
    assessment = _assessment(case, number)
    record(actor=request.user, action="assessment.view", obj=assessment, basis=decision.basis)
    versions = list(case.assessments.order_by("-number").values_list("number", flat=True))
    return render(
        request,
        "cases/support/assessment_detail.html",
        _ctx(
            case,
            a=assessment,
            issues=assessment.issues.select_related("person"),
            relations=assessment.relations.select_related("agency"),
            versions=versions,
            sections=sel.sheet_sections(assessment, f.AssessmentForm.SECTIONS),
            **_perms(request.user, case),
        ),
    )


def _conflict_rows(current, form, fields):
    """Both versions side by side: what is saved now and what this editor typed."""
    mine = type(current).objects.get(pk=current.pk)
    for name in fields:
        if name in form.cleaned_data:
            setattr(mine, name, form.cleaned_data[name])
    return [row for row in sel.sheet_diff(current, mine, fields) if row.changed]


@login_required
def assessment_edit(request, case_id, number):
    case, decision = _case(request, case_id, "assessment.edit")
    assessment = _assessment(case, number)
    if not assessment.is_current:
        messages.error(request, _("旧版のアセスメントは編集できません。"))
        return redirect(_case_url(case, f"assessments/{number}/"))
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(actor=request.user, action="assessment.view", obj=assessment, basis=decision.basis)
    members = _members(case)
    data = request.POST or None
    form = f.AssessmentForm(data, instance=assessment, members=members)
    issues = f.IssueFormSet(
        data,
        prefix="issues",
        members=members,
        initial=[
            {"person": i.person_id, "category": i.category, "note": i.note}
            for i in assessment.issues.all()
        ],
    )
    relations = f.RelationFormSet(
        data,
        prefix="relations",
        initial=[
            {
                "kind": r.kind,
                "label": r.label,
                "agency": r.agency_id,
                "strength": r.strength,
                "note": r.note,
            }
            for r in assessment.relations.all()
        ],
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and issues.is_valid() and relations.is_valid():
        fresh = Assessment.objects.get(pk=assessment.pk)
        try:
            svc.assessment_update(
                assessment=fresh,
                actor=request.user,
                lock_version=form.cleaned_data["lock_version"],
                data={k: form.cleaned_data[k] for k in Assessment.CONTENT_FIELDS},
                issues=f.sheet_rows(issues),
                relations=f.sheet_rows(relations),
            )
        except svc.EditConflict as exc:
            conflict = _conflict(exc.current, form, Assessment.CONTENT_FIELDS)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("アセスメントシートを保存しました。"))
            return redirect(_case_url(case, f"assessments/{number}/"))
    return render(
        request,
        "cases/support/assessment_form.html",
        _ctx(case, a=assessment, form=form, issues=issues, relations=relations, conflict=conflict),
    )


def _conflict(current, form, fields):
    rows = _conflict_rows(current, form, fields)
    # The next save is a deliberate decision taken with both versions in view.
    form.data = form.data.copy()
    form.data["lock_version"] = str(current.lock_version)
    return {"rows": rows, "current": current}


@login_required
def assessment_compare(request, case_id):
    case, decision = _case(request, case_id, "assessment.view")
    versions = list(case.assessments.order_by("-number").values_list("number", flat=True))
    if len(versions) < 2:
        messages.info(request, _("比較できる版が2つ以上ありません。"))
        return redirect(_case_url(case))
    try:
        a = int(request.GET.get("a", versions[1]))
        b = int(request.GET.get("b", versions[0]))
    except ValueError:
        raise Http404
    old, new = _assessment(case, min(a, b)), _assessment(case, max(a, b))
    record(actor=request.user, action="assessment.view", obj=new, basis=decision.basis)
    return render(
        request,
        "cases/support/assessment_compare.html",
        _ctx(
            case,
            old=old,
            new=new,
            rows=sel.assessment_diff(old, new),
            versions=versions,
            only_changed=request.GET.get("all") != "1",
        ),
    )


# --- plan -------------------------------------------------------------------------------------------


def _plan(case, number) -> Plan:
    return get_object_or_404(
        Plan.objects.select_related(
            "author", "agency", "approved_by", "submitted_by"
        ).prefetch_related(
            Prefetch("items", queryset=PlanItem.objects.select_related("agency", "staff", "person"))
        ),
        case=case,
        number=number,
    )


@login_required
@require_POST
def plan_new(request, case_id):
    case, _decision = _case(request, case_id, "plan.edit")
    programme = request.POST.get("programme", "multiagency")
    try:
        plan = svc.plan_create(case=case, actor=request.user, programme=programme)
    except ValidationError as exc:
        message_service_errors(request, exc)
        return redirect(_case_url(case))
    messages.success(request, _("プランシート第%(n)s版を作成しました。") % {"n": plan.number})
    return redirect(_case_url(case, f"plans/{plan.number}/edit/"))


@login_required
def plan_detail(request, case_id, number):
    case, decision = _case(request, case_id, "plan.view")
    plan = _plan(case, number)
    record(actor=request.user, action="plan.view", obj=plan, basis=decision.basis)
    return render(
        request,
        "cases/support/plan_detail.html",
        _ctx(
            case,
            plan=plan,
            **_perms(request.user, case),
            can_submit=can(request.user, "plan.submit", case),
        ),
    )


@login_required
def plan_edit(request, case_id, number):
    case, decision = _case(request, case_id, "plan.edit")
    plan = _plan(case, number)
    if not plan.is_editable:
        messages.error(request, _("作成中のプランのみ編集できます。"))
        return redirect(_case_url(case, f"plans/{number}/"))
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(actor=request.user, action="plan.view", obj=plan, basis=decision.basis)
    members = _members(case)
    data = request.POST or None
    form = f.PlanForm(data, instance=plan)
    items = f.PlanItemFormSet(
        data,
        prefix="items",
        members=members,
        initial=[
            {
                "id": i.pk,
                "person": i.person_id,
                "category": i.category,
                "issue": i.issue,
                "goal": i.goal,
                "action": i.action,
                "agency": i.agency_id,
                "staff": i.staff_id,
                "frequency": i.frequency,
                "due_on": i.due_on,
            }
            for i in plan.items.all()
        ],
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and items.is_valid():
        fields = [x for x in Plan.CONTENT_FIELDS if x != "programme"]
        try:
            svc.plan_update(
                plan=Plan.objects.get(pk=plan.pk),
                actor=request.user,
                lock_version=form.cleaned_data["lock_version"],
                data={k: form.cleaned_data[k] for k in fields},
                items=f.sheet_rows(items),
            )
        except svc.EditConflict as exc:
            conflict = _conflict(exc.current, form, fields)
        except ValidationError as exc:
            f.apply_sheet_errors(form, exc, items=items)
        else:
            messages.success(request, _("プランシートを保存しました。"))
            return redirect(_case_url(case, f"plans/{number}/"))
    return render(
        request,
        "cases/support/plan_form.html",
        _ctx(case, plan=plan, form=form, items=items, conflict=conflict),
    )


@login_required
@require_POST
def plan_submit(request, case_id, number):
    case, _decision = _case(request, case_id, "plan.submit")
    plan = _plan(case, number)
    try:
        svc.plan_submit(plan=plan, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("プランを会議に提出しました。"))
    return redirect(_case_url(case, f"plans/{number}/"))


@login_required
@require_POST
def plan_return(request, case_id, number):
    case, _decision = _case(request, case_id, "plan.submit")
    plan = _plan(case, number)
    try:
        svc.plan_return(plan=plan, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("プランを作成中に戻しました。"))
    return redirect(_case_url(case, f"plans/{number}/"))


# --- monitoring ------------------------------------------------------------------------------------


@login_required
def monitoring(request, case_id):
    case, decision = _case(request, case_id, "plan.view")
    if request.method == "GET":
        record(actor=request.user, action="monitoring.view", obj=case, basis=decision.basis)
    rows = sel.monitoring_rows(case)
    items = [item for item, _entries in rows]
    form = f.MonitoringForm(
        request.POST or None, items=items, initial={"item": request.GET.get("item")}
    )
    if request.method == "POST":
        require(request.user, "monitoring.create", case)
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.monitoring_record(
                    item=d["item"],
                    actor=request.user,
                    progress=d["progress"],
                    note=d["note"],
                    next_on=d["next_on"],
                    monitored_on=d["monitored_on"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("モニタリングを記録しました。"))
                return redirect(request.path)
    return render(
        request,
        "cases/support/monitoring.html",
        _ctx(case, rows=rows, form=form, can_record=can(request.user, "monitoring.create", case)),
    )


# --- evaluation ------------------------------------------------------------------------------------


def _evaluation(case, number) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.select_related(
            "plan", "author", "agency", "lead_agency_after", "proposed_lead_agency", "decided_by"
        ).prefetch_related(
            Prefetch("items", queryset=EvaluationItem.objects.select_related("plan_item__agency"))
        ),
        case=case,
        number=number,
    )


@login_required
@require_POST
def evaluation_new(request, case_id):
    case, _decision = _case(request, case_id, "evaluation.edit")
    try:
        evaluation = svc.evaluation_create(case=case, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
        return redirect(_case_url(case))
    return redirect(_case_url(case, f"evaluations/{evaluation.number}/edit/"))


@login_required
def evaluation_detail(request, case_id, number):
    case, decision = _case(request, case_id, "evaluation.view")
    evaluation = _evaluation(case, number)
    record(actor=request.user, action="evaluation.view", obj=evaluation, basis=decision.basis)
    return render(
        request,
        "cases/support/evaluation_detail.html",
        _ctx(
            case,
            ev=evaluation,
            **_perms(request.user, case),
            can_ready=can(request.user, "evaluation.ready", case),
        ),
    )


@login_required
def evaluation_edit(request, case_id, number):
    case, decision = _case(request, case_id, "evaluation.edit")
    evaluation = _evaluation(case, number)
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(actor=request.user, action="evaluation.view", obj=evaluation, basis=decision.basis)
    if not evaluation.is_editable:
        messages.error(request, _("作成中の評価シートのみ編集できます。"))
        return redirect(_case_url(case, f"evaluations/{number}/"))
    data = request.POST or None
    form = f.EvaluationForm(data, instance=evaluation)
    item_list = list(evaluation.items.all())
    items = f.EvaluationItemFormSet(
        data,
        prefix="items",
        initial=[{"id": i.pk, "achievement": i.achievement, "note": i.note} for i in item_list],
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and items.is_valid():
        try:
            svc.evaluation_update(
                evaluation=Evaluation.objects.get(pk=evaluation.pk),
                actor=request.user,
                lock_version=form.cleaned_data["lock_version"],
                data={k: form.cleaned_data[k] for k in Evaluation.CONTENT_FIELDS},
                items=[x.cleaned_data for x in items.forms],
            )
        except svc.EditConflict as exc:
            conflict = _conflict(exc.current, form, Evaluation.CONTENT_FIELDS)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("評価シートを保存しました。"))
            return redirect(_case_url(case, f"evaluations/{number}/"))
    return render(
        request,
        "cases/support/evaluation_form.html",
        _ctx(
            case,
            ev=evaluation,
            form=form,
            items=list(zip(items.forms, item_list, strict=False)),
            formset=items,
            conflict=conflict,
        ),
    )


@login_required
@require_POST
def evaluation_ready(request, case_id, number):
    case, _decision = _case(request, case_id, "evaluation.ready")
    evaluation = _evaluation(case, number)
    try:
        svc.evaluation_ready(evaluation=evaluation, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("評価シートを会議に提出しました。"))
    return redirect(_case_url(case, f"evaluations/{number}/"))


# --- activity notes ------------------------------------------------------------------------------------


@login_required
def notes(request, case_id):
    case, decision = _case(request, case_id)
    members = _members(case)
    form = f.NoteForm(
        request.POST or None, request.FILES or None, members=members, user=request.user
    )
    if request.method == "POST":
        require(request.user, "note.create", case)
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.note_create(
                    case=case,
                    actor=request.user,
                    kind=d["kind"],
                    content=d["content"],
                    occurred_at=d["occurred_at"],
                    minutes=d["minutes"],
                    staff_count=d["staff_count"],
                    with_whom=d["with_whom"],
                    visibility=d["visibility"],
                    restricted_body=d.get("restricted_body"),
                    persons=d["persons"],
                    files=d["files"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("支援経過を記録しました。"))
                return redirect(request.path)
    person = None
    if request.GET.get("person"):
        person = next(
            (m.person for m in members if str(m.person.public_id) == request.GET["person"]), None
        )
    page = FirstPageCountingPaginator(sel.notes_for(request.user, case, person), 50).get_page(
        request.GET.get("page")
    )
    record(actor=request.user, action="note.view", obj=case, basis=decision.basis)
    return render(
        request,
        "cases/support/notes.html",
        _ctx(
            case,
            form=form,
            page_obj=page,
            members=members,
            person=person,
            can_write=can(request.user, "note.create", case),
        ),
    )


@login_required
def note_detail(request, case_id, note_id):
    case, _decision = _case(request, case_id)
    note = get_object_or_404(
        ActivityNote.objects.select_related("author", "agency"), case=case, public_id=note_id
    )
    decision = require_visible(request.user, "note.view", note)
    record(actor=request.user, action="note.view", obj=note, basis=decision.basis)
    return render(request, "cases/support/note_detail.html", _ctx(case, note=note))


@login_required
def attachment_download(request, case_id, attachment_id):
    case, _decision = _case(request, case_id)
    attachment = get_object_or_404(
        NoteAttachment.objects.select_related("note"), note__case=case, public_id=attachment_id
    )
    decision = require_visible(request.user, "attachment.view", attachment)
    record(actor=request.user, action="attachment.view", obj=attachment, basis=decision.basis)
    return uploads.private_file_response(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.original_name,  # the user's own name for the file
    )


# --- printing ----------------------------------------------------------------------------------------------


def _pdf(request, case, template, filename, obj, action, **context):
    decision = require(request.user, "case.print", case)
    pdf = render_pdf(template, {"case": case, **context}, request=request)
    record(actor=request.user, action=action, obj=obj, basis=decision.basis)
    return pdf_response(pdf, filename)


@login_required
def assessment_pdf(request, case_id, number):
    case, _decision = _case(request, case_id, "assessment.view")
    a = _assessment(case, number)
    members = _members(case)
    relations = list(a.relations.select_related("agency"))
    return _pdf(
        request,
        case,
        "cases/print/support_assessment.html",
        f"アセスメントシート_{case.number}_第{number}版.pdf",
        a,
        "assessment.export",
        a=a,
        issues=a.issues.select_related("person"),
        relations=relations,
        members=members,
        sections=sel.sheet_sections(a, f.AssessmentForm.SECTIONS),
        **household_drawings(
            members=members,
            team=list(case.team.current().select_related("agency")),
            relations=relations,
            principal_id=case.principal_id,
            font_family=PDF_FONT_FAMILY,
        ),
    )


@login_required
def plan_pdf(request, case_id, number):
    case, _decision = _case(request, case_id, "plan.view")
    plan = _plan(case, number)
    return _pdf(
        request,
        case,
        "cases/print/support_plan.html",
        f"プランシート_{case.number}_第{number}版.pdf",
        plan,
        "plan.export",
        plan=plan,
    )


@login_required
def evaluation_pdf(request, case_id, number):
    case, _decision = _case(request, case_id, "evaluation.view")
    ev = _evaluation(case, number)
    return _pdf(
        request,
        case,
        "cases/print/support_evaluation.html",
        f"評価シート_{case.number}_第{number}回.pdf",
        ev,
        "evaluation.export",
        ev=ev,
        achievements=EvaluationItem.Achievement.choices,
        decisions=Evaluation.Decision.choices,
    )


@login_required
def notes_pdf(request, case_id):
    case, _decision = _case(request, case_id)
    entries = list(sel.notes_for(request.user, case).order_by("occurred_at", "pk"))
    return _pdf(
        request,
        case,
        "cases/print/support_notes.html",
        f"支援経過記録_{case.number}.pdf",
        case,
        "note.export",
        notes=entries,
    )


# --- handover ------------------------------------------------------------------------------------------------


@login_required
def handover(request):
    require(request.user, "caseload.handover")
    from agencies.choices import CARE_ROLES, Role
    from agencies.models import Membership

    supervised = {
        m.agency_id for m in request.user.current_memberships() if m.role == Role.SUPERVISOR
    }
    workers = User.objects.filter(is_active=True)
    if not request.user.is_tsunagu_admin:
        workers = workers.filter(memberships__agency_id__in=supervised)
    workers = workers.distinct().order_by("kana")
    worker = None
    formset = meta = None
    cases = []
    if request.GET.get("worker", "").isdigit() or request.POST.get("worker", "").isdigit():
        worker = get_object_or_404(
            workers, pk=int(request.GET.get("worker") or request.POST.get("worker"))
        )
        require(request.user, "caseload.handover", worker)
        cases = list(sel.cases_of_worker(worker))
        agency_ids = set(Membership.objects.filter(user=worker).values_list("agency_id", flat=True))
        # Care staff working at the worker's agencies today: never the worker, a resident or an
        # admin-only account.
        successors = (
            User.objects.filter(
                is_active=True,
                memberships__in=Membership.objects.current().filter(
                    agency_id__in=agency_ids, role__in=CARE_ROLES
                ),
            )
            .exclude(pk=worker.pk)
            .distinct()
            .order_by("kana")
        )
        formset = f.HandoverFormSet(
            request.POST or None,
            prefix="h",
            successors=successors,
            initial=[{"case": c.pk} for c in cases],
        )
        meta = f.HandoverMetaForm(request.POST or None)
        if request.method == "POST" and formset.is_valid() and meta.is_valid():
            by_id = {c.pk: c for c in cases}
            assignments = [
                svc.HandoverAssignment(
                    case=by_id[row["case"]], to_user=row["to_user"], note=row["note"]
                )
                for row in (x.cleaned_data for x in formset.forms)
                if row.get("to_user") and row["case"] in by_id
            ]
            if not assignments:
                messages.error(request, _("後任者を1件以上選んでください。"))
            else:
                try:
                    done = svc.caseload_handover(
                        actor=request.user,
                        from_user=worker,
                        assignments=assignments,
                        effective_on=meta.cleaned_data["effective_on"],
                    )
                except ValidationError as exc:
                    message_service_errors(request, exc)
                else:
                    messages.success(
                        request, _("%(n)s件のケースを引き継ぎました。") % {"n": len(done)}
                    )
                    return redirect(f"{reverse('cases:handover')}?worker={worker.pk}")
    rows = list(zip(formset.forms, cases, strict=False)) if formset is not None else []
    return render(
        request,
        "cases/support/handover.html",
        {
            "workers": workers,
            "worker": worker,
            "formset": formset,
            "meta": meta,
            "rows": rows,
            "nav_active": "multiagency",
        },
    )


# --- dashboard panels ------------------------------------------------------------------------------------------


@panel(order=200)
def my_cases_panel(user) -> Panel | None:
    if not can(user, "case.list"):
        return None
    counts = sel.my_cases_by_status(user)
    if not counts and not user.has_role("coordinator"):
        return None
    url = reverse("cases:case_list")
    items = [
        PanelItem(str(label), f"{url}?status={value}&mine=1", badge=str(counts[value]))
        for value, label in Status.choices
        if counts.get(value)
    ]
    return Panel(
        key="support_cases",
        title=_("担当する多機関協働ケース"),
        empty_text=_("担当しているケースはありません。"),
        items=items,
        count=sum(counts.values()),
        more_url=f"{url}?mine=1",
        more_label=_("一覧を見る"),
    )


@panel(order=210)
def monitoring_due_panel(user) -> Panel | None:
    if not can(user, "case.list"):
        return None
    today = timezone.localdate()
    due = sel.monitoring_due(user)[:10]
    items = [
        PanelItem(
            f"{c.number} {c.summary[:20]}",
            _case_url(c, "monitoring/"),
            meta=jpdates.format_date(c.next_monitoring_on),
            badge=pgettext("deadline", "期限切れ")
            if c.next_monitoring_on < today
            else _("7日以内"),
            tone="danger" if c.next_monitoring_on < today else "warn",
        )
        for c in due
    ]
    return Panel(
        key="monitoring_due",
        title=_("モニタリング予定(7日以内・期限切れ)"),
        empty_text=_("7日以内のモニタリング予定はありません。"),
        items=items,
        count=len(items),
        more_url=reverse("cases:case_list") + "?overdue=1",
        more_label=_("期限切れの一覧"),
    )


@panel(order=220)
def awaiting_decision_panel(user) -> Panel | None:
    if not user.has_role("supervisor"):
        return None
    plans, evaluations = sel.awaiting_decision(user)
    items = [
        PanelItem(
            _("%(number)s プラン第%(n)s版") % {"number": p.case.number, "n": p.number},
            _case_url(p.case, f"plans/{p.number}/"),
            badge=_("承認待ち"),
            tone="warn",
        )
        for p in plans[:10]
    ]
    items += [
        PanelItem(
            _("%(number)s 評価第%(n)s回") % {"number": e.case.number, "n": e.number},
            _case_url(e.case, f"evaluations/{e.number}/"),
            badge=_("決定待ち"),
            tone="warn",
        )
        for e in evaluations[:10]
    ]
    return Panel(
        key="awaiting_decision",
        title=_("会議の決定待ち(プラン・評価)"),
        empty_text=_("承認・決定を待っているプランと評価はありません。"),
        items=items,
        count=len(items),
    )

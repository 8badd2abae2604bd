"""HTML views of the intake side: consultations, referrals (つなぐシート) with their inbox and
actions, concern slips, and the printed forms. Thin: validate, call one service, render."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import apply_service_errors
from agencies.listing import clear_filters_url, export_list, export_query, form_filters_set
from agencies.paging import FirstPageCountingPaginator, KeysFirstPaginator
from agencies.pdf import pdf_response, render_pdf
from agencies.policy import Basis, can, require, require_visible
from audit.services import record, record_list
from cases import lists, panels_intake  # noqa: F401 - registers the dashboard panels
from cases.choices import IssueCategory, Route
from cases.forms_intake import (
    ConcernSlipForm,
    ConcernSlipHandleForm,
    ConsultationFilterForm,
    ConsultationForm,
    InboxFilterForm,
    ReferralForm,
    SlipLinkForm,
    SlipToConsultationForm,
)
from cases.models import (
    ConcernSlip,
    Consultation,
    ConsultationOutcome,
    ConsulterKind,
    HouseholdMember,
    Referral,
    ReferralTrigger,
    Urgency,
)
from cases.policy.intake import consent_covers, referral_sections
from cases.selectors import intake as selectors
from cases.services import intake as services
from cases.workflows import REFERRAL_WORKFLOW

PAGE_SIZE = 50
# Check-box rows of the printed forms.
PRINT_CHOICES = {
    "trigger_choices": ReferralTrigger.choices,
    "urgency_choices": Urgency.choices,
    "route_choices": Route.choices,
    "consulter_choices": ConsulterKind.choices,
    "category_choices": IssueCategory.choices,
    "outcome_choices": ConsultationOutcome.choices,
}


def _fix_agency(form, field: str, agency_id: int) -> None:
    """The recording/sending agency of an existing record cannot change: shown, not editable."""
    f = form.fields[field]
    f.queryset = f.queryset.model.objects.filter(pk=agency_id)
    f.disabled = True
    form.initial[field] = agency_id


def _person_label(user, person) -> str:
    if person is None:
        return ""
    from cases.policy.persons import person_access

    return person.full_name if person_access(user, person).allowed else _("登録あり(閲覧権限なし)")


# --- 相談受付 ------------------------------------------------------------------------------------


def _consultations(request):
    """The consultations the list shows for this request: the actor's scope, then the filters."""
    form = ConsultationFilterForm(request.GET or None, user=request.user)
    qs = selectors.consultations_visible_to(request.user)
    if form.is_bound and form.is_valid():
        qs = selectors.filter_consultations(qs, form.cleaned_data)
    return form, qs


# What a row of consultation_list.html prints (the issue categories come prefetched); the
# export reads whole rows.
CONSULTATION_ROW = (
    "public_id",
    "received_at",
    "route",
    "consulter_kind",
    "urgency",
    "outcome",
    "agency__name",
    "agency__short_name",
    "staff__username",
    "staff__display_name",
)


@login_required
def consultation_list(request):
    require(request.user, "consultation.list")
    form, qs = _consultations(request)
    qs = lists.CONSULTATIONS.order(qs, request).only(*CONSULTATION_ROW)
    page = KeysFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(actor=request.user, action="consultation.list", objects=page.object_list)
    return render(
        request,
        "cases/intake/consultation_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "columns": lists.CONSULTATIONS.headers(request),
            "export_url": reverse("cases:consultation_export"),
            "export_query": export_query(request),
            "can_create": can(request.user, "consultation.create"),
            "nav_active": "consultation",
        },
    )


@login_required
def consultation_export(request):
    """CSV or XLSX (?fmt=) of the filtered list in its order, every row. Audited as an export."""
    decision = require(request.user, "consultation.export")
    _form, qs = _consultations(request)
    return export_list(
        request,
        lists.CONSULTATIONS,
        qs,
        action="consultation.export",
        basis=decision.basis,
        stem="相談受付一覧",
        persons=lambda c: [c.person_id],
        list_url=reverse("cases:consultation_list"),
    )


@login_required
def consultation_create(request):
    require(request.user, "consultation.create")
    if request.method == "POST":
        form = ConsultationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                consultation = services.consultation_create(
                    actor=request.user,
                    agency=form.cleaned_data["agency"],
                    categories=form.cleaned_data["categories"],
                    idempotency_key=form.cleaned_data.get("idempotency_key"),
                    **form.service_kwargs(),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("相談受付を登録しました。"))
                return redirect("cases:consultation_detail", public_id=consultation.public_id)
    else:
        initial = {}
        for key in ("person", "household"):
            if request.GET.get(key):
                initial[key] = request.GET[key]
        form = ConsultationForm(initial=initial, user=request.user)
    return render(
        request,
        "cases/intake/consultation_form.html",
        {
            "form": form,
            "nav_active": "consultation",
            "title": _("相談受付の登録"),
        },
    )


def _get_consultation(request, public_id, action) -> tuple[Consultation, object]:
    consultation = get_object_or_404(
        Consultation.objects.select_related(
            "agency", "staff", "person", "household", "created_by"
        ).prefetch_related("issues"),
        public_id=public_id,
    )
    # never confirm that another agency's consultation exists
    decision = require_visible(request.user, action, consultation)
    return consultation, decision


@login_required
def consultation_detail(request, public_id):
    consultation, decision = _get_consultation(request, public_id, "consultation.view")
    record(actor=request.user, action="consultation.view", obj=consultation, basis=decision.basis)
    return render(
        request,
        "cases/intake/consultation_detail.html",
        {
            "c": consultation,
            "basis_label": decision.basis_label,
            "nav_active": "consultation",
            "person_label": _person_label(request.user, consultation.person),
            "referrals": consultation.referrals.filter(
                from_agency_id=consultation.agency_id
            ).order_by("-created_at"),
            "can_update": can(request.user, "consultation.update", consultation),
            "can_refer": can(request.user, "referral.create", consultation.agency),
        },
    )


@login_required
def consultation_update(request, public_id):
    consultation, decision = _get_consultation(request, public_id, "consultation.update")
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(
            actor=request.user,
            action="consultation.view",
            obj=consultation,
            basis=decision.basis,
        )
    if request.method == "POST":
        form = ConsultationForm(request.POST, user=request.user)
        _fix_agency(form, "agency", consultation.agency_id)
        if form.is_valid():
            data = form.service_kwargs()
            try:
                services.consultation_update(
                    actor=request.user,
                    consultation=consultation,
                    expected_version=form.cleaned_data.get("version"),
                    categories=form.cleaned_data["categories"],
                    **data,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except services.IntakeConflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("相談受付を更新しました。"))
                return redirect("cases:consultation_detail", public_id=consultation.public_id)
    else:
        initial = {
            f: getattr(consultation, f)
            for f in (
                "route",
                "consulter_kind",
                "consulter_note",
                "summary",
                "urgency",
                "response",
                "outcome",
                "minutes_spent",
                "staff_count",
            )
        }
        initial |= {
            "received_at": timezone.localtime(consultation.received_at),
            "agency": consultation.agency_id,
            "person": consultation.person.public_id if consultation.person else None,
            "household": consultation.household.public_id if consultation.household else None,
            "categories": consultation.categories,
            "version": consultation.version,
        }
        form = ConsultationForm(initial=initial, user=request.user)
        _fix_agency(form, "agency", consultation.agency_id)
    return render(
        request,
        "cases/intake/consultation_form.html",
        {
            "form": form,
            "consultation": consultation,
            "nav_active": "consultation",
            "title": _("相談受付の編集"),
        },
    )


@login_required
def consultation_pdf(request, public_id):
    consultation, decision = _get_consultation(request, public_id, "consultation.print")
    started = time.perf_counter()
    pdf = render_pdf(
        "cases/print/consultation.html",
        {
            "c": consultation,
            "print_date": timezone.localdate(),
            "person_label": _person_label(request.user, consultation.person),
            **PRINT_CHOICES,
        },
        request=request,
    )
    record(
        actor=request.user,
        action="consultation.print",
        obj=consultation,
        basis=decision.basis,
        kind="view",
        changes=["pdf"],
    )
    response = pdf_response(
        pdf, f"相談受付票_{timezone.localtime(consultation.received_at):%Y%m%d}.pdf"
    )
    response["X-Render-Seconds"] = f"{time.perf_counter() - started:.3f}"
    return response


# --- つなぐシート ----------------------------------------------------------------------------------


def _get_referral(request, public_id, action="referral.view") -> tuple[Referral, object]:
    referral = get_object_or_404(
        Referral.objects.select_related(
            "from_agency",
            "from_worker",
            "to_agency",
            "assignee",
            "person",
            "household",
            "consent",
            "consultation",
            "case",
            "opened_by",
            "answered_by",
            "handled_consultation",
        ),
        public_id=public_id,
    )
    decision = require_visible(request.user, "referral.view", referral)
    if action != "referral.view":
        decision = require(request.user, action, referral)
    return referral, decision


def _referral_initial(referral: Referral) -> dict:
    initial = {
        f: getattr(referral, f)
        for f in (
            "variant",
            "route",
            "triggers",
            "reason_note",
            "person_says",
            "done_so_far",
            "meeting_summary",
            "urgency",
            "accompanied",
            "accompanied_note",
        )
    }
    initial |= {
        "from_agency": referral.from_agency_id,
        "to_agency": referral.to_agency_id,
        "version": referral.version,
        "person": referral.person.public_id if referral.person else None,
        "household": referral.household.public_id if referral.household else None,
        "consent": referral.consent.public_id if referral.consent else None,
    }
    return initial


@login_required
def referral_create(request):
    require(request.user, "referral.create")
    consultation = None
    if request.GET.get("consultation") or request.POST.get("consultation"):
        consultation, _d = _get_consultation(
            request,
            request.GET.get("consultation") or request.POST.get("consultation"),
            "consultation.view",
        )
    if request.method == "POST":
        form = ReferralForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    referral = services.referral_create(
                        actor=request.user,
                        from_agency=form.cleaned_data["from_agency"],
                        idempotency_key=form.cleaned_data.get("idempotency_key"),
                        consultation=consultation,
                        **form.service_kwargs(),
                    )
                    if "send" in request.POST and referral.status == Referral.Status.DRAFT:
                        referral = services.referral_send(actor=request.user, referral=referral)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if referral.status == Referral.Status.DRAFT:
                    messages.success(request, _("つなぐシートを下書き保存しました。"))
                else:
                    messages.success(request, _("つなぐシートを送付しました。"))
                return redirect("cases:referral_detail", public_id=referral.public_id)
    else:
        initial = {}
        if consultation is not None:
            initial = {
                "from_agency": consultation.agency_id,
                "route": consultation.route,
                "person": consultation.person.public_id if consultation.person else None,
                "household": consultation.household.public_id if consultation.household else None,
                "person_says": consultation.summary,
                "done_so_far": consultation.response,
                "urgency": consultation.urgency,
            }
        else:
            # From the person page (つなぐシートを作成): the form's own queryset decides whether
            # the person may be chosen, so a foreign id simply leaves the field empty.
            for key in ("person", "household"):
                if request.GET.get(key):
                    initial[key] = request.GET[key]
        form = ReferralForm(initial=initial, user=request.user)
    return render(
        request,
        "cases/intake/referral_form.html",
        {
            "form": form,
            "consultation": consultation,
            "nav_active": "consultation",
            "title": _("つなぐシートの作成"),
        },
    )


@login_required
def referral_update(request, public_id):
    referral, decision = _get_referral(request, public_id, "referral.update")
    if referral.status not in services.EDITABLE_STATES:
        messages.error(
            request,
            _("「%(status)s」のつなぐシートは編集できません。")
            % {"status": referral.get_status_display()},
        )
        return redirect("cases:referral_detail", public_id=referral.public_id)
    if request.method == "GET":  # the form shows the record: reading it is audited too
        record(actor=request.user, action="referral.view", obj=referral, basis=decision.basis)
    if request.method == "POST":
        form = ReferralForm(request.POST, user=request.user)
        _fix_agency(form, "from_agency", referral.from_agency_id)
        if form.is_valid():
            data = form.service_kwargs()
            try:
                with transaction.atomic():
                    referral = services.referral_update(
                        actor=request.user,
                        referral=referral,
                        expected_version=form.cleaned_data.get("version"),
                        **data,
                    )
                    if "send" in request.POST and referral.status == Referral.Status.DRAFT:
                        referral = services.referral_send(actor=request.user, referral=referral)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except services.IntakeConflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("つなぐシートを保存しました。")
                    if referral.status == Referral.Status.DRAFT
                    or referral.status == Referral.Status.INFO_REQUESTED
                    else _("つなぐシートを送付しました。"),
                )
                return redirect("cases:referral_detail", public_id=referral.public_id)
    else:
        form = ReferralForm(initial=_referral_initial(referral), user=request.user)
        _fix_agency(form, "from_agency", referral.from_agency_id)
    return render(
        request,
        "cases/intake/referral_form.html",
        {
            "form": form,
            "referral": referral,
            "nav_active": "consultation",
            "title": _("つなぐシートの編集"),
        },
    )


def _step_form(step, referral, data=None):
    cls = step.form_class()
    if cls is None:
        return None
    # The detail page shows several of these forms at once, and more than one has a `note`:
    # ids carry the action so each label points at its own field. Field names stay unprefixed,
    # so what is posted (and the API's field names) is unchanged.
    kwargs = {"auto_id": f"id_{step.action}_%s"}
    if step.form_takes_subject:
        kwargs["referral"] = referral
    if step.action == "accept_own" and data is None:
        kwargs["initial"] = {"handed_over": referral.accompanied}
    return cls(data, **kwargs) if data is not None else cls(**kwargs)


def _action_forms(request, referral, bound=None) -> dict:
    """{action: (step, form)} for the workflow steps this user may take now (state + policy), in the
    order of the workflow table."""
    out = {}
    for step in REFERRAL_WORKFLOW.available(request.user, referral):
        if step.extra.get("html") is False:
            continue
        if step.action == "convert" and not referral.with_consent:
            continue
        if (
            step.action == "accept"
            and referral.with_consent
            and not consent_covers(referral.consent, referral)
        ):
            continue  # the receiver returns it or treats it as 支援会議 material (message on the page)
        if bound is not None and bound[0] == step.action:
            out[step.action] = (step, bound[1])
        else:
            out[step.action] = (step, _step_form(step, referral))
    return out


def _household_members(referral):
    if not referral.household_id:
        return []
    return list(
        HouseholdMember.objects.current()
        .filter(household_id=referral.household_id)
        .select_related("person")
    )


def _detail_context(request, referral, decision, *, bound=None, conflict=None) -> dict:
    sections = referral_sections(request.user, referral)
    is_sender = decision.basis == Basis.SENDING_AGENCY
    consent_ok = None
    if referral.with_consent and referral.consent_id:
        consent_ok = consent_covers(referral.consent, referral)
    return {
        "r": referral,
        "sections": sections,
        "basis_label": decision.basis_label,
        "is_sender": is_sender,
        "timeline": selectors.referral_timeline(referral),
        "action_forms": _action_forms(request, referral, bound),
        "can_edit": can(request.user, "referral.update", referral)
        and referral.status in services.EDITABLE_STATES,
        "household_members": _household_members(referral) if "household" in sections else [],
        "consent_ok": consent_ok,
        "can_see_consultation": bool(
            referral.handled_consultation_id
            and can(request.user, "consultation.view", referral.handled_consultation)
        ),
        "can_see_case": bool(referral.case_id and can(request.user, "case.view", referral.case)),
        "conflict": conflict,
        "nav_active": "consultation",
    }


@login_required
def referral_detail(request, public_id):
    referral, decision = _get_referral(request, public_id)
    referral = services.referral_record_view(
        actor=request.user, referral=referral, basis=decision.basis
    )
    referral, decision = _get_referral(request, public_id)  # fresh after a first view
    conflict = None
    if (
        referral.with_consent
        and referral.status in Referral.AWAITING_RECEIVER
        and decision.basis == Basis.RECEIVING_AGENCY
        and referral.consent_id
    ):
        if not consent_covers(referral.consent, referral):
            conflict = services.consent_lapsed_message()
    return render(
        request,
        "cases/intake/referral_detail.html",
        _detail_context(request, referral, decision, conflict=conflict),
    )


@login_required
@require_POST
def referral_action(request, public_id, action):
    """Every referral transition, read from the workflow table (cases.workflows)."""
    referral, decision = _get_referral(request, public_id)
    step = REFERRAL_WORKFLOW.step(action)
    if step is None or step.extra.get("html") is False:
        raise Http404
    require(request.user, step.policy, referral)
    form = _step_form(step, referral, request.POST)
    if form is not None and not form.is_valid():
        ctx = _detail_context(request, referral, decision, bound=(action, form))
        return render(request, "cases/intake/referral_detail.html", ctx, status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        step.service_fn()(actor=request.user, referral=referral, **data)
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages))
            return redirect("cases:referral_detail", public_id=referral.public_id)
        apply_service_errors(form, exc)
        ctx = _detail_context(request, referral, decision, bound=(action, form))
        return render(request, "cases/intake/referral_detail.html", ctx, status=400)
    except services.IntakeConflict as exc:
        referral, decision = _get_referral(request, public_id)
        ctx = _detail_context(request, referral, decision, conflict=exc.message)
        return render(request, "cases/intake/referral_detail.html", ctx, status=409)
    messages.success(request, step.message)
    return redirect("cases:referral_detail", public_id=referral.public_id)


def _inbox(request):
    """(tab, filter form, queryset) of the inbox for this request."""
    key = request.GET.get("tab", "open")
    if key not in selectors.INBOX_FILTERS:
        key = "open"
    form = InboxFilterForm(request.GET or None)
    qs = selectors.inbox_filter(selectors.referrals_received_by(request.user), key, request.user)
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("urgency"):
            qs = qs.filter(urgency=form.cleaned_data["urgency"])
        if form.cleaned_data.get("from_agency"):
            qs = qs.filter(from_agency=form.cleaned_data["from_agency"])
    return key, form, qs


def _inbox_order(request, qs, key):
    # Unanswered sheets: not yet opened first, then the nearest answer deadline (said on the page).
    if key == "open" and not request.GET.get("sort"):
        return qs.order_by("status", "answer_due_on", "-sent_at", "-pk")
    return lists.REFERRALS_RECEIVED.order(qs, request)


# What a row of referral_inbox.html prints, and its audit label (the number). A sheet has 43
# columns and `for_list()` joins four more tables: 145 columns per row cost 1.7 ms to compile and
# 0.7 ms to plan on every inbox page at city scale.
INBOX_ROW = (
    "public_id",
    "number",
    "sent_at",
    "variant",
    "triggers",
    "urgency",
    "status",
    "answer_due_on",
    "from_agency__name",
    "from_agency__short_name",
    "assignee__display_name",
)


@login_required
def referral_inbox(request):
    require(request.user, "referral.inbox")
    key, form, qs = _inbox(request)
    qs = _inbox_order(request, qs, key)
    qs = qs.select_related(None).select_related("from_agency", "assignee").only(*INBOX_ROW)
    counts = selectors.inbox_counts(request.user)
    filtered = form_filters_set(request, form)
    paginator = KeysFirstPaginator(qs, PAGE_SIZE)
    if not filtered:
        paginator.count = counts[key]  # the tab's count is the list's: no COUNT of its own
    page = paginator.get_page(request.GET.get("page"))
    record_list(actor=request.user, action="referral.inbox", objects=page.object_list)
    tabs = [
        ("open", _("未回答(すべて)")),
        ("new", _("新着・未確認")),
        ("overdue", _("期限超過")),
        ("mine", _("自分の担当")),
        ("info_requested", _("追加情報依頼中")),
        ("all", _("すべて")),
    ]
    return render(
        request,
        "cases/intake/referral_inbox.html",
        {
            "page_obj": page,
            "tab": key,
            "tabs": [(k, label, counts[k]) for k, label in tabs],
            "filter_form": form,
            # The tab stays: it is the part of the inbox being read, chosen above the form.
            "clear_filters_url": clear_filters_url(request, active=filtered, keep=("tab", "sort")),
            "columns": lists.REFERRALS_RECEIVED.headers(request),
            "default_order": key == "open" and not request.GET.get("sort"),
            "export_url": reverse("cases:referral_inbox_export"),
            "export_query": export_query(request),
            "today": timezone.localdate(),
            "nav_active": "consultation",
        },
    )


@login_required
def referral_inbox_export(request):
    """The received sheets as shown (tab, filters, order), every row, CSV or XLSX. Audited.
    A filter the inbox refuses sends back to the inbox, which says why: an export is never
    wider than what was asked for."""
    decision = require(request.user, "referral.inbox")
    key, form, qs = _inbox(request)
    list_url = reverse("cases:referral_inbox")
    if form.errors:
        query = export_query(request)
        return redirect(list_url + (f"?{query}" if query else ""))
    if key == "open" and not request.GET.get("sort"):
        qs = qs.order_by("status", "answer_due_on", "-sent_at", "-pk")
    return export_list(
        request,
        lists.REFERRALS_RECEIVED,
        qs,
        action="referral.export",
        basis=decision.basis,
        stem="つなぐシート受信一覧",
        persons=lambda r: [r.person_id],
        list_url=list_url,
        keep_order=key == "open" and not request.GET.get("sort"),
    )


def _sent(request):
    qs = selectors.referrals_sent_by(request.user).select_related("person")
    status = request.GET.get("status", "")
    if status in Referral.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    if request.GET.get("mine"):
        qs = qs.filter(from_worker=request.user)
    return status, qs


@login_required
def referral_sent(request):
    require(request.user, "referral.list")
    status, qs = _sent(request)
    qs = lists.REFERRALS_SENT.order(qs, request)
    page = KeysFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(actor=request.user, action="referral.list", objects=page.object_list)
    return render(
        request,
        "cases/intake/referral_sent.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": Referral.Status.choices,
            "columns": lists.REFERRALS_SENT.headers(request),
            "export_url": reverse("cases:referral_sent_export"),
            "export_query": export_query(request),
            "nav_active": "consultation",
        },
    )


@login_required
def referral_sent_export(request):
    """The sent sheets as shown (filters, order), every row, CSV or XLSX. Audited."""
    decision = require(request.user, "referral.list")
    _status, qs = _sent(request)
    return export_list(
        request,
        lists.REFERRALS_SENT,
        qs,
        action="referral.export",
        basis=decision.basis,
        stem="送付したつなぐシート",
        persons=lambda r: [r.person_id],
        list_url=reverse("cases:referral_sent"),
    )


@login_required
def referral_pdf(request, public_id):
    referral, decision = _get_referral(request, public_id, "referral.print")
    started = time.perf_counter()
    sections = referral_sections(request.user, referral)
    pdf = render_pdf(
        "cases/print/referral.html",
        {
            "r": referral,
            "sections": sections,
            "print_date": timezone.localdate(),
            "household_members": _household_members(referral) if "household" in sections else [],
            **PRINT_CHOICES,
        },
        request=request,
    )
    record(
        actor=request.user,
        action="referral.print",
        obj=referral,
        basis=sections.basis or decision.basis,
        kind="view",
        changes=["pdf"],
    )
    response = pdf_response(pdf, f"つなぐシート_{referral.number}.pdf")
    response["X-Render-Seconds"] = f"{time.perf_counter() - started:.3f}"
    return response


# --- 気づきシート ----------------------------------------------------------------------------------


@login_required
def concern_slip_mine(request):
    require(request.user, "concern_slip.list_own")
    page = FirstPageCountingPaginator(selectors.concern_slips_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/intake/slip_mine.html",
        {
            "page_obj": page,
            "resident_nav": "mine",
        },
    )


@login_required
def concern_slip_create(request):
    require(request.user, "concern_slip.create")
    if request.method == "POST":
        form = ConcernSlipForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.concern_slip_submit(
                    actor=request.user,
                    to_agency=d["to_agency"],
                    subject_description=d["subject_description"],
                    noticed=d["noticed"],
                    location=d["location"],
                    area=d["area"],
                    urgency=d["urgency"],
                    idempotency_key=d.get("idempotency_key"),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("気づきシートを提出しました。ありがとうございました。"))
                return redirect("cases:concern_slip_mine")
    else:
        form = ConcernSlipForm(user=request.user)
    return render(request, "cases/intake/slip_form.html", {"form": form, "resident_nav": "new"})


@login_required
def concern_slip_received(request):
    require(request.user, "concern_slip.list_received")
    qs = selectors.concern_slips_received_by(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.exclude(status=ConcernSlip.Status.CLOSED)
    elif status in ConcernSlip.Status.values:
        qs = qs.filter(status=status)
    page = FirstPageCountingPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/intake/slip_received.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ConcernSlip.Status.choices,
            "nav_active": "consultation",
        },
    )


@login_required
def concern_slip_detail(request, public_id):
    slip = get_object_or_404(
        ConcernSlip.objects.select_related(
            "to_agency", "area", "submitted_by", "handled_by", "consultation", "case"
        ),
        public_id=public_id,
    )
    decision = require_visible(request.user, "concern_slip.view", slip)
    staff_view = decision.basis == Basis.RECEIVING_AGENCY
    form = None
    to_consultation = SlipToConsultationForm()
    link_form = SlipLinkForm()
    if staff_view and request.method == "GET" and slip.status == ConcernSlip.Status.SUBMITTED:
        # The receiving agency's first look: 受付済み reaches the resident on its own.
        if can(request.user, "concern_slip.handle", slip):
            slip = services.concern_slip_set_status(
                actor=request.user, slip=slip, status=ConcernSlip.Status.RECEIVED
            )
    if (
        staff_view
        and request.method == "POST"
        and request.POST.get("step")
        in (
            "to_consultation",
            "link",
        )
    ):
        step = request.POST["step"]
        bound = (SlipToConsultationForm if step == "to_consultation" else SlipLinkForm)(
            request.POST
        )
        if bound.is_valid():
            try:
                if step == "to_consultation":
                    consultation = services.concern_slip_to_consultation(
                        actor=request.user,
                        slip=slip,
                        categories=bound.cleaned_data["categories"],
                    )
                    messages.success(request, _("気づきシートを相談受付にしました。"))
                    return redirect("cases:consultation_detail", public_id=consultation.public_id)
                from cases.models import SupportCase

                case = SupportCase.objects.filter(
                    number=bound.cleaned_data["case_number"].strip()
                ).first()
                if case is None:
                    raise ValidationError({"case_number": _("この番号の支援ケースはありません。")})
                services.concern_slip_link(actor=request.user, slip=slip, case=case)
                messages.success(request, _("気づきシートを既存の記録に結びつけました。"))
                return redirect("cases:concern_slip_detail", public_id=slip.public_id)
            except ValidationError as exc:
                if "case" in getattr(exc, "message_dict", {}):
                    exc = ValidationError({"case_number": exc.message_dict["case"]})
                apply_service_errors(bound, exc)
            except services.IntakeConflict as exc:
                bound.add_error(None, exc.message)
        if step == "to_consultation":
            to_consultation = bound
        else:
            link_form = bound
        form = ConcernSlipHandleForm(initial={"status": slip.status, "version": slip.version})
    elif staff_view:
        if request.method == "POST":
            form = ConcernSlipHandleForm(request.POST)
            if form.is_valid():
                try:
                    services.concern_slip_set_status(
                        actor=request.user,
                        slip=slip,
                        status=form.cleaned_data["status"],
                        note=form.cleaned_data["note"],
                        expected_version=form.cleaned_data["version"],
                    )
                except services.IntakeConflict as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("気づきシートの対応状況を更新しました。"))
                    return redirect("cases:concern_slip_detail", public_id=slip.public_id)
        else:
            form = ConcernSlipHandleForm(initial={"status": slip.status, "version": slip.version})
    elif request.method == "POST":
        require(request.user, "concern_slip.handle", slip)
    record(actor=request.user, action="concern_slip.view", obj=slip, basis=decision.basis)
    template = (
        "cases/intake/slip_detail.html" if staff_view else "cases/intake/slip_detail_resident.html"
    )
    return render(
        request,
        template,
        {
            "slip": slip,
            "form": form,
            "to_consultation_form": to_consultation if staff_view else None,
            "link_form": link_form if staff_view else None,
            "basis_label": decision.basis_label,
            "nav_active": "consultation",
            "resident_nav": "mine",
        },
    )

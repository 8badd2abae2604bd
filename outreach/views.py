"""HTML pages of the outreach programme. Thin: fetch through the policy, validate a form, call
one service, render. A target the user may not see is a 404 (nothing reveals it exists)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import jpdates
from agencies.forms import apply_service_errors, message_service_errors
from agencies.models import Agency, Area, User
from agencies.paging import KeysFirstPaginator
from agencies.pdf import pdf_response, render_pdf
from agencies.policy import can, check, require
from audit.services import record, record_list
from cases.models import ConcernSlip

from . import forms as f
from . import policy
from . import selectors as sel
from . import services as svc
from .models import OutreachTarget, PlannedVisit, Source, Stage

PAGE_SIZE = 30
NAV = "outreach"


def _target(request, target_id, action: str = "outreach_target.view"):
    target = get_object_or_404(
        OutreachTarget.objects.select_related("agency", "area", "lead_worker", "person"),
        public_id=target_id,
    )
    if not check(request.user, "outreach_target.view", target):
        raise Http404
    decision = require(request.user, action, target)
    return target, decision


def _record_form_read(request, target: OutreachTarget, decision) -> None:
    """A form page about a target shows its personal data (at least the name): showing it is an
    audited read, as the target page is. Only the GET is recorded: a refused post re-renders
    what the same user has just been shown (as cases' person_edit does)."""
    if request.method == "GET":
        record(actor=request.user, action="outreach_target.view", obj=target, basis=decision.basis)


def _workers(target: OutreachTarget, user):
    """Who can be named: the holding agency's care staff, the people already named, the user."""
    extra = set(target.assignees.values_list("pk", flat=True)) | {user.pk}
    if target.lead_worker_id:
        extra.add(target.lead_worker_id)
    return f.workers_for({target.agency_id}, extra)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


# --- list and create ------------------------------------------------------------------------


@login_required
def target_list(request):
    require(request.user, "outreach.list")
    g = request.GET
    stage = g.get("stage", "open")
    filters = sel.TargetFilters(
        stage=stage if stage in {"", "open", *Stage.values} else "open",
        area=_int(g.get("area")),
        source=g.get("source", "") if g.get("source", "") in Source.values else "",
        worker=_int(g.get("worker")),
        mine=g.get("mine") == "1",
        stagnant=g.get("stagnant") == "1",
        q=g.get("q", "").strip()[:50],
    )
    # Keys first: the page's 30 targets are chosen on the target table alone and only they are
    # joined to their agency, area and worker (a CSW's agency follows ~1,800 open targets).
    page = KeysFirstPaginator(sel.target_list(request.user, filters), PAGE_SIZE).get_page(
        g.get("page")
    )
    page.object_list = sel.with_contact_counts(page.object_list)
    record_list(actor=request.user, action="outreach_target.list", objects=page.object_list)
    agency_ids = policy.care_agency_ids(request.user)
    return render(
        request,
        "outreach/target_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "stages": Stage.choices,
            "sources": Source.choices,
            "areas": Area.objects.exclude(level=Area.Level.CITY),
            "workers": f.workers_for(agency_ids) if agency_ids else User.objects.none(),
            "stagnant_days": sel.STAGNANT_DAYS,
            "can_create": can(request.user, "outreach_target.create"),
            "can_import": can(request.user, "outreach.import"),
            "can_workload": can(request.user, "outreach.workload"),
            "can_field": can(request.user, "outreach.field"),
            "nav_active": NAV,
        },
    )


def _outreach_agencies(user):
    return Agency.objects.filter(pk__in=policy.outreach_agency_ids(user)).order_by("kana")


@login_required
def target_create(request):
    require(request.user, "outreach_target.create")
    agencies = list(_outreach_agencies(request.user))
    form = f.TargetForm(request.POST or None, initial={"known_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        agency = agencies[0]
        chosen = _int(request.POST.get("agency"))
        if chosen:
            agency = next((a for a in agencies if a.pk == chosen), None)
        if agency is None:
            form.add_error(None, _("担当機関を選んでください。"))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            data = {k: ("" if v is None and k in ("sex",) else v) for k, v in data.items()}
            try:
                target = svc.target_create(actor=request.user, agency=agency, data=data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("アウトリーチ対象者を登録しました。"))
                return redirect(target)
    return render(
        request,
        "outreach/target_form.html",
        {"form": form, "agencies": agencies, "nav_active": NAV, "creating": True},
    )


@login_required
def target_from_slip(request, slip_id):
    """A 気づきシート addressed to the user's agency becomes an outreach target (POST)."""
    slip = get_object_or_404(ConcernSlip.objects.select_related("to_agency"), public_id=slip_id)
    if not check(request.user, "concern_slip.handle", slip):
        raise Http404
    if request.method != "POST":
        return render(request, "outreach/from_slip.html", {"slip": slip, "nav_active": NAV})
    agency = slip.to_agency
    if not can(request.user, "outreach_target.create", agency):
        agency = _outreach_agencies(request.user).first()
    try:
        target = svc.target_from_concern_slip(actor=request.user, slip=slip, agency=agency)
    except ValidationError as exc:
        message_service_errors(request, exc)
        return render(request, "outreach/from_slip.html", {"slip": slip, "nav_active": NAV})
    messages.success(request, _("気づきシートからアウトリーチ対象者を登録しました。"))
    return redirect(target)


# --- the target page ------------------------------------------------------------------------


@login_required
def target_detail(request, target_id):
    target, _decision = _target(request, target_id)
    return _detail_page(request, target)


def _detail_page(request, target: OutreachTarget, *, stage_form=None, link_form=None):
    """The target page, for a GET and for a refused post of a form embedded in it: the failed
    form (`stage_form`, `link_form`) comes back bound, with what was typed and the errors at its
    fields, instead of a banner above a reset form. Each rendering is an audited read."""
    decision = svc.target_record_view(actor=request.user, target=target)
    may_work = can(request.user, "outreach_target.work", target)
    person_visible = bool(target.person_id) and can(request.user, "person.view", target.person)
    case_visible = bool(target.support_case_id) and can(
        request.user, "case.view", target.support_case
    )
    today = timezone.localdate()
    timeline = sel.target_timeline(target, request.GET.get("page"))
    if may_work and stage_form is None:
        stage_form = f.StageForm(
            stages=svc.allowed_stages(target), initial={"version": target.version}
        )
    if may_work and link_form is None and target.person_id and not target.support_case_id:
        link_form = f.CaseLinkForm(user=request.user)
    return render(
        request,
        "outreach/target_detail.html",
        {
            "target": target,
            "decision": decision,
            "assignees": list(target.assignees.all()),
            "timeline": timeline.entries,
            "page_obj": timeline.page_obj,
            "plan": sel.current_plan(target),
            "visits": list(
                target.planned_visits.filter(cancelled=False, planned_on__gte=today)
                .select_related("contact")
                .prefetch_related("staff")
            ),
            "agenda_items": svc.agenda_items_for(target),
            "may_work": may_work,
            "may_assign": can(request.user, "outreach_target.assign", target),
            "stage_form": stage_form if may_work else None,
            "person_visible": person_visible,
            "case_visible": case_visible,
            "link_form": link_form if may_work else None,
            "nav_active": NAV,
        },
    )


@login_required
def target_edit(request, target_id):
    target, decision = _target(request, target_id, "outreach_target.work")
    _record_form_read(request, target, decision)
    form = f.TargetForm(request.POST or None, instance=target, initial={"version": target.version})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            svc.target_update(
                actor=request.user,
                target=target,
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            target.refresh_from_db()
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("対象者の情報を更新しました。"))
            return redirect(target)
    return render(
        request, "outreach/target_form.html", {"form": form, "target": target, "nav_active": NAV}
    )


@login_required
def target_assign(request, target_id):
    target, decision = _target(request, target_id, "outreach_target.assign")
    _record_form_read(request, target, decision)
    workers = _workers(target, request.user)
    form = f.AssignForm(
        request.POST or None,
        workers=workers,
        initial={"lead_worker": target.lead_worker, "assignees": list(target.assignees.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.target_assign(
                actor=request.user,
                target=target,
                lead_worker=form.cleaned_data["lead_worker"],
                assignees=form.cleaned_data["assignees"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("担当者を更新しました。"))
            return redirect(target)
    return render(
        request,
        "outreach/simple_form.html",
        {"form": form, "target": target, "title": _("担当者の変更"), "nav_active": NAV},
    )


@login_required
@require_POST
def target_stage(request, target_id):
    target, _decision = _target(request, target_id, "outreach_target.work")
    form = f.StageForm(request.POST, stages=svc.allowed_stages(target))
    if form.is_valid():
        d = form.cleaned_data
        try:
            svc.target_move(
                actor=request.user,
                target=target,
                to_stage=d["to_stage"],
                reason=d["reason"],
                on=d["on"],
                closure_reason=d["closure_reason"],
                next_try_on=d["next_try_on"],
                expected_version=d.get("version"),
            )
        except svc.OutreachConflict as exc:
            # The page shows the record as it is now; what was typed stays, and sending it
            # again applies it to this version (the user has seen the change).
            target.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(target.version)
            form = f.StageForm(data, stages=svc.allowed_stages(target))
            form.is_valid()
            apply_service_errors(form, exc)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("段階を「%(stage)s」に変更しました。") % {"stage": Stage(d["to_stage"]).label},
            )
            return redirect(target)
    return _detail_page(request, target, stage_form=form)


@login_required
def contact_create(request, target_id):
    target, decision = _target(request, target_id, "outreach_target.work")
    _record_form_read(request, target, decision)
    workers = _workers(target, request.user)
    visit = None
    if request.GET.get("visit") or request.POST.get("visit"):
        visit = PlannedVisit.objects.filter(
            target=target, public_id=_uuid(request.GET.get("visit") or request.POST.get("visit"))
        ).first()
    initial = {
        "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
        "staff": [request.user],
    }
    if visit is not None:
        initial.update(
            kind=visit.kind, staff=list(visit.staff.all()), professionals=visit.professionals
        )
    form = f.ContactForm(request.POST or None, workers=workers, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.contact_log(
                actor=request.user,
                target=target,
                kind=d["kind"],
                occurred_at=d["occurred_at"],
                minutes=d["minutes"],
                staff=d["staff"],
                professionals=d["professionals"],
                professionals_note=d["professionals_note"],
                counterpart=d["counterpart"],
                outcome=d["outcome"],
                content=d["content"],
                next_step=d["next_step"],
                next_on=d["next_on"],
                planned_visit=visit,
                idempotency_key=d["idempotency_key"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("接触記録を登録しました。"))
            return redirect(target)
    return render(
        request,
        "outreach/simple_form.html",
        {
            "form": form,
            "target": target,
            "title": _("接触記録の入力"),
            "hidden": {"visit": visit.public_id} if visit else {},
            "nav_active": NAV,
        },
    )


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


@login_required
def visit_create(request, target_id):
    target, decision = _target(request, target_id, "outreach_target.work")
    _record_form_read(request, target, decision)
    form = f.VisitForm(
        request.POST or None,
        workers=_workers(target, request.user),
        initial={
            "planned_on": timezone.localdate() + dt.timedelta(days=1),
            "staff": [request.user],
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.visit_plan(actor=request.user, target=target, **d)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("訪問予定を登録しました。"))
            return redirect(target)
    return render(
        request,
        "outreach/simple_form.html",
        {"form": form, "target": target, "title": _("訪問予定の登録"), "nav_active": NAV},
    )


@login_required
@require_POST
def visit_cancel(request, visit_id):
    visit = get_object_or_404(PlannedVisit.objects.select_related("target"), public_id=visit_id)
    if not check(request.user, "outreach_target.view", visit.target):
        raise Http404
    try:
        svc.visit_cancel(actor=request.user, visit=visit)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("訪問予定を取りやめました。"))
    return redirect(visit.target)


@login_required
def plan_create(request, target_id):
    target, decision = _target(request, target_id)
    items = svc.agenda_items_for(target)
    manageable = [i for i in items if can(request.user, "agendaitem.edit", i)]
    if not can(request.user, "outreach_plan.record", target) and not manageable:
        require(request.user, "outreach_plan.record", target)
    _record_form_read(request, target, decision)
    from meetings.models import BodyMember

    members = BodyMember.objects.current().filter(
        body_id__in={i.meeting.body_id for i in items}, user__isnull=False
    )
    workers = f.workers_for(
        {target.agency_id},
        {request.user.pk, *target.assignees.values_list("pk", flat=True)}
        | set(members.values_list("user_id", flat=True)),
    )
    form = f.PlanForm(request.POST or None, workers=workers, items=items)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        item = next((i for i in items if str(i.public_id) == d["agenda_item"]), None)
        try:
            svc.plan_record(
                actor=request.user,
                target=target,
                agenda_item=item,
                decided_on=d["decided_on"],
                approach=d["approach"],
                owners=d["owners"],
                next_review_on=d["next_review_on"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("アウトリーチ計画を記録しました。"))
            return redirect(target)
    return render(
        request,
        "outreach/simple_form.html",
        {"form": form, "target": target, "title": _("アウトリーチ計画の記録"), "nav_active": NAV},
    )


@login_required
def agenda_request(request, target_id):
    target, decision = _target(request, target_id, "outreach_target.work")
    _record_form_read(request, target, decision)
    form = f.AgendaRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.target_request_agenda(
                actor=request.user,
                target=target,
                body=form.cleaned_data["body"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("支援会議に議題を申し込みました。事務局が議題に追加すると共有されます。")
            )
            return redirect(target)
    return render(
        request,
        "outreach/simple_form.html",
        {"form": form, "target": target, "title": _("支援会議への付議"), "nav_active": NAV},
    )


@login_required
def register_person(request, target_id):
    """After consent: register the person (and household) with the consent, record the
    consultation."""
    target, decision = _target(request, target_id, "outreach_target.work")
    require(request.user, "person.create")
    _record_form_read(request, target, decision)
    initial = {
        "birth_date": target.birth_date,
        "sex": target.sex,
        "address": target.approx_address,
        "given_on": timezone.localdate(),
        "agencies": [target.agency],
    }
    form = f.RegisterPersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        consent = form.consent_data()
        d = {k: v for k, v in form.cleaned_data.items() if k not in consent}
        summary = d.pop("consultation_summary")
        categories = d.pop("categories")
        try:
            svc.target_register_person(
                actor=request.user,
                target=target,
                person_data={k: v for k, v in d.items() if v not in (None, "")},
                household_data={"address": d.get("address", "")},
                consent=consent,
            )
            if summary:
                svc.target_record_consultation(
                    actor=request.user, target=target, summary=summary, categories=categories
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("対象者記録を登録し、このアウトリーチとつなげました。"))
            return redirect(target)
    return render(
        request,
        "outreach/simple_form.html",
        {
            "form": form,
            "target": target,
            "title": _("本人の同意を得て対象者記録を登録"),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def link_case(request, target_id):
    target, _decision = _target(request, target_id, "outreach_target.work")
    form = f.CaseLinkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            svc.target_link_case(actor=request.user, target=target, case=form.cleaned_data["case"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("支援ケースとつなげました。"))
            return redirect(target)
    return _detail_page(request, target, link_form=form)


@login_required
def target_print(request, target_id):
    target, decision = _target(request, target_id, "outreach_target.print")
    contacts = sel.contacts_for_print(target)
    pdf = render_pdf(
        "outreach/print/contacts.html",
        {"target": target, "contacts": contacts, "transitions": list(target.transitions.all())},
        request=request,
    )
    record(actor=request.user, action="outreach_target.print", obj=target, basis=decision.basis)
    return pdf_response(pdf, f"アウトリーチ接触記録_{target.number}.pdf")


# --- visit plan and workload ----------------------------------------------------------------


@login_required
def visit_plan(request):
    require(request.user, "outreach.plan_visits")
    today = timezone.localdate()
    start = jpdates.query_date(request.GET.get("start"), today)
    days = 7 if request.GET.get("range") != "day" else 1
    end = start + dt.timedelta(days=days - 1)
    staff_id = _int(request.GET.get("staff"))
    visits = list(sel.planned_visits(request.user, start=start, end=end, staff_id=staff_id))
    record_list(
        actor=request.user, action="outreach_target.list", objects=[v.target for v in visits]
    )
    agency_ids = policy.care_agency_ids(request.user)
    return render(
        request,
        "outreach/visit_plan.html",
        {
            "grouped": sel.visits_by_day_and_staff(visits),
            "start": start,
            "end": end,
            "prev": start - dt.timedelta(days=days),
            "next": start + dt.timedelta(days=days),
            "range": "day" if days == 1 else "week",
            "staff_id": staff_id,
            "workers": f.workers_for(agency_ids) if agency_ids else User.objects.none(),
            "can_field": can(request.user, "outreach.field"),
            "nav_active": NAV,
        },
    )


@login_required
def workload(request):
    decision = require(request.user, "outreach.workload")
    today = timezone.localdate()
    fy = jpdates.fiscal_year(today)
    start, end = jpdates.fiscal_year_range(fy)
    try:
        days = max(1, min(365, int(request.GET.get("days", 30))))
    except ValueError:
        days = 30
    is_admin_view = decision.basis == "admin"
    if is_admin_view:
        agency_ids = set(Agency.objects.running("outreach").values_list("pk", flat=True))
    else:
        agency_ids = policy.outreach_agency_ids(request.user)
    workers, areas, _stagnant_ids = sel.workload(
        request.user, agency_ids=agency_ids, start=start, end=end, stagnant_days=days, today=today
    )
    counts = sel.outreach_counts(
        OutreachTarget.objects.filter(agency_id__in=agency_ids), start=start, end=min(end, today)
    )
    stagnant = (
        [] if is_admin_view else list(sel.stagnant_targets(agency_ids, today=today, days=days))
    )
    if stagnant:
        record_list(actor=request.user, action="outreach_target.list", objects=stagnant)
    return render(
        request,
        "outreach/workload.html",
        {
            "workers": workers,
            "areas": areas,
            "counts": counts,
            "stagnant": stagnant,
            "days": days,
            "fiscal_year_label": jpdates.fiscal_year_label(fy),
            "is_admin_view": is_admin_view,
            "nav_active": NAV,
        },
    )


# --- import a survey or arrears list --------------------------------------------------------


@login_required
def import_list(request):
    """Upload a list; a dry run shows the rows and the 名寄せ result, the real run imports."""
    from .imports import COLUMNS, import_targets

    require(request.user, "outreach.import")
    agencies = list(_outreach_agencies(request.user))
    form = f.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        chosen = _int(request.POST.get("agency"))
        agency = next((a for a in agencies if a.pk == chosen), agencies[0])
        d = form.cleaned_data
        report = import_targets(
            actor=request.user,
            agency=agency,
            file=d["file"],
            title=d["title"],
            source=d["source"],
            dry_run=d["dry_run"],
        )
        if report.imported:
            messages.success(
                request,
                _("%(n)d人を対象者として登録しました(既存の記録と一致: %(m)d人)。")
                % {"n": report.created, "m": report.memberships_created},
            )
            return redirect(f"{reverse_lazy('outreach:index')}?source={d['source']}")
    return render(
        request,
        "outreach/import.html",
        {
            "form": form,
            "report": report,
            "columns": COLUMNS,
            "agencies": agencies,
            "nav_active": NAV,
        },
    )


# --- tablet field capture (works offline) -----------------------------------------------------


def field_secret(request) -> str:
    """A per-session secret for the field page's on-device encryption key: derived from the
    session key, so a new login (or logout) makes what an earlier session stored unreadable."""
    from django.utils.crypto import salted_hmac

    if not request.session.session_key:
        request.session.save()
    return salted_hmac("outreach.field", request.session.session_key).hexdigest()


@login_required
def field_page(request):
    from django.db.models import Q

    from .models import ContactKind, Counterpart, Outcome, Professional

    require(request.user, "outreach.field")
    today = timezone.localdate()
    user = request.user
    soon = PlannedVisit.objects.filter(
        staff=user, planned_on__gte=today, planned_on__lte=today + dt.timedelta(days=7)
    ).values("target_id")
    targets = (
        sel.targets_visible_to(user)
        .open()
        .filter(Q(lead_worker=user) | Q(assignees=user) | Q(pk__in=soon))
        .distinct()
        .select_related("area")
        .order_by("number")[:300]
    )
    targets = [t for t in targets if can(user, "outreach_target.work", t)]
    record_list(actor=user, action="outreach_target.list", objects=targets)
    agency_ids = policy.care_agency_ids(user)
    response = render(
        request,
        "outreach/field.html",
        {
            "targets": targets,
            "workers": f.workers_for(agency_ids, {user.pk}),
            "kinds": [
                (k, k.label)
                for k in ContactKind
                if k.value in ("home_visit", "accompany", "place", "postbox", "phone")
            ],
            "counterparts": Counterpart.choices,
            "outcomes": Outcome.choices,
            "professionals": Professional.choices,
            "secret": field_secret(request),
            "now": timezone.localtime().replace(second=0, microsecond=0),
            "nav_active": NAV,
        },
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def field_service_worker(request):
    """The service worker of the field page, served under /outreach/field/ so that its scope is
    that page only; it caches the page's own static assets."""
    import json

    from django.contrib.staticfiles import finders
    from django.http import HttpResponse
    from django.templatetags.static import static

    path = finders.find("js/outreach-field-sw.js")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    assets = [static("js/outreach-field.js"), static("css/tsunagu.css")]
    source = source.replace("/*ASSETS*/[]", json.dumps(assets))
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response

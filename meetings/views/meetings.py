"""Meetings: list, calendar and .ics, the meeting page with the agenda builder, attendance,
holding, minutes and their approval, addenda, and the printed agenda / papers / minutes."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.services import ledger_papers
from agencies import jpdates
from agencies.forms import apply_service_errors, message_service_errors
from agencies.listing import export_list, export_query
from agencies.paging import FirstPageCountingPaginator
from agencies.pdf import PDF_FONT_FAMILY, pdf_response, render_pdf
from agencies.policy import check, require
from audit.services import record

from .. import lists, policy, selectors, services
from ..calendar import add_months, month_grid, week_days, week_start
from ..choices import MeetingFormat, MeetingStatus
from ..feeds import user_calendar_ics
from ..forms import (
    AddendumForm,
    AttendanceForm,
    CancelForm,
    DirectItemForm,
    MinutesForm,
)
from ..models import AgendaRequest, MeetingBody
from .common import back_to_meeting, get_item, get_meeting, post_int


@login_required
def index(request):
    """The user's meetings: upcoming and recent, with the bodies they belong to."""
    require(request.user, "meeting.list")
    now = timezone.now()
    mine = selectors.meetings_for_user(request.user)
    upcoming = list(
        mine.filter(starts_at__gte=now - dt.timedelta(hours=12)).order_by("starts_at")[:20]
    )
    recent = list(
        mine.filter(starts_at__lt=now - dt.timedelta(hours=12)).order_by("-starts_at")[:20]
    )
    return render(
        request,
        "meetings/index.html",
        {
            "upcoming": upcoming,
            "recent": recent,
            "nav_active": "meetings",
            "missing": selectors.pledges_missing(request.user),
        },
    )


def _meeting_rows(request):
    """(filters, queryset) of the full meetings list: the user's meetings, then the filters."""
    g = request.GET
    qs = selectors.meetings_for_user(request.user).annotate(item_count=Count("items"))
    filters = {
        "status": g.get("status", "") if g.get("status", "") in MeetingStatus.values else "",
        "body": g.get("body", "") if g.get("body", "").isdigit() else "",
        "date_from": _parse_date(g.get("date_from"), None),
        "date_to": _parse_date(g.get("date_to"), None),
    }
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    if filters["body"]:
        qs = qs.filter(body_id=int(filters["body"]))
    if filters["date_from"]:
        qs = qs.filter(starts_at__date__gte=filters["date_from"])
    if filters["date_to"]:
        qs = qs.filter(starts_at__date__lte=filters["date_to"])
    return filters, qs


@login_required
def meeting_list(request):
    """Every meeting of the user's bodies: filter by body, status and period, sort, export."""
    require(request.user, "meeting.list")
    filters, qs = _meeting_rows(request)
    page = FirstPageCountingPaginator(lists.MEETINGS.order(qs, request), 50).get_page(
        request.GET.get("page")
    )
    body_ids = selectors.meetings_for_user(request.user).values("body_id")
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "statuses": MeetingStatus.choices,
            "bodies": MeetingBody.objects.filter(pk__in=body_ids).order_by("name"),
            "columns": lists.MEETINGS.headers(request),
            "export_url": reverse("meetings:meeting_export"),
            "export_query": export_query(request),
            "nav_active": "meetings",
        },
    )


@login_required
def meeting_export(request):
    """The meetings list as shown, every row, CSV or XLSX (?fmt=). Audited."""
    decision = require(request.user, "meeting.list")
    _filters, qs = _meeting_rows(request)
    return export_list(
        request,
        lists.MEETINGS,
        qs,
        action="meeting.export",
        basis=decision.basis,
        stem="会議一覧",
        list_url=reverse("meetings:meeting_list"),
    )


def _parse_date(value: str | None, default: dt.date | None) -> dt.date | None:
    return jpdates.query_date(value, default)


@login_required
def calendar_view(request):
    require(request.user, "meeting.list")
    today = timezone.localdate()
    view = request.GET.get("view", "month")
    anchor = _parse_date(request.GET.get("date"), today)
    ctx = {"nav_active": "meetings", "today": today, "view": view}
    if view == "week":
        start = week_start(anchor)
        meetings = selectors.meetings_in_range(request.user, start, start + dt.timedelta(days=7))
        ctx.update(
            days=week_days(start, meetings),
            start=start,
            end=start + dt.timedelta(days=6),
            prev=start - dt.timedelta(days=7),
            next=start + dt.timedelta(days=7),
        )
    else:
        first = anchor.replace(day=1)
        ny, nm = add_months(first.year, first.month, 1)
        py, pm = add_months(first.year, first.month, -1)
        grid_start = week_start(first)
        meetings = selectors.meetings_in_range(
            request.user, grid_start, grid_start + dt.timedelta(days=42)
        )
        ctx.update(
            weeks=month_grid(first.year, first.month, meetings),
            first=first,
            prev=dt.date(py, pm, 1),
            next=dt.date(ny, nm, 1),
            # The list view is the month as one row per day with meetings (phones, screen readers).
            view="list" if view == "list" else "month",
        )
    return render(request, "meetings/calendar.html", ctx)


@login_required
def calendar_export(request):
    """iCalendar of the user's meetings from three months back; body names only."""
    require(request.user, "meeting.list")
    body = user_calendar_ics(request.user, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tsunagu-meetings.ics"'
    response["Cache-Control"] = "no-store, private"
    return response


def _item_access(user, items):
    """Per item: the policy decision. Titles and papers show only to those who may open the item
    (its meeting's members, the case team) and to the secretariat (issue 9 item 5)."""
    for item in items:
        item.access = check(user, "agendaitem.view", item)
        item.basis_text = policy.ui_basis(item.access) if item.access else ""
    return items


@login_required
def meeting_detail(request, public_id):
    meeting = selectors.meeting_detail(public_id)
    return _render_detail(request, meeting)


def _render_detail(request, meeting, *, direct_form=None, status=200):
    decision = require(request.user, "meeting.view", meeting)
    record(actor=request.user, action="meeting.view", obj=meeting, basis=decision.basis)
    items = _item_access(request.user, list(meeting.items.all()))
    can_manage = check(request.user, "meeting.manage", meeting).allowed
    minutes_decision = check(request.user, "meeting.view_minutes", meeting)
    ctx = {
        "meeting": meeting,
        "body": meeting.body,
        "items": items,
        "basis_text": policy.ui_basis(decision),
        "can_manage": can_manage,
        "can_approve": check(request.user, "meeting.approve_minutes", meeting).allowed,
        "can_see_minutes": minutes_decision.allowed,
        "total_minutes": sum(i.time_box_minutes for i in items),
        "has_papers": any(i.access for i in items),
        "attendance": list(meeting.attendance.all()),
        "addenda": list(meeting.addenda.all()),
        "nav_active": "meetings",
        "Status": MeetingStatus,
    }
    if meeting.format == MeetingFormat.WRITTEN:
        ctx["written"] = _written_rows(request.user, meeting, items)
    if can_manage and meeting.status == MeetingStatus.PLANNED:
        ctx["queue"] = selectors.agenda_queue(meeting.body, request.user)
        ctx["direct_form"] = direct_form or DirectItemForm(body=meeting.body)
    if can_manage and meeting.status == MeetingStatus.HELD:
        ctx["minutes_form"] = MinutesForm(initial={"minutes": meeting.minutes})
    if can_manage and meeting.status == MeetingStatus.MINUTES_APPROVED:
        ctx["addendum_form"] = AddendumForm(items=[i for i in items if i.access])
    if can_manage and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_FIXED):
        ctx["cancel_form"] = CancelForm()
    return render(request, "meetings/meeting_detail.html", ctx, status=status)


def _written_rows(user, meeting, items):
    """書面開催: per item the user may open, the answers, who has not answered, and the user's
    own answer form while answers are being gathered."""
    from meetings.forms import WrittenAnswerForm
    from meetings.models import WrittenAnswer
    from meetings.written import missing_answers

    visible = [i for i in items if i.access]
    answers: dict[int, list] = {}
    for row in WrittenAnswer.objects.filter(item__in=visible).select_related("member__user"):
        answers.setdefault(row.item_id, []).append(row)
    missing = dict(missing_answers(meeting, visible))
    seat = meeting.body.members.current().filter(user=user).first()
    open_ = meeting.status == MeetingStatus.AGENDA_FIXED and seat is not None
    return [
        {
            "item": i,
            "answers": answers.get(i.pk, []),
            "missing": missing.get(i, []),
            "form": WrittenAnswerForm(prefix=f"a{i.pk}") if open_ else None,
        }
        for i in visible
    ]


@login_required
def meeting_queue(request, public_id):
    """The waiting queue as an htmx partial (refreshed without reloading the builder)."""
    meeting = get_meeting(public_id)
    require(request.user, "meeting.manage", meeting)
    return render(
        request,
        "meetings/_queue.html",
        {
            "meeting": meeting,
            "queue": selectors.agenda_queue(meeting.body, request.user),
        },
    )


@login_required
@require_POST
def item_add(request, public_id):
    meeting = get_meeting(public_id)
    source = request.POST.get("source", "")
    try:
        if source:
            services.agenda_item_add(
                meeting=meeting,
                actor=request.user,
                source=source,
                time_box_minutes=post_int(request, "time_box_minutes") or 15,
                expected_version=post_int(request, "version"),
            )
        else:
            return _direct_item_add(request, meeting)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("議題に追加しました。"))
    return back_to_meeting(meeting, "agenda")


def _direct_item_add(request, meeting):
    """A general item (一般議題): errors show on the form's fields (a name in the title …),
    the meeting page answers again with the form as typed."""
    require(request.user, "meeting.manage", meeting)
    form = DirectItemForm(request.POST, body=meeting.body)
    if form.is_valid():
        try:
            services.agenda_item_add(
                meeting=meeting,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                time_box_minutes=form.cleaned_data["time_box_minutes"],
                expected_version=post_int(request, "version"),
            )
        except services.AgendaConflict as exc:
            message_service_errors(request, exc)
            return back_to_meeting(meeting, "agenda")
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("議題に追加しました。"))
            return back_to_meeting(meeting, "agenda")
    meeting = selectors.meeting_detail(meeting.public_id)
    return _render_detail(request, meeting, direct_form=form, status=400)


@login_required
@require_POST
def item_remove(request, public_id):
    item = get_item(public_id)
    try:
        services.agenda_item_remove(
            item=item, actor=request.user, expected_version=post_int(request, "version")
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("議題から外しました。"))
    return back_to_meeting(item.meeting, "agenda")


@login_required
@require_POST
def request_withdraw(request, public_id, request_id):
    """取り下げ of a waiting request, from the meeting's queue (the form asks to confirm)."""
    meeting = get_meeting(public_id)
    agenda_request = get_object_or_404(
        AgendaRequest.objects.select_related("body"), public_id=request_id, body=meeting.body
    )
    try:
        services.agenda_request_withdraw(request=agenda_request, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("付議の申込を取り下げました。"))
    return back_to_meeting(meeting, "queue")


@login_required
@require_POST
def agenda_reorder(request, public_id):
    meeting = get_meeting(public_id)
    require(request.user, "meeting.manage", meeting)
    keyed = []
    time_boxes = {}
    for item in meeting.items.all():
        key = str(item.public_id)
        try:
            position = float(request.POST.get(f"order-{key}", item.order))
        except ValueError:
            position = item.order
        keyed.append((position, item.order, key))
        tb = post_int(request, f"tb-{key}")
        if tb is not None:
            time_boxes[key] = tb
    order = [key for _p, _o, key in sorted(keyed)]
    try:
        services.agenda_reorder(
            meeting=meeting,
            actor=request.user,
            order=order,
            time_boxes=time_boxes,
            expected_version=post_int(request, "version"),
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("並び順と持ち時間を保存しました。"))
    return back_to_meeting(meeting, "agenda")


@login_required
@require_POST
def agenda_fix(request, public_id):
    meeting = get_meeting(public_id)
    try:
        services.agenda_fix(
            meeting=meeting, actor=request.user, expected_version=post_int(request, "version") or 0
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("議題を確定しました。資料を印刷できます。"))
    return back_to_meeting(meeting)


@login_required
@require_POST
def agenda_reopen(request, public_id):
    meeting = get_meeting(public_id)
    try:
        services.agenda_reopen(
            meeting=meeting, actor=request.user, expected_version=post_int(request, "version") or 0
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("議題の確定を取り消しました。"))
    return back_to_meeting(meeting)


@login_required
@require_POST
def meeting_cancel(request, public_id):
    meeting = get_meeting(public_id)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("中止の理由を入力してください。"))
        services.meeting_cancel(
            meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("会議を中止にしました。"))
    return back_to_meeting(meeting)


@login_required
def attendance(request, public_id):
    meeting = get_meeting(public_id)
    require(request.user, "meeting.manage", meeting)
    # Members seated on the meeting day (or since, when a past meeting is recorded late).
    members = list(
        meeting.body.members.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=meeting.date),
            joined_on__lte=max(meeting.date, timezone.localdate()),
        ).select_related("user", "agency")
    )
    existing = {a.member_id: a for a in meeting.attendance.all() if a.member_id}
    initial = {}
    for m in members:
        if m.pk in existing:
            initial[f"status_{m.pk}"] = existing[m.pk].status
            initial[f"proxy_{m.pk}"] = existing[m.pk].proxy_name
    initial["externals"] = "\n".join(
        f"{a.name}/{a.organisation}" for a in meeting.attendance.all() if not a.member_id
    )
    form = AttendanceForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                meeting=meeting,
                actor=request.user,
                members=form.member_rows(),
                externals=form.cleaned_data["externals"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("出欠を記録しました。"))
            return back_to_meeting(meeting, "attendance")
    return render(
        request,
        "meetings/attendance.html",
        {"meeting": meeting, "form": form, "nav_active": "meetings"},
    )


@login_required
@require_POST
def meeting_held(request, public_id):
    meeting = get_meeting(public_id)
    try:
        services.meeting_mark_held(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("開催済みにしました。議題ごとに決定を記録してください。"))
    return back_to_meeting(meeting)


@login_required
@require_POST
def minutes_update(request, public_id):
    meeting = get_meeting(public_id)
    form = MinutesForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("議事録の内容を確認してください。"))
        services.minutes_update(
            meeting=meeting, actor=request.user, minutes=form.cleaned_data["minutes"]
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("議事録を保存しました。"))
    return back_to_meeting(meeting, "minutes")


@login_required
@require_POST
def minutes_approve(request, public_id):
    meeting = get_meeting(public_id)
    try:
        services.minutes_approve(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(
            request, _("議事録を承認しました。以後の訂正は補足・訂正として記録します。")
        )
    return back_to_meeting(meeting)


@login_required
@require_POST
def addendum_add(request, public_id):
    meeting = get_meeting(public_id)
    items = list(meeting.items.all())
    form = AddendumForm(request.POST, items=items)
    try:
        if not form.is_valid():
            raise ValidationError(_("補足・訂正の内容と理由を入力してください。"))
        item = next((i for i in items if str(i.public_id) == form.cleaned_data["item"]), None)
        services.addendum_add(
            meeting=meeting,
            actor=request.user,
            item=item,
            text=form.cleaned_data["text"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("補足・訂正を記録しました。"))
    return back_to_meeting(meeting, "addenda")


# --- print ------------------------------------------------------------------------------------


@login_required
def agenda_pdf(request, public_id):
    """次第 (agenda): date, place, items with time boxes — titles only, no case content."""
    meeting = selectors.meeting_detail(public_id)
    decision = require(request.user, "meeting.view", meeting)
    record(actor=request.user, action="meeting.export", obj=meeting, basis=decision.basis)
    pdf = render_pdf(
        "meetings/print/agenda.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "items": _item_access(request.user, list(meeting.items.all())),
            "can_manage": check(request.user, "meeting.manage", meeting).allowed,
            "members": list(meeting.body.members.current().select_related("user", "agency")),
        },
        request=request,
    )
    return pdf_response(pdf, f"会議次第_{meeting.date:%Y%m%d}.pdf")


@login_required
def papers_pdf(request, public_id):
    """All papers of the meeting the user may open (one per page). Each is an audited view."""
    meeting = selectors.meeting_detail(public_id)
    require(request.user, "meeting.view", meeting)
    items = [i for i in _item_access(request.user, list(meeting.items.all())) if i.access]
    if not items:
        messages.error(request, _("印刷できる資料がありません(閲覧できる議題がありません)。"))
        return back_to_meeting(meeting)
    for item in items:
        record(actor=request.user, action="agendaitem.export", obj=item, basis=item.access.basis)
    ledger_papers(actor=request.user, items=items)
    for item in items:
        item.drawings = selectors.paper_drawings(item, font_family=PDF_FONT_FAMILY)
    pdf = render_pdf(
        "meetings/print/papers.html",
        {"meeting": meeting, "body": meeting.body, "items": items},
        request=request,
    )
    return pdf_response(pdf, f"会議資料_{meeting.date:%Y%m%d}.pdf")


@login_required
def minutes_pdf(request, public_id):
    meeting = selectors.meeting_detail(public_id)
    decision = require(request.user, "meeting.view_minutes", meeting)
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED):
        messages.error(request, _("開催前の会議には議事録がありません。"))
        return back_to_meeting(meeting)
    items = [i for i in _item_access(request.user, list(meeting.items.all())) if i.access]
    record(actor=request.user, action="meeting.export", obj=meeting, basis=decision.basis)
    for item in items:
        record(actor=request.user, action="agendaitem.export", obj=item, basis=item.access.basis)
    ledger_papers(actor=request.user, items=items)
    pdf = render_pdf(
        "meetings/print/minutes.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "items": items,
            "attendance": list(meeting.attendance.all()),
            "addenda": list(meeting.addenda.all()),
            "hidden_count": meeting.items.count() - len(items),
        },
        request=request,
    )
    return pdf_response(pdf, f"会議録_{meeting.date:%Y%m%d}.pdf")

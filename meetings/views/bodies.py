"""会議体: list, detail (members, pledges, meetings), create/edit, members, pledges, requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import uploads
from agencies.forms import apply_service_errors, message_service_errors
from agencies.jpdates import fiscal_year
from agencies.models import Agency
from agencies.policy import check, is_admin, require
from audit.services import record

from .. import policy, selectors, services
from ..choices import AgendaKind, BodyKind
from ..forms import (
    AgendaRequestForm,
    BodyForm,
    GenerateForm,
    MeetingForm,
    MemberForm,
    PledgeForm,
)
from ..models import BodyMember, ConfidentialityPledge
from .common import get_body


@login_required
def body_list(request):
    require(request.user, "meetingbody.list")
    bodies = list(selectors.bodies_visible_to(request.user).order_by("-active", "kind", "name"))
    managed = set(selectors.bodies_managed_by(request.user).values_list("pk", flat=True))
    seats = policy._seats(request.user)
    for b in bodies:
        b.i_manage = b.pk in managed
        b.my_seat = b.pk in seats
        b.my_pledge = seats.get(b.pk, False)
    return render(
        request,
        "meetings/body_list.html",
        {
            "bodies": bodies,
            "can_create": check(request.user, "meetingbody.create").allowed,
            "nav_active": "meetings",
        },
    )


def _convenors(user):
    qs = Agency.objects.active()
    return qs if is_admin(user) else qs.filter(pk__in=policy.managed_agency_ids(user))


@login_required
def body_create(request):
    require(request.user, "meetingbody.create")
    form = BodyForm(request.POST or None, convenors=_convenors(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("会議体を登録しました。"))
            return redirect("meetings:body_detail", body.public_id)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": _("会議体の登録"),
            "submit": _("登録する"),
            "nav_active": "meetings",
            "back_url": "meetings:body_list",
        },
    )


@login_required
def body_edit(request, public_id):
    body = get_body(public_id)
    require(request.user, "meetingbody.manage", body)
    form = BodyForm(request.POST or None, instance=body, convenors=_convenors(request.user))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        body.refresh_from_db()  # ModelForm mutated the instance; the service compares values
        try:
            services.body_update(body=body, actor=request.user, **fields)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("会議体を更新しました。"))
            return redirect("meetings:body_detail", body.public_id)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": _("会議体の編集: %(name)s") % {"name": body.name},
            "submit": _("保存する"),
            "nav_active": "meetings",
            "back_href": body,
        },
    )


@login_required
def body_detail(request, public_id):
    body = get_body(public_id)
    require(request.user, "meetingbody.view", body)
    return _body_page(request, body)


def _body_page(request, body, *, meeting_form=None, generate_form=None):
    """The body page; the scheduling forms come back bound (with their errors next to the
    fields and the entered values kept) when a POST to them was refused."""
    members_decision = check(request.user, "meetingbody.members", body)
    can_manage = check(request.user, "meetingbody.manage", body).allowed
    members = selectors.members_with_pledges(body) if members_decision else []
    today = timezone.localdate()
    meetings = list(
        body.meetings.filter(starts_at__gte=timezone.now() - timezone.timedelta(days=92))
        .select_related("body")
        .prefetch_related("items__case")
        .order_by("starts_at")[:12]
    )
    for meeting in meetings:
        # The body page is a staff directory; a meeting is linked only for those who may open it
        # (a 支援会議 needs a pledged seat).
        meeting.locked = not check(request.user, "meeting.view", meeting).allowed
    return render(
        request,
        "meetings/body_detail.html",
        {
            "body": body,
            "members": members,
            "members_basis": policy.ui_basis(members_decision) if members_decision else "",
            "can_see_members": members_decision.allowed,
            "can_manage": can_manage,
            "meetings": meetings,
            "today": today,
            "fy": fiscal_year(today),
            "generate_form": generate_form or GenerateForm(),
            "meeting_form": meeting_form
            or MeetingForm(
                initial={
                    "start_time": body.default_start_time,
                    "duration_minutes": body.default_duration_minutes,
                    "place": body.default_place,
                }
            ),
            "nav_active": "meetings",
        },
    )


@login_required
def member_add(request, public_id):
    body = get_body(public_id)
    require(request.user, "meetingbody.manage", body)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(body=body, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("構成員を追加しました。"))
            return redirect("meetings:body_detail", body.public_id)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": _("構成員の追加: %(name)s") % {"name": body.name},
            "submit": _("追加する"),
            "nav_active": "meetings",
            "back_href": body,
        },
    )


@login_required
@require_POST
def member_remove(request, public_id):
    member = get_object_or_404(
        BodyMember.objects.select_related("body", "body__convenor"), public_id=public_id
    )
    try:
        services.member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("構成員を退任にしました。"))
    return redirect("meetings:body_detail", member.body.public_id)


@login_required
def pledge_add(request, public_id):
    member = get_object_or_404(
        BodyMember.objects.select_related("body", "body__convenor", "user"), public_id=public_id
    )
    require(request.user, "meetingbody.manage", member.body)
    form = PledgeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_record(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("守秘義務の誓約を登録しました。"))
            return redirect("meetings:body_detail", member.body.public_id)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "multipart": True,
            "nav_active": "meetings",
            "back_href": member.body,
            "title": _("守秘義務の誓約の登録: %(name)s") % {"name": member.display_name},
            "submit": _("登録する"),
        },
    )


@login_required
def pledge_document(request, public_id):
    pledge = get_object_or_404(
        ConfidentialityPledge.objects.select_related(
            "member", "member__body", "member__body__convenor"
        ),
        public_id=public_id,
    )
    decision = require(request.user, "pledge.view_document", pledge)
    if not pledge.document:
        raise Http404
    record(actor=request.user, action="pledge.view", obj=pledge, basis=decision.basis)
    kind = uploads.kind_for(pledge.document_type)
    return uploads.private_file_response(
        pledge.document.open("rb"),
        content_type=pledge.document_type,
        filename=(
            f"pledge_{pledge.fiscal_year}_{str(pledge.public_id)[:8]}{kind.suffix if kind else ''}"
        ),
    )


@login_required
@require_POST
def meeting_create(request, public_id):
    body = get_body(public_id)
    require(request.user, "meetingbody.manage", body)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = services.meeting_schedule(
                body=body,
                actor=request.user,
                starts_at=form.starts_at(),
                duration_minutes=form.cleaned_data["duration_minutes"],
                place=form.cleaned_data["place"],
                online=form.cleaned_data["online"],
                online_note=form.cleaned_data["online_note"],
                format=form.cleaned_data["format"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("会議を登録しました。"))
            return redirect("meetings:meeting_detail", meeting.public_id)
    messages.error(request, _("入力内容に誤りがあります。各項目のメッセージを確認してください。"))
    return _body_page(request, body, meeting_form=form)


@login_required
@require_POST
def meetings_generate(request, public_id):
    body = get_body(public_id)
    require(request.user, "meetingbody.manage", body)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作成する回数は1〜24の範囲で指定してください。"))
        return _body_page(request, body, generate_form=form)
    try:
        created = services.meetings_generate(
            body=body, actor=request.user, count=form.cleaned_data["count"]
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("定例の会議を%(n)s件作成しました。") % {"n": len(created)})
    return redirect("meetings:body_detail", body.public_id)


@login_required
def request_create(request, public_id):
    """Ask for an agenda slot (any staff member), e.g. a worrying situation for the 支援会議."""
    body = get_body(public_id)
    require(request.user, "agendarequest.create", body)
    form = AgendaRequestForm(request.POST or None, body=body, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The picker offers the cases the user may see; a request is made by the case team.
        case = form.cleaned_data["case"]
        if case is not None and not policy.on_case_team(request.user, case):
            form.add_error(
                "case", _("あなたの機関が支援チームに入っているケースを選んでください。")
            )
        if not form.errors:
            try:
                services.agenda_request_create(
                    body=body,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    case=case,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("議題の申込を受け付けました。事務局が次回以降の議題に追加します。")
                )
                return redirect("meetings:body_detail", body.public_id)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "nav_active": "meetings",
            "back_href": body,
            "submit": _("申し込む"),
            "title": _("議題の申込: %(name)s") % {"name": body.name},
            "lead": _(
                "支援会議では本人同意がなくても情報共有できます(構成員は守秘義務を負います)。"
            )
            if body.kind == BodyKind.SHIEN_KAIGI
            else _("重層的支援会議で扱えるのは本人同意のあるケースです。"),
        },
    )


@login_required
@require_POST
def case_submit(request, case_id):
    """「会議に付議」 from the case page: a request for a slot at the meeting the case can go to —
    a 支援会議 (同意のない気になる事例: a 見守り・アウトリーチ方針 before consent) when no consent
    is in force, otherwise the 重層的支援会議 (情報共有・役割分担)."""
    from cases.models import SupportCase

    case = get_object_or_404(SupportCase.objects.select_related("household"), public_id=case_id)
    if not policy.on_case_team(request.user, case):
        raise Http404
    route = selectors.case_meeting_route(case)
    body = next((b for b in route.bodies if str(b.public_id) == request.POST.get("body")), None)
    back = redirect("cases:case_detail", case.public_id)
    if body is None:
        messages.error(request, _("付議先の会議体を選んでください。"))
        return back
    if route.consent:
        kind, title = AgendaKind.INFO_SHARING, _("%(case)s 情報共有・役割分担の協議")
    else:
        kind, title = AgendaKind.WORRYING_NO_CONSENT, _("%(case)s 見守り・アウトリーチ方針の協議")
    try:
        services.agenda_request_create(
            body=body,
            actor=request.user,
            kind=kind,
            title=title % {"case": case.number},
            description=request.POST.get("description", "")[:2000],
            case=case,
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(
            request,
            _("「%(body)s」に付議を申し込みました。事務局が次回以降の議題に追加します。")
            % {"body": body.name},
        )
    return back

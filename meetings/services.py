"""Writes of the meetings app. Each service: keyword-only, an actor, one transaction, an audit
row; bad input raises ValidationError with a Japanese message and leaves nothing half-written.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.services import role_grant_end, role_grant_give, role_opens_case
from agencies import uploads
from agencies.choices import OperatorType
from agencies.jpdates import fiscal_year, fiscal_year_label, format_date
from agencies.policy import require
from audit.services import record

from . import lifecycle
from .choices import (
    DECISIONS_BY_AGENDA_KIND,
    AgendaKind,
    AttendanceStatus,
    BodyKind,
    DecisionKind,
    MeetingFormat,
    MeetingStatus,
    Recurrence,
    RequestStatus,
)
from .models import (
    AgendaItem,
    AgendaRequest,
    Attendance,
    BodyMember,
    ConfidentialityPledge,
    Decision,
    Meeting,
    MeetingBody,
    MinutesAddendum,
    RoleAssignment,
)
from .names import refuse_names
from .selectors import case_consent_in_force


class AgendaConflict(ValidationError):
    """Someone else changed or fixed the agenda since this form was loaded (optimistic lock)."""


CONFLICT_MESSAGE = gettext_lazy(
    "この会議の議題は、他の職員が先に変更または確定しました。"
    "画面を再読み込みして最新の内容を確認してから、もう一度操作してください。"
)

BODY_FIELDS = [
    "name",
    "kind",
    "designated_from",
    "own_basis",
    "basis",
    "purpose",
    "convenor",
    "area",
    "recurrence",
    "recur_week",
    "recur_weekday",
    "recur_day",
    "recur_interval",
    "default_start_time",
    "default_duration_minutes",
    "default_place",
    "avoid_holidays",
    "submission_deadline_days",
    "active",
]


# --- bodies -----------------------------------------------------------------------------------


def _validate_body(body: MeetingBody) -> None:
    errors = {}
    from access.bases import NOT_MEETING, default_code_for_body
    from access.services import basis_for

    if body.basis_id is None:
        body.basis = basis_for(default_code_for_body(body.kind, body.designated_from))
    elif body.basis.code in NOT_MEETING or body.basis.is_emergency:
        errors["basis"] = _("会議体の根拠には会議の根拠(支援会議・要対協など)を選んでください。")
    elif body.basis.consent_required != (body.kind == BodyKind.JUSO_KAIGI):
        errors["basis"] = _(
            "法的位置付けと根拠が合いません。本人同意が前提の根拠は重層的支援会議に、"
            "同意なしで共有できる根拠は支援会議に使います。"
        )
    if body.kind == BodyKind.SHIEN_KAIGI and body.convenor.operator_type != OperatorType.MUNICIPAL:
        errors["convenor"] = _(
            "支援会議は市町村が組織するものです(社会福祉法第106条の6)。開催機関には市の課・係を選んでください。"
        )
    if body.recurrence == Recurrence.MONTHLY_WEEKDAY and (
        body.recur_week is None or body.recur_weekday is None
    ):
        errors["recur_week"] = _("「毎月 第N曜日」には第N週と曜日の両方を指定してください。")
    if body.recurrence == Recurrence.MONTHLY_DAY and not body.recur_day:
        errors["recur_day"] = _("「毎月 N日」には日(1〜28)を指定してください。")
    if body.recurrence == Recurrence.WEEKLY and body.recur_weekday is None:
        errors["recur_weekday"] = _("「毎週・隔週」には曜日を指定してください。")
    if body.recur_day is not None and not 1 <= body.recur_day <= 28:
        errors["recur_day"] = _(
            "日は1〜28の範囲で指定してください(月末の会議は「最終」曜日を使ってください)。"
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def body_create(*, actor, **fields) -> MeetingBody:
    """Create a 会議体. A 支援会議 is convened by a municipal section only (art. 106-6)."""
    require(actor, "meetingbody.create")
    body = MeetingBody(created_by=actor, **{k: v for k, v in fields.items() if k in BODY_FIELDS})
    _validate_body(body)
    require(actor, "meetingbody.manage", body)
    if MeetingBody.objects.filter(name=body.name).exists():
        raise ValidationError({"name": _("同じ名称の会議体がすでにあります。")})
    body.save()
    record(
        actor=actor,
        action="meetingbody.create",
        obj=body,
        changes=[k for k in fields if k in BODY_FIELDS],
    )
    return body


@transaction.atomic
def body_update(*, body: MeetingBody, actor, **fields) -> MeetingBody:
    require(actor, "meetingbody.manage", body)
    changed = []
    for key, value in fields.items():
        if key in BODY_FIELDS and getattr(body, key) != value:
            setattr(body, key, value)
            changed.append(key)
    if not changed:
        return body
    _validate_body(body)
    require(actor, "meetingbody.manage", body)  # the convenor may have changed
    # The basis decides who saw what: it never changes under recorded meetings.
    if ("kind" in changed or "basis" in changed) and body.meetings.exists():
        raise ValidationError(
            {
                "kind": _(
                    "会議の記録がある会議体の法的位置付けは変更できません。新しい会議体を作成してください。"
                )
            }
        )
    body.save()
    record(actor=actor, action="meetingbody.update", obj=body, changes=changed)
    return body


@transaction.atomic
def member_add(
    *,
    body: MeetingBody,
    actor,
    user=None,
    agency=None,
    external_name: str = "",
    external_organisation: str = "",
    title: str = "",
    role: str = "member",
    email: str = "",
    joined_on: dt.date | None = None,
) -> BodyMember:
    """Add a standing member: a staff user (agency defaults to their first current agency) or an
    external person with their organisation."""
    require(actor, "meetingbody.manage", body)
    if user is None and not external_name.strip():
        raise ValidationError({"user": _("職員を選ぶか、外部構成員の氏名を入力してください。")})
    if user is not None and external_name.strip():
        raise ValidationError(
            {"external_name": _("職員を選んだ場合は外部構成員の氏名は入力しません。")}
        )
    if user is None and not external_organisation.strip():
        raise ValidationError(
            {"external_organisation": _("外部構成員の所属団体を入力してください。")}
        )
    if user is not None:
        if body.members.current().filter(user=user).exists():
            raise ValidationError({"user": _("この職員はすでに構成員です。")})
        if agency is None:
            memberships = user.current_memberships()
            agency = memberships[0].agency if memberships else None
    member = BodyMember.objects.create(
        body=body,
        user=user,
        agency=agency,
        external_name=external_name.strip(),
        external_organisation=external_organisation.strip(),
        title=title,
        role=role,
        email=email,
        joined_on=joined_on or timezone.localdate(),
    )
    record(actor=actor, action="bodymember.create", obj=member, changes=["body", "role"])
    return member


@transaction.atomic
def member_remove(*, member: BodyMember, actor, left_on: dt.date | None = None) -> BodyMember:
    """End a seat (history kept). Access ends with it."""
    require(actor, "meetingbody.manage", member.body)
    left_on = left_on or timezone.localdate()
    if member.left_on is not None:
        raise ValidationError(_("この構成員はすでに退任しています。"))
    if left_on < member.joined_on:
        raise ValidationError({"left_on": _("退任日は就任日以降の日付にしてください。")})
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    record(actor=actor, action="bodymember.update", obj=member, changes=["left_on"])
    return member


def _check_document(upload) -> tuple[str, int]:
    """The scanned pledge: PDF, JPEG or PNG by content (not by name), within the size limit
    (agencies.uploads)."""
    kind = uploads.check_upload(
        upload,
        allowed=uploads.SCANS,
        field="document",
        type_message=_("誓約書はPDF・JPEG・PNGのいずれかでアップロードしてください。"),
    )
    return kind.content_type, upload.size


@transaction.atomic
def pledge_record(
    *, member: BodyMember, actor, signed_on: dt.date, document=None, note: str = ""
) -> ConfidentialityPledge:
    """Record a member's 守秘義務の誓約 for the fiscal year of `signed_on`."""
    require(actor, "meetingbody.manage", member.body)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("誓約日に未来の日付は指定できません。")})
    if member.left_on is not None and member.left_on < signed_on:
        raise ValidationError({"signed_on": _("退任後の日付で誓約は登録できません。")})
    fy = fiscal_year(signed_on)
    if ConfidentialityPledge.objects.filter(
        member=member, fiscal_year=fy, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {
                "signed_on": _("この構成員の%(fy)sの誓約はすでに登録されています。")
                % {"fy": fiscal_year_label(fy)}
            }
        )
    mime, size = ("", 0)
    if document is not None:
        mime, size = _check_document(document)
    pledge = ConfidentialityPledge(
        member=member,
        fiscal_year=fy,
        signed_on=signed_on,
        recorded_by=actor,
        note=note,
        document_type=mime,
        document_size=size,
    )
    if document is not None:
        # The stored name's suffix follows the content, not the uploaded name.
        pledge.document.save(f"pledge{uploads.kind_for(mime).suffix}", document, save=False)
    pledge.save()
    record(
        actor=actor,
        action="pledge.create",
        obj=pledge,
        changes=["signed_on", "document"] if document else ["signed_on"],
    )
    return pledge


# --- meetings ---------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    body: MeetingBody,
    actor,
    starts_at: dt.datetime,
    duration_minutes: int | None = None,
    place: str | None = None,
    online: bool = False,
    online_note: str = "",
    format: str = MeetingFormat.IN_PERSON,
) -> Meeting:
    require(actor, "meetingbody.manage", body)
    if format not in MeetingFormat.values:
        raise ValidationError({"format": _("開催方法を選んでください。")})
    if not body.active:
        raise ValidationError(_("この会議体は無効になっています。"))
    if Meeting.objects.filter(body=body, starts_at=starts_at).exists():
        raise ValidationError({"starts_at": _("同じ日時の会議がすでに登録されています。")})
    meeting = Meeting.objects.create(
        body=body,
        starts_at=starts_at,
        duration_minutes=duration_minutes or body.default_duration_minutes,
        place=body.default_place if place is None else place,
        online=online or format == MeetingFormat.ONLINE,
        online_note=online_note,
        format=format,
        created_by=actor,
    )
    record(actor=actor, action="meeting.create", obj=meeting, changes=["starts_at", "place"])
    return meeting


@transaction.atomic
def meetings_generate(
    *, body: MeetingBody, actor, count: int, after: dt.date | None = None
) -> list[Meeting]:
    """Create the next `count` meetings from the body's recurrence (existing dates are kept)."""
    require(actor, "meetingbody.manage", body)
    if body.recurrence == Recurrence.NONE:
        raise ValidationError(_("この会議体には定例開催の設定がありません。"))
    if not 1 <= count <= 24:
        raise ValidationError({"count": _("作成する回数は1〜24の範囲で指定してください。")})
    after = after or timezone.localdate()
    last = body.meetings.not_cancelled().order_by("-starts_at").first()
    existing = set(body.meetings.values_list("starts_at", flat=True))
    existing_dates = {timezone.localtime(s).date() for s in existing}
    start_after = max(after, last.date) if last and last.date > after else after
    tz = timezone.get_current_timezone()
    created = []
    for day in body.occurrences(start_after, count):
        if day in existing_dates:
            continue
        starts = dt.datetime.combine(day, body.default_start_time, tzinfo=tz)
        created.append(
            Meeting.objects.create(
                body=body,
                starts_at=starts,
                duration_minutes=body.default_duration_minutes,
                place=body.default_place,
                created_by=actor,
            )
        )
    for m in created:
        record(actor=actor, action="meeting.create", obj=m, changes=["starts_at"])
    return created


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str) -> Meeting:
    require(actor, "meeting.manage", meeting)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_FIXED):
        raise ValidationError(_("開催済みの会議は中止にできません。"))
    if not reason.strip():
        raise ValidationError({"reason": _("中止の理由を入力してください。")})
    _bump(
        meeting,
        expected_version=None,
        statuses=(MeetingStatus.PLANNED, MeetingStatus.AGENDA_FIXED),
        status=MeetingStatus.CANCELLED,
        cancelled_reason=reason.strip(),
    )
    # Requests placed on it go back to the queue.
    AgendaRequest.objects.filter(item__meeting=meeting).update(status=RequestStatus.WAITING)
    record(actor=actor, action="meeting.cancel", obj=meeting, changes=["status"])
    return meeting


def _bump(
    meeting: Meeting, *, expected_version: int | None, statuses=(MeetingStatus.PLANNED,), **changes
) -> None:
    """Optimistic lock: update only when the row still has the version the user saw."""
    qs = Meeting.objects.filter(pk=meeting.pk, status__in=statuses)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    updated = qs.update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    if not updated:
        row = Meeting.objects.filter(pk=meeting.pk).values("status", "version").first()
        label = MeetingStatus(row["status"]).label
        if expected_version is not None and row["version"] != expected_version:
            raise AgendaConflict(
                "{} {}".format(CONFLICT_MESSAGE, _("(現在の状態: %(status)s)") % {"status": label}),
                code="conflict",
            )
        raise AgendaConflict(
            _("この会議は「%(status)s」のため、議題を変更できません。") % {"status": label},
            code="conflict",
        )
    meeting.refresh_from_db(
        fields=["version", "status", "cancelled_reason", "agenda_fixed_at", "agenda_fixed_by"]
    )


# --- agenda requests ---------------------------------------------------------------------------


@transaction.atomic
def agenda_request_create(
    *,
    body: MeetingBody,
    actor,
    kind: str,
    title: str,
    description: str = "",
    case=None,
    household=None,
    persons=(),
    agency=None,
) -> AgendaRequest:
    """Ask for a slot: info sharing, a resource gap, or (支援会議 only) a worrying situation without
    consent. A request about a case without consent cannot go to a 重層的支援会議."""
    require(actor, "agendarequest.create", body)
    if kind not in (
        AgendaKind.INFO_SHARING,
        AgendaKind.RESOURCE_GAP,
        AgendaKind.WORRYING_NO_CONSENT,
    ):
        raise ValidationError(
            {"kind": _("プラン・評価は支援ケースの画面から会議に提出してください。")}
        )
    if kind == AgendaKind.WORRYING_NO_CONSENT and body.kind != BodyKind.SHIEN_KAIGI:
        raise ValidationError({"kind": _("同意のない気になる事例は支援会議にのみ付議できます。")})
    if body.kind == BodyKind.JUSO_KAIGI and case is not None and not case_consent_in_force(case):
        raise ValidationError(
            {
                "case": _(
                    "本人同意のないケースは重層的支援会議には付議できません。支援会議を利用してください。"
                )
            }
        )
    if case is not None:
        if not case.is_open:
            raise ValidationError(
                {
                    "case": _(
                        "ケース %(case)s は終結(またはつなぎもどし)しているため、付議できません。"
                    )
                    % {"case": case.number}
                }
            )
        # One waiting request per case and body (a second click, a colleague asking again):
        # requests to the body are taken one at a time so two at once cannot both pass.
        MeetingBody.objects.select_for_update().only("pk").get(pk=body.pk)
        if AgendaRequest.objects.waiting().filter(body=body, case=case).exists():
            raise ValidationError(
                {
                    "case": _(
                        "ケース %(case)s は「%(body)s」への付議をすでに申し込んでいます(付議待ち)。"
                    )
                    % {"case": case.number, "body": body.name}
                }
            )
    if not title.strip():
        raise ValidationError({"title": _("件名を入力してください。")})
    refuse_names(title, case=case, household=household, persons=persons)
    agency_ids = actor.agency_ids()
    if agency is None:
        memberships = actor.current_memberships()
        agency = memberships[0].agency if memberships else None
    if agency is None or agency.pk not in agency_ids:
        raise ValidationError({"agency": _("申込機関には自分の所属機関を選んでください。")})
    req = AgendaRequest.objects.create(
        body=body,
        kind=kind,
        title=title.strip(),
        description=description,
        case=case,
        household=household or (case.household if case is not None else None),
        requested_by=actor,
        requesting_agency=agency,
    )
    if persons:
        req.persons.set(persons)
    record(actor=actor, action="agendarequest.create", obj=req, changes=["kind", "title"])
    return req


@transaction.atomic
def agenda_request_withdraw(*, request: AgendaRequest, actor) -> AgendaRequest:
    """Take a waiting request out of the queue: its requester, or the body's secretariat and
    supervisors. Refused once it is on an agenda (a conditional update: twice records once)."""
    require(actor, "agendarequest.withdraw", request)
    updated = AgendaRequest.objects.filter(pk=request.pk, status=RequestStatus.WAITING).update(
        status=RequestStatus.WITHDRAWN
    )
    if not updated:
        raise ValidationError(
            _(
                "この申込はすでに議題に追加されているか、取り下げられています。"
                "議題に追加済みの場合は事務局に連絡してください。"
            )
        )
    request.status = RequestStatus.WITHDRAWN
    record(actor=actor, action="agendarequest.withdraw", obj=request, changes=["status"])
    return request


# --- agenda items -----------------------------------------------------------------------------

ALREADY_ON_THIS_AGENDA = gettext_lazy("この会議の議題にすでに入っています。")


def _subject_for(key: str):
    """Resolve a queue key ("plan:<uuid>", "evaluation:<uuid>", "request:<uuid>")."""
    from cases.models import Evaluation, Plan

    kind, _sep, public_id = key.partition(":")
    model = {"plan": Plan, "evaluation": Evaluation, "request": AgendaRequest}.get(kind)
    if model is None or not public_id:
        raise ValidationError(_("議題にする項目が見つかりません。"))
    try:
        return model.objects.get(public_id=public_id)
    except (model.DoesNotExist, ValidationError, ValueError):
        raise ValidationError(_("議題にする項目が見つかりません。")) from None


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    actor,
    source: str = "",
    kind: str = "",
    title: str = "",
    case=None,
    household=None,
    persons=(),
    time_box_minutes: int = 15,
    expected_version: int | None = None,
) -> AgendaItem:
    """Put something on the agenda, from the queue (`source` key) or directly.

    GUARDS: a case without consent in force never goes on a 重層的支援会議 agenda; a worrying
    situation without consent only on a 支援会議; only while the agenda is not fixed; a
    free-text title names no person the meeting deals with (meetings.names: a field error on
    `title`) — an item about a person links that person instead.
    """
    require(actor, "meeting.manage", meeting)
    body = meeting.body
    subject = request = None
    if source:
        obj = _subject_for(source)
        if isinstance(obj, AgendaRequest):
            request = obj
            if request.body_id != body.pk:
                raise ValidationError(_("この申込は別の会議体あてです。"))
            if request.status != RequestStatus.WAITING:
                raise ValidationError(
                    _("この申込はすでに議題に追加されているか、取り下げられています。")
                )
            if request.case_id and not request.case.is_open:
                raise ValidationError(
                    _(
                        "ケース %(case)s は終結(またはつなぎもどし)しているため、議題にできません。"
                        "この申込は取り下げてください。"
                    )
                    % {"case": request.case.number}
                )
            kind, title, case, household = (
                request.kind,
                request.title,
                request.case,
                request.household,
            )
            persons = list(request.persons.all())
        else:
            subject = obj
            case = subject.case
            is_plan = subject._meta.model_name == "plan"
            kind = AgendaKind.PLAN_APPROVAL if is_plan else AgendaKind.EVALUATION
            if is_plan and subject.status != "submitted":
                raise ValidationError(_("このプランは会議に提出されていません。"))
            if not is_plan and subject.status != "ready":
                raise ValidationError(_("この評価シートは会議に提出されていません。"))
            title = (
                _("%(case)s プランの協議(第%(n)s版)")
                if is_plan
                else _("%(case)s 評価・終結の協議(第%(n)s回)")
            ) % {
                "case": case.number,
                "n": subject.number,
            }
            ct = ContentType.objects.get_for_model(subject)
            placed_on = set(
                AgendaItem.objects.filter(
                    subject_type=ct, subject_id=subject.pk, decision__isnull=True
                )
                .exclude(meeting__status=MeetingStatus.CANCELLED)
                .values_list("meeting_id", flat=True)
            )
            if meeting.pk in placed_on:
                raise ValidationError(ALREADY_ON_THIS_AGENDA)
            if placed_on:
                raise ValidationError(_("この項目はすでに別の会議の議題になっています。"))
    if kind not in AgendaKind.values:
        raise ValidationError({"kind": _("議題の種別を選んでください。")})
    if (
        kind in (AgendaKind.PLAN_APPROVAL, AgendaKind.EVALUATION)
        and body.kind != BodyKind.JUSO_KAIGI
    ):
        raise ValidationError(_("プランの協議と評価は重層的支援会議で行います。"))
    if kind == AgendaKind.WORRYING_NO_CONSENT and body.kind != BodyKind.SHIEN_KAIGI:
        raise ValidationError(_("同意のない気になる事例は支援会議にのみ付議できます。"))
    if body.kind == BodyKind.JUSO_KAIGI and case is not None and not case_consent_in_force(case):
        raise ValidationError(
            _(
                "ケース %(case)s は本人同意が確認できないため、重層的支援会議の議題にできません。"
                "同意を得るか、支援会議で情報共有してください。"
            )
            % {"case": case.number}
        )
    if body.kind == BodyKind.JUSO_KAIGI and case is None and persons:
        raise ValidationError(
            _("重層的支援会議では、本人同意のある支援ケースを通じてのみ個人を扱えます。")
        )
    if not title.strip():
        raise ValidationError({"title": _("件名を入力してください。")})
    if subject is None:
        # A free-text title (a general item, or the title of a request) names nobody: not the
        # persons of this item nor of any other item of the meeting (issue 9 item 5).
        refuse_names(title, meeting=meeting, case=case, household=household, persons=persons)
    if not 1 <= int(time_box_minutes) <= 180:
        raise ValidationError({"time_box_minutes": _("持ち時間は1〜180分で指定してください。")})
    _bump(meeting, expected_version=expected_version)
    order = (meeting.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        order=order,
        time_box_minutes=time_box_minutes,
        kind=kind,
        title=title.strip(),
        case=case,
        household=household or (case.household if case is not None else None),
        request=request,
        added_by=actor,
    )
    if subject is not None:
        item.subject_type = ContentType.objects.get_for_model(subject)
        item.subject_id = subject.pk
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError(ALREADY_ON_THIS_AGENDA) from None
    covered = list(persons) if persons else (list(case.persons.all()) if case is not None else [])
    if covered:
        item.persons.set(covered)
    if request is not None:
        request.status = RequestStatus.PLACED
        request.save(update_fields=["status"])
    item.paper = build_paper(item)
    item.paper_generated_at = timezone.now()
    item.save(update_fields=["paper", "paper_generated_at"])
    if subject is not None and kind == AgendaKind.PLAN_APPROVAL:
        lifecycle.send_to_meeting(case=case, actor=actor)
    record(
        actor=actor,
        action="agendaitem.create",
        obj=item,
        changes=["kind", "title", "case", "persons"],
    )
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor, expected_version: int | None = None) -> None:
    meeting = item.meeting
    require(actor, "meeting.manage", meeting)
    _bump(meeting, expected_version=expected_version)
    if item.request_id:
        AgendaRequest.objects.filter(pk=item.request_id).update(status=RequestStatus.WAITING)
    record(actor=actor, action="agendaitem.delete", obj=item)
    item.delete()
    _renumber(meeting)


def _renumber(meeting: Meeting) -> None:
    for n, item in enumerate(meeting.items.order_by("order", "pk"), start=1):
        if item.order != n:
            AgendaItem.objects.filter(pk=item.pk).update(order=n)


@transaction.atomic
def agenda_reorder(
    *,
    meeting: Meeting,
    actor,
    order: list[str],
    time_boxes: dict[str, int] | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Set the order (list of item public ids, first to last) and time boxes."""
    require(actor, "meeting.manage", meeting)
    items = {str(i.public_id): i for i in meeting.items.all()}
    if set(order) != set(items):
        raise ValidationError(
            _("議題の並び順に不足または重複があります。画面を再読み込みしてください。")
        )
    time_boxes = time_boxes or {}
    for key, minutes in time_boxes.items():
        if key not in items or not 1 <= int(minutes) <= 180:
            raise ValidationError({"time_box_minutes": _("持ち時間は1〜180分で指定してください。")})
    _bump(meeting, expected_version=expected_version)
    for n, key in enumerate(order, start=1):
        item = items[key]
        fields = {"order": n}
        if key in time_boxes:
            fields["time_box_minutes"] = int(time_boxes[key])
        AgendaItem.objects.filter(pk=item.pk).update(**fields)
    record(actor=actor, action="meeting.update", obj=meeting, changes=["agenda_order"])
    return meeting


@transaction.atomic
def agenda_fix(*, meeting: Meeting, actor, expected_version: int) -> Meeting:
    """Fix the agenda (議題確定). Two supervisors fixing at once: the second is refused."""
    require(actor, "meeting.manage", meeting)
    if not meeting.items.exists():
        raise ValidationError(_("議題が1件もないため確定できません。"))
    _bump(
        meeting,
        expected_version=expected_version,
        status=MeetingStatus.AGENDA_FIXED,
        agenda_fixed_at=timezone.now(),
        agenda_fixed_by=actor,
    )
    record(actor=actor, action="meeting.fix_agenda", obj=meeting, changes=["status"])
    return meeting


@transaction.atomic
def agenda_reopen(*, meeting: Meeting, actor, expected_version: int) -> Meeting:
    """Reopen a fixed agenda before the meeting (e.g. an urgent item)."""
    require(actor, "meeting.manage", meeting)
    _bump(
        meeting,
        expected_version=expected_version,
        statuses=(MeetingStatus.AGENDA_FIXED,),
        status=MeetingStatus.PLANNED,
        agenda_fixed_at=None,
        agenda_fixed_by=None,
    )
    record(actor=actor, action="meeting.reopen_agenda", obj=meeting, changes=["status"])
    return meeting


# --- papers -----------------------------------------------------------------------------------


def build_paper(item: AgendaItem) -> str:
    """The coordinator's readable summary (会議資料) generated from the case: household, issues,
    what has been done, plan items. Persons appear by relation, age and sex — not by name — and
    a 支援会議 item covers only the persons on the item."""
    lines: list[str] = []
    case = item.case
    covered = list(item.persons.all()) if item.pk else []
    today = timezone.localdate()
    if case is not None:
        lines.append(
            _("【ケース】%(number)s(受付 %(opened)s/主担当 %(lead)s/状態 %(status)s)")
            % {
                "number": case.number,
                "opened": format_date(case.opened_on, seireki=False),
                "lead": case.lead_agency.short_name or case.lead_agency.name,
                "status": case.get_status_display(),
            }
        )
        if getattr(case, "summary", ""):
            lines.append(_("【主訴】%(summary)s") % {"summary": case.summary})
    household = item.household or (case.household if case is not None else None)
    if household is not None:
        from cases.models import HouseholdMember

        links = (
            HouseholdMember.objects.current().filter(household=household).select_related("person")
        )
        if covered:
            links = links.filter(person__in=covered)
        rows = []
        for link in links:
            age = link.person.age(today)
            age_text = _(" %(age)s歳") % {"age": age} if age is not None else ""
            sex = f" {link.person.sex}" if link.person.sex else ""
            apart = "" if link.lives_together else str(_("(別居)"))
            rows.append(f"・{link.get_relation_display()}{age_text}{sex}{apart}")
        if rows:
            lines.append(str(_("【世帯の状況】")))
            lines.extend(rows)
    if case is not None:
        from cases.models import Assessment

        assessment = (
            Assessment.objects.filter(case=case, superseded_at__isnull=True)
            .order_by("-number")
            .first()
        )
        if assessment is not None:
            issues = [i.get_category_display() for i in assessment.issues.all()]
            if issues:
                lines.append(_("【課題】%(issues)s") % {"issues": "、".join(dict.fromkeys(issues))})
            if assessment.view:
                lines.append(_("【見立て】%(view)s") % {"view": assessment.view})
            if assessment.wishes:
                lines.append(_("【本人・世帯の希望】%(wishes)s") % {"wishes": assessment.wishes})
        from cases.models import ActivityNote

        notes = list(
            ActivityNote.objects.filter(case=case, visibility="team").order_by("-occurred_at")[:5]
        )
        if notes:
            lines.append(str(_("【これまでの支援(直近)】")))
            for note in reversed(notes):
                day = format_date(note.occurred_at, seireki=False)
                first = note.content.splitlines()[0][:80] if note.content else ""
                lines.append(f"・{day} {note.get_kind_display()} {first}")
    subject = item.subject if item.subject_id else None
    if subject is not None and subject._meta.model_name == "plan":
        lines.append(str(_("【プラン案】")))
        if subject.overall_goal:
            lines.append(_("総合的な目標: %(goal)s") % {"goal": subject.overall_goal})
        if subject.policy:
            lines.append(_("支援の方針: %(policy)s") % {"policy": subject.policy})
        for pi in subject.items.select_related("agency").order_by("order", "pk"):
            lines.append(
                _("・%(issue)s → %(goal)s/%(action)s(%(agency)s%(due)s)")
                % {
                    "issue": pi.issue,
                    "goal": pi.goal,
                    "action": pi.action,
                    "agency": pi.agency.short_name or pi.agency.name,
                    "due": _("、期限 %(d)s") % {"d": format_date(pi.due_on, seireki=False)}
                    if pi.due_on
                    else "",
                }
            )
    if subject is not None and subject._meta.model_name == "evaluation":
        lines.append(str(_("【評価】")))
        for ei in subject.items.select_related("plan_item").all():
            achievement = ei.get_achievement_display() or "-"
            lines.append(f"・{ei.plan_item.issue}: {achievement} {ei.note}")
        if subject.change_note:
            lines.append(_("本人・世帯の変化: %(v)s") % {"v": subject.change_note})
        if subject.overall:
            lines.append(_("総合評価: %(v)s") % {"v": subject.overall})
        if subject.proposed_decision:
            lines.append(_("提案する方針: %(v)s") % {"v": subject.get_proposed_decision_display()})
    if item.request_id and item.request.description:
        lines.append(str(_("【申込の内容】")))
        lines.append(item.request.description)
    if not lines:
        lines.append(str(_("(協議の概要を記入してください)")))
    return "\n".join(str(line) for line in lines)


@transaction.atomic
def paper_generate(*, item: AgendaItem, actor) -> AgendaItem:
    """Regenerate the paper from the case (overwrites edits; the UI asks first)."""
    require(actor, "agendaitem.edit", item)
    _paper_editable(item)
    item.paper = build_paper(item)
    item.paper_generated_at = timezone.now()
    item.paper_edited_by = actor
    item.save(update_fields=["paper", "paper_generated_at", "paper_edited_by"])
    record(actor=actor, action="agendaitem.update", obj=item, changes=["paper"])
    return item


def _paper_editable(item: AgendaItem) -> None:
    item.meeting.refresh_from_db(fields=["status"])
    if item.meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_FIXED):
        raise ValidationError(_("開催後の会議資料は変更できません。"))


@transaction.atomic
def paper_update(*, item: AgendaItem, actor, paper: str, title: str | None = None) -> AgendaItem:
    require(actor, "agendaitem.edit", item)
    _paper_editable(item)
    changed = ["paper"]
    item.paper = paper
    if title is not None and title.strip() and title.strip() != item.title:
        refuse_names(title, meeting=item.meeting, case=item.case, household=item.household)
        item.title = title.strip()
        changed.append("title")
    item.paper_edited_by = actor
    item.save(update_fields=[*changed, "paper_edited_by"])
    record(actor=actor, action="agendaitem.update", obj=item, changes=changed)
    return item


# --- holding the meeting ---------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, actor, members: dict, externals: list[dict] = ()
) -> Meeting:
    """Replace the attendance: `members` {BodyMember: (status, proxy_name, note)}, `externals`
    [{name, organisation, note}] (present by definition)."""
    require(actor, "meeting.manage", meeting)
    meeting.refresh_from_db(fields=["status"])
    if meeting.status not in (MeetingStatus.AGENDA_FIXED, MeetingStatus.HELD):
        raise ValidationError(_("出欠は議題の確定後、議事録の承認前に記録できます。"))
    if meeting.date > timezone.localdate():
        raise ValidationError(
            _("出欠は開催日(%(d)s)から記録できます。") % {"d": format_date(meeting.date)}
        )
    for member, (status, proxy_name, _note) in members.items():
        if member.body_id != meeting.body_id:
            raise ValidationError(_("この会議体の構成員ではない人が含まれています。"))
        if status not in AttendanceStatus.values:
            raise ValidationError(_("出欠の区分が正しくありません。"))
        if status == AttendanceStatus.PROXY and not (proxy_name or "").strip():
            raise ValidationError(
                {
                    "proxy_name": _("%(name)sさんの代理出席者の氏名を入力してください。")
                    % {"name": member.display_name}
                }
            )
    for ext in externals:
        if not (ext.get("name") or "").strip() or not (ext.get("organisation") or "").strip():
            raise ValidationError(
                {"externals": _("構成員以外の出席者は氏名と所属を入力してください。")}
            )
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                member=m,
                status=s,
                proxy_name=(p or "").strip() if s == AttendanceStatus.PROXY else "",
                note=n or "",
            )
            for m, (s, p, n) in members.items()
        ]
        + [
            Attendance(
                meeting=meeting,
                name=e["name"].strip(),
                organisation=e["organisation"].strip(),
                status=AttendanceStatus.PRESENT,
                note=e.get("note", ""),
            )
            for e in externals
        ]
    )
    record(actor=actor, action="meeting.update", obj=meeting, changes=["attendance"])
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor) -> Meeting:
    """The meeting took place: decisions can now be recorded. Not before its date, and only with
    attendance on record."""
    require(actor, "meeting.manage", meeting)
    if meeting.status != MeetingStatus.AGENDA_FIXED:
        raise ValidationError(
            _("議題が確定した会議だけを開催済みにできます(現在: %(s)s)。")
            % {"s": meeting.get_status_display()}
        )
    if meeting.date > timezone.localdate():
        raise ValidationError(
            _("開催日(%(d)s)より前に開催済みにはできません。") % {"d": format_date(meeting.date)}
        )
    if meeting.format == MeetingFormat.WRITTEN:
        from .written import require_all_answers

        require_all_answers(meeting)
    elif not meeting.attendance.exists():
        raise ValidationError(_("先に出欠を記録してください。"))
    _bump(
        meeting,
        expected_version=None,
        statuses=(MeetingStatus.AGENDA_FIXED,),
        status=MeetingStatus.HELD,
        held_at=timezone.now(),
    )
    record(actor=actor, action="meeting.hold", obj=meeting, changes=["status"])
    return meeting


def _minutes_open(meeting: Meeting) -> None:
    meeting.refresh_from_db(fields=["status"])  # never trust a status loaded before the request
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise ValidationError(
            _("議事録は承認済みのため変更できません。訂正は「補足・訂正」で追記してください。")
        )
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(
            _("この会議はまだ開催されていないため、議事録・決定は記録できません。")
        )


@transaction.atomic
def item_record_decision(
    *,
    item: AgendaItem,
    actor,
    kind: str,
    decided_on: dt.date | None = None,
    text: str = "",
    changes: str = "",
    notes: str | None = None,
    next_review_on: dt.date | None = None,
    roles: list[dict] = (),
    lead_agency=None,
    closure_reason: str | None = None,
    issue_title: str = "",
    issue_description: str = "",
) -> Decision:
    """Record the decision on an item and drive the case transition — all or nothing.

    Refused on a meeting not held, after the minutes are approved, or twice. A resource-gap
    decision creates a CommunityIssue. Roles: [{owner_agency, owner_user, task, due_on}].
    """
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    item.meeting = meeting
    if meeting.format == MeetingFormat.WRITTEN:
        from .written import require_all_answers

        require_all_answers(meeting, items=[item])
    require(actor, "agendaitem.edit", item)
    _minutes_open(meeting)
    if Decision.objects.filter(item=item).exists():
        raise ValidationError(_("この議題の決定はすでに記録されています。"))
    allowed = DECISIONS_BY_AGENDA_KIND.get(AgendaKind(item.kind), [])
    if kind not in allowed:
        raise ValidationError({"kind": _("この種別の議題では選べない決定です。")})
    if kind == DecisionKind.PLAN_APPROVED_WITH_CHANGES and not changes.strip():
        raise ValidationError(
            {"changes": _("修正のうえ承認する場合は、修正内容を入力してください。")}
        )
    if kind == DecisionKind.CLOSURE_APPROVED and (lead_agency is None or not closure_reason):
        raise ValidationError(
            {
                "lead_agency": _(
                    "終結を承認する場合は、終結後の主担当機関と終結理由を選んでください。"
                )
            }
        )
    if kind == DecisionKind.RESOURCE_GAP and not issue_title.strip():
        raise ValidationError({"issue_title": _("地域課題の件名を入力してください。")})
    decided_on = decided_on or meeting.date
    if decided_on < meeting.date and meeting.format != MeetingFormat.WRITTEN:
        raise ValidationError(
            {
                "decided_on": _("決定日は会議の日(%(d)s)より前にはできません。")
                % {"d": format_date(meeting.date)}
            }
        )
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("決定日に未来の日付は指定できません。")})
    if next_review_on is not None and next_review_on < decided_on:
        raise ValidationError(
            {
                "next_review_on": _("次回確認日は決定日(%(d)s)以降にしてください。")
                % {"d": format_date(decided_on)}
            }
        )
    for role in roles:
        if not (role.get("task") or "").strip() or role.get("owner_agency") is None:
            raise ValidationError({"roles": _("役割分担は担当機関と内容を入力してください。")})
        if role.get("due_on") is None:
            # A role is work: it has a date, so it reaches the owner's dashboard and reminders.
            raise ValidationError({"roles": _("役割分担には期限を入力してください。")})
        if message := role_due_error(role["due_on"], decided_on):
            raise ValidationError({"roles": message})
        _check_owner(role["owner_agency"], role.get("owner_user"))
        if not role_opens_case(item=item, agency=role["owner_agency"]):
            raise ValidationError(
                {
                    "roles": _(
                        "%(agency)sは本人同意の共有先に含まれていないため、この会議では役割を"
                        "割り当てられません(ケースを開けないため)。本人同意に共有先を加えて"
                        "から記録してください。"
                    )
                    % {"agency": role["owner_agency"].name}
                }
            )
    decision = Decision.objects.create(
        item=item,
        kind=kind,
        text=text,
        changes=changes,
        decided_on=decided_on,
        recorded_by=actor,
    )
    created_roles = []
    for role in roles:
        assignment = RoleAssignment.objects.create(
            decision=decision,
            owner_agency=role["owner_agency"],
            owner_user=role.get("owner_user"),
            task=role["task"].strip(),
            due_on=role.get("due_on"),
        )
        # The role opens what it needs, on the body's basis (access grants + ledger).
        role_grant_give(assignment=assignment, actor=actor)
        created_roles.append(assignment)
    if created_roles:
        role_ids = [r.pk for r in created_roles]
        transaction.on_commit(lambda: role_assignments_notify(role_ids=role_ids))
    fields = []
    if notes is not None:
        item.notes = notes
        fields.append("notes")
    if next_review_on is not None:
        item.next_review_on = next_review_on
        fields.append("next_review_on")
    if fields:
        item.save(update_fields=fields)
    if kind == DecisionKind.RESOURCE_GAP:
        from community.models import CommunityIssue

        area = meeting.body.area or (item.household.area if item.household_id else None)
        issue = CommunityIssue.objects.create(
            title=issue_title.strip(),
            description=issue_description or text,
            area=area,
            raised_from=item,
            source="meeting",
            source_case=item.case,
            raised_on=decided_on,
            raised_by=actor,
            owner_agency=meeting.body.convenor,
        )
        record(
            actor=actor, action="communityissue.create", obj=issue, changes=["title", "raised_from"]
        )
    transition = lifecycle.apply_decision(
        item=item,
        decision=decision,
        actor=actor,
        lead_agency=lead_agency,
        closure_reason=closure_reason,
    )
    if transition:
        decision.transition = transition
        decision.save(update_fields=["transition"])
    if kind == DecisionKind.HAND_BACK:
        transaction.on_commit(lambda: hand_back_notify(decision_id=decision.pk))
    # Roles of a plan decision become rows of the approved plan; the others stay tasks.
    lifecycle.roles_to_plan(item=item, decision=decision, actor=actor)
    record(actor=actor, action="decision.create", obj=decision, changes=["kind", "text", "roles"])
    return decision


def role_due_error(due_on: dt.date | None, decided_on: dt.date) -> str | None:
    """Why a role's 期限 cannot be taken (None if it can): never before the decision, which
    gives the role its work and its access from that day (the decision form asks the same)."""
    if due_on is not None and due_on < decided_on:
        return _("期限は決定日(%(d)s)以降にしてください。") % {"d": format_date(decided_on)}
    return None


def _check_owner(agency, user) -> None:
    """A named owner works at the owner agency with a care role (they answer for the role
    there): never a resident (民生委員) or an admin-only account."""
    if user is None:
        return
    from agencies.selectors import care_staff_of

    if not care_staff_of(agency.pk).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "roles": _(
                    "担当者は担当機関の相談支援の職員(民生委員・管理者を除く)から選んでください。"
                )
            }
        )


ROLE_NEW_RULE = "role_assignment_new"


def role_assignments_notify(*, role_ids) -> int:
    """Tell each owner at once that a meeting gave them work (in-app; the daily digest carries
    unread notices): the named owner, else the owner agency's coordinators (else supervisors).
    The title names the case number and the date, never a person."""
    from notifications.models import Notification
    from notifications.rules.registry import Directory
    from notifications.services import notify_now

    directory = Directory(timezone.localdate())
    rows = RoleAssignment.objects.filter(pk__in=role_ids).select_related(
        "decision__item__case", "decision__item__meeting__body", "owner_agency"
    )
    sent = 0
    for role in rows:
        ref = f"meetings.roleassignment:{role.pk}"
        if Notification.objects.filter(rule=ROLE_NEW_RULE, object_ref=ref).exists():
            continue  # safe to run twice
        item = role.decision.item
        recipients = directory.person_or_coordinators(
            role.owner_user_id, role.owner_agency_id
        ) or directory.supervisors(role.owner_agency_id)
        subject = item.case.number if item.case_id else item.meeting.body.name
        notes = notify_now(
            recipients=recipients,
            rule=ROLE_NEW_RULE,
            message_code="role_assignment_new.title",
            params={"subject": subject, "due": f"{role.due_on:%Y-%m-%d}" if role.due_on else "—"},
            body_text=role.task,
            url=role.get_absolute_url(),
            object_ref=ref,
            due_date=role.due_on,
        )
        sent += len(notes)
    return sent


HAND_BACK_RULE = "case_handed_back"


def hand_back_notify(*, decision_id) -> int:
    """Tell the agency a case was handed back to (つなぎもどし, now its 主担当) at once: its
    named worker on the case team if still there, else its coordinators, else its supervisors.
    The text names the case number, the agency, the meeting and the date, never a person. Safe
    to run twice."""
    from notifications.models import Notification
    from notifications.rules.registry import Directory
    from notifications.services import notify_now

    decision = Decision.objects.select_related(
        "item__case__lead_agency", "item__meeting__body"
    ).get(pk=decision_id)
    case = decision.item.case
    ref = f"meetings.decision:{decision.pk}"
    if case is None or Notification.objects.filter(rule=HAND_BACK_RULE, object_ref=ref).exists():
        return 0
    agency = case.lead_agency  # the evaluation decision made it the 主担当
    directory = Directory(timezone.localdate())
    named = {
        uid
        for uid in case.team.current().filter(agency=agency).values_list("user_id", flat=True)
        if directory.is_current(uid, agency.pk)
    }
    meeting = decision.item.meeting
    notes = notify_now(
        recipients=named or directory.coordinators(agency.pk) or directory.supervisors(agency.pk),
        rule=HAND_BACK_RULE,
        message_code="case_handed_back.title",
        params={
            "n": case.number,
            "agency": agency.short_name or agency.name,
            "date": decision.decided_on.isoformat(),  # shown in the house style when read
            "meeting": f"{meeting.body.name} {format_date(meeting.date, seireki=False)}",
        },
        body_codes=("case_handed_back.body",),
        url=reverse("cases:case_detail", args=[case.public_id]),
        object_ref=ref,
    )
    return len(notes)


@transaction.atomic
def role_assignment_complete(
    *, assignment: RoleAssignment, actor, done_on: dt.date | None = None
) -> RoleAssignment:
    """The owner marks a role assigned at a meeting as done; its reminders stop.

    Allowed to the named owner and to care staff of the owner agency. Refused for a role that
    became a plan item (followed by monitoring), twice (a conditional update: two clicks or two
    colleagues at once record it once), before the decision or in the future.
    """
    decision = require(actor, "roleassignment.complete", assignment)
    if assignment.plan_item_id is not None:
        raise ValidationError(
            _("この役割はプランの項目になっているため、進捗はモニタリングで記録してください。")
        )
    today = timezone.localdate()
    done_on = done_on or today
    decided_on = assignment.decision.decided_on
    if done_on > today or done_on < decided_on:
        raise ValidationError(
            {
                "done_on": _("完了日は会議の決定日(%(d)s)から今日までの日付にしてください。")
                % {"d": format_date(decided_on)}
            }
        )
    updated = RoleAssignment.objects.filter(
        pk=assignment.pk, done_on__isnull=True, plan_item__isnull=True
    ).update(done_on=done_on, done_by=actor)
    if not updated:
        raise ValidationError(_("この役割はすでに完了として記録されています。"))
    assignment.done_on, assignment.done_by = done_on, actor
    role_grant_end(assignment=assignment, actor=actor, on=done_on)
    record(
        actor=actor,
        action="roleassignment.complete",
        obj=assignment,
        basis=decision.basis,
        changes=["done_on", "done_by"],
    )
    return assignment


@transaction.atomic
def item_update_notes(
    *, item: AgendaItem, actor, notes: str, next_review_on: dt.date | None = None
) -> AgendaItem:
    require(actor, "agendaitem.edit", item)
    _minutes_open(item.meeting)
    item.notes = notes
    item.next_review_on = next_review_on
    item.save(update_fields=["notes", "next_review_on"])
    record(actor=actor, action="agendaitem.update", obj=item, changes=["notes", "next_review_on"])
    return item


@transaction.atomic
def minutes_update(*, meeting: Meeting, actor, minutes: str) -> Meeting:
    require(actor, "meeting.manage", meeting)
    _minutes_open(meeting)
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes", "updated_at"])
    record(actor=actor, action="meeting.update", obj=meeting, changes=["minutes"])
    return meeting


@transaction.atomic
def minutes_approve(*, meeting: Meeting, actor) -> Meeting:
    """Approve the minutes: from now on the meeting, its items and decisions are immutable;
    corrections are addenda."""
    require(actor, "meeting.approve_minutes", meeting)
    _minutes_open(meeting)
    undecided = meeting.items.filter(decision__isnull=True).count()
    if undecided:
        raise ValidationError(
            _(
                "決定が記録されていない議題が%(n)s件あります。すべての議題の決定を記録してから承認してください。"
            )
            % {"n": undecided}
        )
    _bump(
        meeting,
        expected_version=None,
        statuses=(MeetingStatus.HELD,),
        status=MeetingStatus.MINUTES_APPROVED,
        minutes_approved_at=timezone.now(),
        minutes_approved_by=actor,
    )
    record(actor=actor, action="meeting.approve_minutes", obj=meeting, changes=["status"])
    return meeting


@transaction.atomic
def addendum_add(
    *, meeting: Meeting, actor, text: str, reason: str, item: AgendaItem | None = None
) -> MinutesAddendum:
    """A correction after approval; the approved minutes stay as they were."""
    require(actor, "meeting.manage", meeting)
    if meeting.status != MeetingStatus.MINUTES_APPROVED:
        raise ValidationError(
            _("補足・訂正は議事録の承認後に記録します。承認前は議事録を直接修正してください。")
        )
    if item is not None:
        if item.meeting_id != meeting.pk:
            raise ValidationError(_("この会議の議題ではありません。"))
        require(actor, "agendaitem.edit", item)
    if not text.strip() or not reason.strip():
        raise ValidationError({"text": _("補足・訂正の内容と理由を入力してください。")})
    addendum = MinutesAddendum.objects.create(
        meeting=meeting, item=item, text=text.strip(), reason=reason.strip(), author=actor
    )
    record(actor=actor, action="addendum.create", obj=addendum, changes=["text", "reason"])
    return addendum

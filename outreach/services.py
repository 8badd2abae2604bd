"""Writes of the outreach programme. Each service checks the policy, writes in one transaction
and leaves an audit row; HTML views, the API, the importer and the demo all call these."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import jpdates
from agencies.models import Agency, User
from agencies.policy import PolicyDenied, deny, is_professional, require
from audit.services import record
from cases.models.intake import Urgency

from . import policy
from .models import (
    AgendaLink,
    ClosureReason,
    ContactKind,
    Counterpart,
    Outcome,
    OutreachContact,
    OutreachPlan,
    OutreachTarget,
    PlannedVisit,
    Professional,
    Source,
    Stage,
    StageTransition,
    TargetNumberSequence,
)

TARGET_FIELDS = (
    "area",
    "source",
    "source_detail",
    "informant",
    "known_on",
    "approx_name",
    "approx_kana",
    "approx_address",
    "approx_age",
    "birth_date",
    "sex",
    "household_note",
    "worry",
    "urgency",
)


# The notice to a new 主担当 (its text in notifications.messages: the target's number only, like
# the other outreach notices — never the name known before consent).
LEAD_ASSIGNED = "outreach_lead_assigned"


class OutreachConflict(ValidationError):
    """The record changed since the user opened it (stale version)."""


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise OutreachConflict(
            _("他の職員が先にこの記録を更新しました。最新の内容を確認してからやり直してください。")
        )


def target_next_number(fiscal_year: int) -> str:
    """OR-R8-0001: the first target of 令和8年度. Call inside a transaction."""
    TargetNumberSequence.objects.get_or_create(fiscal_year=fiscal_year)
    seq = TargetNumberSequence.objects.select_for_update().get(fiscal_year=fiscal_year)
    seq.last = F("last") + 1
    seq.save(update_fields=["last"])
    seq.refresh_from_db(fields=["last"])
    era, year = jpdates.era_of(dt.date(fiscal_year, 10, 1))
    return f"OR-{era.letter}{year}-{seq.last:04d}"


def _validate_target(data: dict) -> None:
    errors = {}
    if data.get("source") not in Source.values:
        errors["source"] = _("把握の経路を選んでください。")
    if not (data.get("worry") or "").strip():
        errors["worry"] = _("気になることを入力してください。")
    if data.get("urgency", Urgency.NORMAL) not in Urgency.values:
        errors["urgency"] = _("緊急度を選んでください。")
    age = data.get("approx_age")
    if age is not None and not 0 <= int(age) <= 130:
        errors["approx_age"] = _("年齢は0〜130の数字で入力してください。")
    today = timezone.localdate()
    known_on = data.get("known_on")
    if known_on is not None and known_on > today:
        errors["known_on"] = _("把握日に未来の日付は入力できません。")
    birth = data.get("birth_date")
    if birth is not None and birth > today:
        errors["birth_date"] = _("生年月日に未来の日付は入力できません。")
    if not any(
        (data.get(k) or "").strip() for k in ("approx_name", "approx_address", "source_detail")
    ) and not data.get("informant"):
        errors["approx_address"] = _(
            "氏名・住所の目安・情報提供者のいずれかを入力してください(後で探せるように)。"
        )
    if errors:
        raise ValidationError(errors)


def _check_workers(users: Iterable[User], field: str = "assignees") -> list[User]:
    users = [u for u in users if u is not None]
    for u in users:
        if not u.is_active or not is_professional(u):
            raise ValidationError({field: _("担当者には在職中の職員を選んでください。")})
    return users


@transaction.atomic
def target_create(
    *,
    actor,
    agency: Agency,
    data: dict,
    lead_worker: User | None = None,
    assignees: Iterable[User] = (),
    person=None,
    concern_slip=None,
    import_batch=None,
    match_note: str = "",
    audit: bool = True,
) -> OutreachTarget:
    """Register a target for `agency` (an agency running 4号 where the actor works). The actor
    becomes the lead worker unless another is named. `audit=False` only for the importer, which
    writes one row for the whole list."""
    decision = require(actor, "outreach_target.create", agency)
    data = {k: v for k, v in data.items() if k in TARGET_FIELDS}
    data.setdefault("known_on", timezone.localdate())
    data.setdefault("urgency", Urgency.NORMAL)
    _validate_target(data)
    if person is not None:
        require(actor, "person.view", person)
    lead_worker = lead_worker or actor
    workers = _check_workers([lead_worker, *assignees])
    target = OutreachTarget.objects.create(
        number=target_next_number(jpdates.fiscal_year(data["known_on"])),
        agency=agency,
        lead_worker=lead_worker,
        person=person,
        concern_slip=concern_slip,
        import_batch=import_batch,
        match_note=match_note[:200],
        stage_changed_on=data["known_on"],
        created_by=actor,
        **data,
    )
    target.assignees.set({u.pk for u in workers})
    StageTransition.objects.create(
        target=target,
        from_stage="",
        to_stage=Stage.DISCOVERED,
        on=data["known_on"],
        reason=_("把握(%(source)s)") % {"source": Source(data["source"]).label},
        actor=actor,
    )
    if audit:
        record(
            actor=actor,
            action="outreach_target.create",
            obj=target,
            basis=decision.basis,
            changes=data.keys(),
        )
    return target


@transaction.atomic
def target_update(
    *, actor, target: OutreachTarget, data: dict, expected_version: int | None = None
) -> OutreachTarget:
    locked = OutreachTarget.objects.select_for_update().get(pk=target.pk)
    decision = require(actor, "outreach_target.work", locked)
    _check_version(locked, expected_version)
    data = {k: v for k, v in data.items() if k in TARGET_FIELDS}
    merged = {k: getattr(locked, k) for k in TARGET_FIELDS} | data
    _validate_target(merged)
    if merged["known_on"] > locked.known_on:
        # No contact before the date the target became known (contact_log's rule).
        first = locked.contacts.order_by("occurred_at").values_list("occurred_at", flat=True)[:1]
        if first and merged["known_on"] > timezone.localdate(first[0]):
            raise ValidationError(
                {
                    "known_on": _("把握日は最初の接触(%(d)s)より後にできません。")
                    % {"d": jpdates.format_date(timezone.localdate(first[0]))}
                }
            )
    changed = [k for k, v in data.items() if getattr(locked, k) != v]
    for k in changed:
        setattr(locked, k, data[k])
    if changed:
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
        record(
            actor=actor,
            action="outreach_target.update",
            obj=locked,
            basis=decision.basis,
            changes=changed,
        )
    return locked


@transaction.atomic
def target_assign(
    *, actor, target: OutreachTarget, lead_worker: User | None, assignees: Iterable[User]
) -> OutreachTarget:
    """Name the lead worker (主担当) and the assignees. A new lead worker other than the actor is
    told in the app after commit (the notice carries the target's number only)."""
    decision = require(actor, "outreach_target.assign", target)
    if lead_worker is None and target.is_open:
        # Someone answers for an open target: the 担当者 page is where one is named, not unset.
        raise ValidationError({"lead_worker": _("主担当を選んでください。")})
    workers = _check_workers([lead_worker, *assignees])
    new_lead = lead_worker if lead_worker and lead_worker.pk != target.lead_worker_id else None
    target.lead_worker = lead_worker
    target.version += 1
    target.save(update_fields=["lead_worker", "version", "updated_at"])
    target.assignees.set({u.pk for u in workers})
    record(
        actor=actor,
        action="outreach_target.update",
        obj=target,
        basis=decision.basis,
        changes=["lead_worker", "assignees"],
    )
    if new_lead is not None and new_lead.pk != actor.pk:
        transaction.on_commit(
            lambda: _notify_lead_assigned(target_id=target.pk, user_id=new_lead.pk)
        )
    return target


def _notify_lead_assigned(*, target_id: int, user_id: int) -> None:
    from notifications.models import ref_for
    from notifications.services import notify_now

    target = OutreachTarget.objects.only("public_id", "number").get(pk=target_id)
    notify_now(
        recipients=[user_id],
        rule=LEAD_ASSIGNED,
        message_code=f"{LEAD_ASSIGNED}.title",
        params={"n": target.number},
        url=target.get_absolute_url(),
        object_ref=ref_for("outreach.outreachtarget", target.pk),
    )


def target_record_view(*, actor, target: OutreachTarget, action: str = "outreach_target.view"):
    """Check and audit one read of a target (page, API detail, PDF)."""
    decision = require(actor, action, target)
    record(actor=actor, action=action, obj=target, basis=decision.basis)
    return decision


# --- stages ---------------------------------------------------------------------------------


def allowed_stages(target: OutreachTarget) -> list[str]:
    """Stages the target may move to: any other open stage (work is not linear: after a refusal
    a target goes back to 関係づくり), 終結 from an open stage, and reopening from 終結."""
    return [s for s in Stage.values if s != target.stage]


@transaction.atomic
def target_move(
    *,
    actor,
    target: OutreachTarget,
    to_stage: str,
    reason: str,
    on: dt.date | None = None,
    closure_reason: str = "",
    next_try_on: dt.date | None = None,
    expected_version: int | None = None,
) -> StageTransition:
    """Move the target to `to_stage` on `on` (default today) for `reason`. Closing needs a coded
    closure reason; 'refused for now' also needs the date of the next try. Closing cancels the
    target's visits planned from `on` on that nobody recorded (each audited), so they leave the
    staff's schedule."""
    locked = OutreachTarget.objects.select_for_update().get(pk=target.pk)
    decision = require(actor, "outreach_target.work", locked)
    _check_version(locked, expected_version)
    on = on or timezone.localdate()
    errors = {}
    if to_stage not in Stage.values or to_stage == locked.stage:
        errors["to_stage"] = _("移る段階を選んでください(現在と別の段階)。")
    if not (reason or "").strip():
        errors["reason"] = _("理由を入力してください。")
    if on > timezone.localdate():
        errors["on"] = _("変更日に未来の日付は入力できません。")
    elif on < locked.stage_changed_on:
        errors["on"] = _("変更日は前回の段階変更日(%(d)s)以降にしてください。") % {
            "d": jpdates.format_date(locked.stage_changed_on)
        }
    if to_stage == Stage.CLOSED:
        if closure_reason not in ClosureReason.values:
            errors["closure_reason"] = _("終結理由を選んでください。")
        elif closure_reason == ClosureReason.REFUSED and next_try_on is None:
            errors["next_try_on"] = _("拒否による終結では、次回接触予定日を入力してください。")
        if next_try_on is not None and next_try_on <= on:
            errors["next_try_on"] = _("次回接触予定日は変更日より後にしてください。")
    elif closure_reason:
        errors["closure_reason"] = _("終結理由は終結するときだけ選べます。")
    if errors:
        raise ValidationError(errors)
    transition = StageTransition.objects.create(
        target=locked,
        from_stage=locked.stage,
        to_stage=to_stage,
        on=on,
        reason=reason.strip(),
        closure_reason=closure_reason if to_stage == Stage.CLOSED else "",
        next_try_on=next_try_on if to_stage == Stage.CLOSED else None,
        actor=actor,
    )
    locked.stage = to_stage
    locked.stage_changed_on = on
    locked.closure_reason = transition.closure_reason
    locked.next_try_on = transition.next_try_on
    locked.version += 1
    locked.save(
        update_fields=[
            "stage",
            "stage_changed_on",
            "closure_reason",
            "next_try_on",
            "version",
            "updated_at",
        ]
    )
    target.stage, target.version = locked.stage, locked.version
    record(
        actor=actor,
        action="outreach_target.transition",
        obj=locked,
        basis=decision.basis,
        changes=["stage"],
    )
    if to_stage == Stage.CLOSED:
        pending = locked.planned_visits.filter(
            cancelled=False, contact__isnull=True, planned_on__gte=on
        )
        for visit in pending:
            _cancel_visit(visit, actor=actor, basis=decision.basis)
    return transition


# --- contacts -------------------------------------------------------------------------------


def _acting_agency(actor, target: OutreachTarget) -> Agency:
    ids = policy.care_agency_ids(actor)
    if target.agency_id in ids:
        return target.agency
    if not ids:
        raise PolicyDenied("outreach_target.work", deny())
    return Agency.objects.filter(pk__in=ids).order_by("pk").first()


def _clean_professionals(codes: Iterable[str]) -> list[str]:
    codes = [c for c in codes or [] if c]
    unknown = set(codes) - set(Professional.values)
    if unknown:
        raise ValidationError({"professionals": _("同行した専門職の種類が不明です。")})
    return sorted(set(codes), key=Professional.values.index)


@transaction.atomic
def contact_log(
    *,
    actor,
    target: OutreachTarget,
    kind: str,
    occurred_at: dt.datetime,
    staff: Iterable[User],
    counterpart: str,
    outcome: str,
    minutes: int = 0,
    professionals: Iterable[str] = (),
    professionals_note: str = "",
    content: str = "",
    next_step: str = "",
    next_on: dt.date | None = None,
    planned_visit: PlannedVisit | None = None,
    idempotency_key: uuid.UUID | None = None,
    audit: bool = True,
) -> tuple[OutreachContact, bool]:
    """Log one attempt or contact. Returns (contact, created): a repeated `idempotency_key` (a
    double-clicked form, or the offline tablet page sending again) returns the row already made
    and creates nothing. The key is bound to its author: another user's key is refused."""
    decision = require(actor, "outreach_target.work", target)
    if idempotency_key is not None:
        existing = OutreachContact.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.author_id != actor.pk or existing.target_id != target.pk:
                raise ValidationError(
                    {"idempotency_key": _("送信トークンが不正です。画面を開き直してください。")}
                )
            return existing, False
    staff = _check_workers(staff, "staff")
    errors = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("種別を選んでください。")
    if counterpart not in Counterpart.values:
        errors["counterpart"] = _("相手を選んでください。")
    if outcome not in Outcome.values:
        errors["outcome"] = _("結果を選んでください。")
    if not staff:
        errors["staff"] = _("対応した職員を1人以上選んでください。")
    if occurred_at is None:
        errors["occurred_at"] = _("日時を入力してください。")
    elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("未来の日時は入力できません。訪問予定として登録してください。")
    elif timezone.localdate(occurred_at) < target.known_on:
        errors["occurred_at"] = _("把握日(%(d)s)より前の日付は入力できません。") % {
            "d": jpdates.format_date(target.known_on)
        }
    if minutes is None or int(minutes) < 0 or int(minutes) > 24 * 60:
        errors["minutes"] = _("所要時間は0〜1440分で入力してください。")
    if next_on is not None and occurred_at is not None and next_on < occurred_at.date():
        errors["next_on"] = _("次回予定日は接触日以降にしてください。")
    if planned_visit is not None and planned_visit.target_id != target.pk:
        errors["planned_visit"] = _("別の対象者の訪問予定です。")
    if errors:
        raise ValidationError(errors)
    codes = _clean_professionals(professionals)
    try:
        with transaction.atomic():
            contact = OutreachContact.objects.create(
                target=target,
                kind=kind,
                occurred_at=occurred_at,
                minutes=int(minutes),
                professionals=codes,
                professionals_note=(professionals_note or "").strip()[:200],
                counterpart=counterpart,
                outcome=outcome,
                content=(content or "").strip(),
                next_step=(next_step or "").strip()[:200],
                next_on=next_on,
                planned_visit=planned_visit,
                agency=_acting_agency(actor, target),
                author=actor,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        # The same key arrived twice at once: the other request made the row.
        return OutreachContact.objects.get(idempotency_key=idempotency_key), False
    contact.staff.set({u.pk for u in staff})
    OutreachTarget.objects.filter(pk=target.pk).filter(last_contact_at__isnull=True).update(
        last_contact_at=occurred_at
    )
    OutreachTarget.objects.filter(pk=target.pk, last_contact_at__lt=occurred_at).update(
        last_contact_at=occurred_at
    )
    if next_on is not None and target.stage != Stage.CLOSED:
        OutreachTarget.objects.filter(pk=target.pk).update(next_try_on=next_on)
    if audit:
        record(actor=actor, action="outreach_contact.create", obj=contact, basis=decision.basis)
    return contact, True


# --- planned visits -------------------------------------------------------------------------


@transaction.atomic
def visit_plan(
    *,
    actor,
    target: OutreachTarget,
    planned_on: dt.date,
    staff: Iterable[User],
    planned_time: dt.time | None = None,
    kind: str = ContactKind.HOME_VISIT,
    professionals: Iterable[str] = (),
    purpose: str = "",
) -> PlannedVisit:
    decision = require(actor, "outreach_target.work", target)
    staff = _check_workers(staff, "staff")
    errors = {}
    if not staff:
        errors["staff"] = _("訪問する職員を1人以上選んでください。")
    if planned_on is None:
        errors["planned_on"] = _("予定日を入力してください。")
    elif planned_on < timezone.localdate() - dt.timedelta(days=1):
        errors["planned_on"] = _("過去の日付には予定を登録できません。接触記録を入力してください。")
    if kind not in ContactKind.values:
        errors["kind"] = _("種別を選んでください。")
    if target.stage == Stage.CLOSED:
        errors["planned_on"] = _("終結した対象者には予定を登録できません。")
    if errors:
        raise ValidationError(errors)
    visit = PlannedVisit.objects.create(
        target=target,
        planned_on=planned_on,
        planned_time=planned_time,
        kind=kind,
        professionals=_clean_professionals(professionals),
        purpose=(purpose or "").strip()[:200],
        created_by=actor,
    )
    visit.staff.set({u.pk for u in staff})
    record(actor=actor, action="outreach_visit.create", obj=visit, basis=decision.basis)
    return visit


@transaction.atomic
def visit_cancel(*, actor, visit: PlannedVisit) -> PlannedVisit:
    decision = require(actor, "outreach_target.work", visit.target)
    if hasattr(visit, "contact") and visit.contact is not None:
        raise ValidationError(_("記録済みの訪問は取りやめにできません。"))
    _cancel_visit(visit, actor=actor, basis=decision.basis)
    return visit


def _cancel_visit(visit: PlannedVisit, *, actor, basis: str) -> None:
    visit.cancelled = True
    visit.save(update_fields=["cancelled"])
    record(
        actor=actor, action="outreach_visit.update", obj=visit, basis=basis, changes=["cancelled"]
    )


# --- 支援会議 and the outreach plan -------------------------------------------------------------


@transaction.atomic
def target_request_agenda(
    *, actor, target: OutreachTarget, body, description: str, title: str = ""
) -> AgendaLink:
    """Ask a 支援会議 (art. 106-6; no consent needed, members pledged) to discuss the target and set
    the outreach plan. `description` is the paper's text: write only what the members need. The
    secretariat places the request on an agenda as usual; from then on the body's pledged members
    may see the target (read only)."""
    from meetings.choices import AgendaKind, BodyKind
    from meetings.services import agenda_request_create

    decision = require(actor, "outreach_target.work", target)
    if body.kind != BodyKind.SHIEN_KAIGI:
        raise ValidationError(
            {"body": _("同意のない対象者は支援会議(法第106条の6)にのみ付議できます。")}
        )
    if not (description or "").strip():
        raise ValidationError({"description": _("会議で共有する内容を入力してください。")})
    agency = target.agency if target.agency_id in actor.agency_ids() else None
    request = agenda_request_create(
        body=body,
        actor=actor,
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title=title or _("アウトリーチ対象者 %(n)s の関わり方") % {"n": target.number},
        description=description.strip(),
        persons=[target.person] if target.person_id else (),
        agency=agency,
    )
    link = AgendaLink.objects.create(target=target, request=request)
    record(
        actor=actor,
        action="outreach_target.update",
        obj=target,
        basis=decision.basis,
        changes=["agenda_request"],
    )
    return link


def _agenda_items_of(target: OutreachTarget):
    from meetings.models import AgendaItem

    return AgendaItem.objects.filter(request__outreach_link__target=target)


def agenda_items_for(target: OutreachTarget) -> list:
    """The agenda items made from the target's 支援会議 requests, in meeting order. Sorted here:
    with the meetings' order in SQL PostgreSQL walked every meeting by start time to find the
    target's one or two items (2.5 ms at 5,000 meetings: it took the target's links for one row)."""
    items = _agenda_items_of(target).select_related("meeting", "meeting__body").order_by()
    return sorted(items, key=lambda i: (i.meeting.starts_at, i.meeting_id, i.order, i.pk))


@transaction.atomic
def plan_record(
    *,
    actor,
    target: OutreachTarget,
    decided_on: dt.date,
    approach: str,
    owners: Iterable[User],
    next_review_on: dt.date | None = None,
    agenda_item=None,
) -> OutreachPlan:
    """Record the outreach plan (approach, owners, next review). When it was set at a 支援会議,
    `agenda_item` is that meeting's item for this target; the owners named there become workers
    on the target (the basis ASSIGNEE) while the plan is current."""
    from agencies.policy import check

    decision = check(actor, "outreach_plan.record", target)
    if agenda_item is not None:
        if not _agenda_items_of(target).filter(pk=agenda_item.pk).exists():
            raise ValidationError({"agenda_item": _("この対象者の議題を選んでください。")})
        if not decision.allowed:
            # The secretariat of the meeting records what the meeting decided.
            decision = require(actor, "agendaitem.edit", agenda_item)
    elif not decision.allowed:
        require(actor, "outreach_plan.record", target)
    owners = _check_workers(owners, "owners")
    errors = {}
    if not (approach or "").strip():
        errors["approach"] = _("関わり方の方針を入力してください。")
    if not owners:
        errors["owners"] = _("担当者を1人以上選んでください。")
    if decided_on is None or decided_on > timezone.localdate():
        errors["decided_on"] = _("決定日を入力してください(未来の日付は不可)。")
    if next_review_on is not None and decided_on is not None and next_review_on <= decided_on:
        errors["next_review_on"] = _("次回見直し日は決定日より後にしてください。")
    if errors:
        raise ValidationError(errors)
    plan = OutreachPlan.objects.create(
        target=target,
        agenda_item=agenda_item,
        decided_on=decided_on,
        approach=approach.strip(),
        next_review_on=next_review_on,
        recorded_by=actor,
    )
    plan.owners.set({u.pk for u in owners})
    record(actor=actor, action="outreach_plan.create", obj=plan, basis=decision.basis)
    return plan


# --- from a 気づきシート, to a person, a consultation and a case ------------------------------------


@transaction.atomic
def target_from_concern_slip(
    *, actor, slip, agency: Agency | None = None, data: dict | None = None
) -> OutreachTarget:
    """A 民生委員's 気づきシート becomes an outreach target of the receiving agency; the slip moves
    to 対応中 (the resident sees only that)."""
    from cases.models import ConcernSlip
    from cases.services.intake import concern_slip_set_status

    require(actor, "concern_slip.handle", slip)
    if OutreachTarget.objects.filter(concern_slip=slip).exists():
        raise ValidationError(_("この気づきシートはすでにアウトリーチ対象者になっています。"))
    agency = agency or slip.to_agency
    values = {
        "source": Source.MINSEI if slip.submitted_by.has_role("resident") else Source.OTHER,
        "informant": str(slip.submitted_by),
        "known_on": timezone.localdate(slip.submitted_at),
        "approx_address": slip.location,
        "area": slip.area,
        "household_note": slip.subject_description,
        "worry": slip.noticed,
        "urgency": slip.urgency,
        "source_detail": _("気づきシート"),
    } | (data or {})
    target = target_create(actor=actor, agency=agency, data=values, concern_slip=slip)
    if slip.status != ConcernSlip.Status.HANDLING and slip.status != ConcernSlip.Status.CLOSED:
        concern_slip_set_status(actor=actor, slip=slip, status=ConcernSlip.Status.HANDLING)
    return target


@transaction.atomic
def target_link_person(*, actor, target: OutreachTarget, person) -> OutreachTarget:
    """Point the target at an existing person record the actor may see (名寄せ done by hand)."""
    decision = require(actor, "outreach_target.work", target)
    require(actor, "person.view", person)
    if person.merged_into_id:
        raise ValidationError({"person": _("統合済みの記録は選べません。")})
    target.person = person
    target.version += 1
    target.save(update_fields=["person", "version", "updated_at"])
    record(
        actor=actor,
        action="outreach_target.update",
        obj=target,
        basis=decision.basis,
        changes=["person"],
    )
    return target


@transaction.atomic
def target_register_person(
    *,
    actor,
    target: OutreachTarget,
    person_data: dict,
    consent: dict,
    household_data: dict | None = None,
):
    """The person agreed to be known: register the person (and a household around them), record
    that consent (`consent`: the arguments of cases' `consent_record` — given_on, method,
    agencies, info_kinds …) and link the target. All or nothing. The target's contacts and
    stages stay with the target."""
    from cases.services.persons import consent_record, household_create, person_create

    # Locked: a double submit waits for the first and is then refused, not a second person.
    locked = OutreachTarget.objects.select_for_update().select_related("agency").get(pk=target.pk)
    require(actor, "outreach_target.work", locked)
    if locked.person_id:
        raise ValidationError(_("この対象者はすでに対象者記録とつながっています。"))
    agency = locked.agency if locked.agency_id in policy.care_agency_ids(actor) else None
    person = person_create(actor=actor, data=person_data, agency=agency)
    household = household_create(
        actor=actor, data=household_data or {}, agency=agency, principal=person
    )
    consent_record(actor=actor, person=person, agency=agency, **consent)
    target_link_person(actor=actor, target=locked, person=person)
    target.person, target.version = person, locked.version
    return person, household


@transaction.atomic
def target_record_consultation(
    *, actor, target: OutreachTarget, summary: str, categories: Iterable[str] = (), **extra
):
    """The first consultation after consent, recorded by the outreach agency (route 訪問)."""
    from cases.choices import Route
    from cases.models.intake import ConsultationOutcome, ConsulterKind
    from cases.services.intake import consultation_create

    decision = require(actor, "outreach_target.work", target)
    if target.person_id is None:
        raise ValidationError(_("先に対象者記録を登録してください。"))
    household = target.person.household_links.filter(left_on__isnull=True).first()
    consultation = consultation_create(
        actor=actor,
        agency=target.agency,
        categories=categories,
        route=extra.pop("route", Route.HOME_VISIT),
        consulter_kind=extra.pop("consulter_kind", ConsulterKind.SELF),
        outcome=extra.pop("outcome", ConsultationOutcome.MULTIAGENCY),
        person=target.person,
        household=household.household if household else None,
        summary=summary,
        **extra,
    )
    target.consultation = consultation
    target.save(update_fields=["consultation", "updated_at"])
    record(
        actor=actor,
        action="outreach_target.update",
        obj=target,
        basis=decision.basis,
        changes=["consultation"],
    )
    return consultation


@transaction.atomic
def target_link_case(*, actor, target: OutreachTarget, case) -> OutreachTarget:
    """Link the support case opened for the target's person (the actor must see the case)."""
    require(actor, "case.view", case)
    decision = require(actor, "outreach_target.work", target)
    if target.person_id is None or not case.persons.filter(pk=target.person_id).exists():
        if case.principal_id != target.person_id:
            raise ValidationError({"case": _("この対象者のケースを選んでください。")})
    target.support_case = case
    target.version += 1
    target.save(update_fields=["support_case", "version", "updated_at"])
    record(
        actor=actor,
        action="outreach_target.update",
        obj=target,
        basis=decision.basis,
        changes=["support_case"],
    )
    return target

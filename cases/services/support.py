"""Writes of the 多機関協働 support case: numbering, team, sheets, transitions, notes, handover.

Every function takes keyword arguments and an `actor`, runs in one transaction, asks the policy
and writes an audit row. Status changes go through `_move()`, which checks the transition table
and the two guards that matter legally:

- no 支援実施 without an approved plan;
- no 終結 without a decided evaluation and a named 主担当 (death and moving away excepted: they
  close with their coded reason, `case_close_exceptional`).

Interface used by the meetings app (issue 5): `plan_submit`, `plan_approve`,
`case_send_to_meeting`, `case_request_reassessment`, `evaluation_decide`, with `via_item` an
opaque reference such as "meetings.agendaitem:<uuid>" stored on the CaseTransition.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import jpdates, uploads
from agencies.policy import require
from audit.services import record
from cases import reasons
from cases.choices import ClosureReason
from cases.models import (
    ActivityNote,
    Assessment,
    AssessmentIssue,
    AssessmentRelation,
    CaseHandover,
    CaseNumberSequence,
    CaseTeamMember,
    CaseTransition,
    Consent,
    Evaluation,
    EvaluationItem,
    LeadAgencyHistory,
    Monitoring,
    NoteAttachment,
    Plan,
    PlanItem,
    SupportCase,
    TeamRole,
)

Status = SupportCase.Status
Via = CaseTransition.Via


class EditConflict(Exception):
    """Raised when a sheet changed since the editor loaded it. `current` is the saved version."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            _("他の職員が先にこの内容を更新しました。保存されている内容を確認してください。")
        )


# --- numbering -----------------------------------------------------------------------------------


def support_case_next_number(fiscal_year: int) -> str:
    """The next case number of a fiscal year: R8-0001 for the first case of 令和8年度 (2026).

    Must run inside a transaction (it locks the year's counter row); numbers never repeat, gaps
    are possible if the surrounding transaction rolls back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("support_case_next_number must be called inside transaction.atomic")
    CaseNumberSequence.objects.get_or_create(fiscal_year=fiscal_year)
    seq = CaseNumberSequence.objects.select_for_update().get(fiscal_year=fiscal_year)
    seq.last = F("last") + 1
    seq.save(update_fields=["last"])
    seq.refresh_from_db(fields=["last"])
    era, year = jpdates.era_of(date(fiscal_year, 10, 1))
    return f"{era.letter}{year}-{seq.last:04d}"


# --- transitions ------------------------------------------------------------------------------


def _fresh(case: SupportCase) -> SupportCase:
    """Reload the state fields under a row lock: callers may hold an instance that another
    service (through plan.case, evaluation.case …) has moved on since."""
    SupportCase.objects.select_for_update().filter(pk=case.pk).first()
    case.refresh_from_db(
        fields=[
            "status",
            "status_changed_at",
            "closed_on",
            "closure_reason",
            "lead_agency",
            "coordinator",
            "version",
            "reopen_count",
            "next_monitoring_on",
            "programmes",
        ]
    )
    return case


def _case_consents(case: SupportCase, on: date | None = None):
    """The consents in force of the persons the case is about (else of its household)."""
    persons = list(case.persons.values_list("pk", flat=True))
    if case.principal_id:
        persons.append(case.principal_id)
    qs = Consent.objects.in_force(on)
    if persons:
        return qs.filter(person_id__in=persons)
    return qs.filter(household_id=case.household_id)


def case_has_consent(case: SupportCase, on: date | None = None) -> bool:
    """Consent in force from a person the case is about (or its household): what a
    重層的支援会議 needs. Without it the case goes to a 支援会議 (which needs none)."""
    return _case_consents(case, on).exists()


def agencies_outside_consent(case: SupportCase, agency_ids) -> list[int]:
    """Of these agencies, those that a team row would not let open the case: no consent in
    force names them, and they neither run the case nor lead it (access.sync's rule)."""
    named = set(_case_consents(case).values_list("agencies", flat=True))
    own = {case.coordinating_agency_id, case.lead_agency_id}
    return [a for a in dict.fromkeys(agency_ids) if a not in named and a not in own]


def _has_approved_plan(case: SupportCase) -> bool:
    return case.plans.approved().exists()


def _move(
    case: SupportCase,
    *,
    actor,
    to: str,
    reason: str | reasons.Coded = "",
    decided_on: date | None = None,
    via: str = Via.STAFF,
    via_item: str = "",
    basis: str = "",
) -> CaseTransition:
    """Change the status after the table and the guards; one CaseTransition and one audit row.
    `reason`: what a user typed, or a system-generated reason as a code (cases.reasons)."""
    if not case.can_move_to(to):
        raise ValidationError(
            _("「%(from)s」から「%(to)s」へは変更できません。")
            % {"from": Status(case.status).label, "to": Status(to).label}
        )
    if to == Status.SUPPORTING and not _has_approved_plan(case):
        raise ValidationError(_("承認されたプランがないため、支援実施にできません。"))
    if to in (Status.CLOSED, Status.HANDED_BACK) and case.closure_reason not in (
        ClosureReason.DIED,
        ClosureReason.MOVED,
    ):
        decided = case.evaluations.filter(
            status=Evaluation.Status.DECIDED, lead_agency_after__isnull=False
        )
        if not decided.exists():
            raise ValidationError(_("評価シートの決定と終結後の主担当がないため、終結できません。"))
    if decided_on and decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("決定日(会議日)に未来の日付は指定できません。")})
    transition = CaseTransition.objects.create(
        at=timezone.now(),
        case=case,
        from_status=case.status,
        to_status=to,
        actor=actor,
        **reasons.stored(reason),
        decided_on=decided_on,
        via=via,
        via_item=via_item,
        basis=basis,
    )
    case.status = to
    case.status_changed_at = transition.at
    case.version = F("version") + 1
    case.save(
        update_fields=[
            "status",
            "status_changed_at",
            "version",
            "updated_at",
            "closed_on",
            "closure_reason",
            "closure_note",
            "reopen_count",
            "lead_agency",
        ]
    )
    case.refresh_from_db(fields=["version"])
    record(actor=actor, action="case.transition", obj=case, basis=basis, changes=["status"])
    if to == Status.CLOSED:
        # 気づきシート linked to the case reach 対応終了 for the resident who sent them.
        from cases.services.intake import concern_slips_close_for_case

        concern_slips_close_for_case(case=case, actor=actor)
    return transition


def _decision_via(via_item: str) -> str:
    """Decisions are made by meetings: the agenda item's reference is required (a paper or
    online meeting, 書面開催, is a meeting record too — there is no shortcut on the case)."""
    if not via_item:
        raise ValidationError(
            _(
                "この決定は会議の記録からのみ行えます。重層的支援会議の議題にして、"
                "会議の決定として記録してください。"
            )
        )
    return Via.MEETING


def _require_meeting_date(decided_on) -> None:
    if not decided_on:
        raise ValidationError({"decided_on": _("会議の日付を入力してください。")})


@transaction.atomic
def case_start_assessment(*, case: SupportCase, actor, reason: str = "") -> CaseTransition:
    decision = require(actor, "case.manage", case)
    _fresh(case)
    return _move(case, actor=actor, to=Status.ASSESSMENT, reason=reason, basis=decision.basis)


@transaction.atomic
def case_start_planning(*, case: SupportCase, actor, reason: str = "") -> CaseTransition:
    decision = require(actor, "case.manage", case)
    _fresh(case)
    if not case.assessments.exists():
        raise ValidationError(_("アセスメントシートがないため、プラン作成に進めません。"))
    if case.status == Status.IN_MEETING and case.plans.submitted().exists():
        # Back to プラン作成 with the plan still on the meeting's queue would leave the two
        # saying different things: the way back is the plan's own 「作成中に戻す」.
        raise ValidationError(
            _(
                "会議に提出されたプランがあります。プランの画面の「作成中に戻す」で提出を"
                "取り下げると、ケースもプラン作成に戻ります。"
            )
        )
    return _move(case, actor=actor, to=Status.PLANNING, reason=reason, basis=decision.basis)


@transaction.atomic
def case_send_to_meeting(*, case: SupportCase, actor, reason: str = "") -> CaseTransition:
    """会議付議: the case waits for the 重層的支援会議 (a submitted plan is required)."""
    decision = require(actor, "case.manage", case)
    _fresh(case)
    if not case.plans.submitted().exists():
        raise ValidationError(_("会議に提出されたプランがないため、会議付議にできません。"))
    return _move(case, actor=actor, to=Status.IN_MEETING, reason=reason, basis=decision.basis)


@transaction.atomic
def case_request_reassessment(
    *, case: SupportCase, actor, reason: str | reasons.Coded, decided_on: date, via_item: str = ""
) -> CaseTransition:
    """The meeting (or a recorded decision) sends the case back to assessment; submitted plans
    return to draft so they can be revised. `reason`: the meeting's note, or the decision as a
    coded reason when it has none."""
    decision = require(actor, "case.decide", case)
    via = _decision_via(via_item)
    _fresh(case)
    _require_meeting_date(decided_on)
    if not isinstance(reason, reasons.Coded) and not reason.strip():
        raise ValidationError({"reason": _("再アセスメントの理由を入力してください。")})
    returned = list(case.plans.submitted())
    Plan.objects.filter(pk__in=[p.pk for p in returned]).update(
        status=Plan.Status.DRAFT, lock_version=F("lock_version") + 1
    )
    for plan in returned:
        record(
            actor=actor, action="plan.update", obj=plan, basis=decision.basis, changes=["status"]
        )
    return _move(
        case,
        actor=actor,
        to=Status.ASSESSMENT,
        reason=reason,
        decided_on=decided_on,
        via=via,
        via_item=via_item,
        basis=decision.basis,
    )


@transaction.atomic
def case_close_exceptional(
    *, case: SupportCase, actor, reason: str, closed_on: date, note: str = ""
) -> CaseTransition:
    """Death or moving away closes the case with its coded reason, without an evaluation. The
    household record lives on."""
    decision = require(actor, "case.manage", case)
    _fresh(case)
    if reason not in (ClosureReason.DIED, ClosureReason.MOVED):
        raise ValidationError({"reason": _("この方法で終結できるのは「死亡」「転出」のみです。")})
    if closed_on > timezone.localdate() or closed_on < case.opened_on:
        raise ValidationError(
            {"closed_on": _("終結日は受付日以降、今日までの日付にしてください。")}
        )
    case.closure_reason = reason
    case.closed_on = closed_on
    case.closure_note = note
    case.next_monitoring_on = None
    Plan.objects.filter(case=case, next_monitoring_on__isnull=False).update(next_monitoring_on=None)
    SupportCase.objects.filter(pk=case.pk).update(next_monitoring_on=None)
    return _move(
        case,
        actor=actor,
        to=Status.CLOSED,
        reason=note or reasons.closure(reason),
        basis=decision.basis,
    )


FOLLOWUP_DAYS = 90


def _clear_monitoring_and_set_followup(case: SupportCase, *, on: date) -> None:
    """終結: no monitoring is due any more (the case's and its plans' next dates are cleared) and
    a post-closure check (見守り継続) is set for the 主担当: a date, and what to check. The
    reminder rule `post_closure_check` fires once on that date (notifications app)."""
    case.next_monitoring_on = None
    Plan.objects.filter(case=case, next_monitoring_on__isnull=False).update(next_monitoring_on=None)
    case.followup_on = on + timedelta(days=FOLLOWUP_DAYS)
    case.followup_note = _("主担当機関での支援の継続と生活の安定を確認する")
    SupportCase.objects.filter(pk=case.pk).update(
        next_monitoring_on=None, followup_on=case.followup_on, followup_note=case.followup_note
    )


@transaction.atomic
def case_reopen(*, case: SupportCase, actor, reason: str) -> CaseTransition:
    """Re-opening keeps every sheet, note and transition; the case starts again at assessment.
    Allowed to those who manage the case and to the 主担当 (care staff of the lead agency);
    the post-closure check is cleared."""
    decision = require(actor, "case.reopen", case)
    _fresh(case)
    if not reason.strip():
        raise ValidationError({"reason": _("再開の理由を入力してください。")})
    case.reopen_count += 1
    case.closed_on = None
    case.closure_reason = ""
    SupportCase.objects.filter(pk=case.pk).update(followup_on=None, followup_note="")
    return _move(case, actor=actor, to=Status.ASSESSMENT, reason=reason, basis=decision.basis)


# --- the case and its team --------------------------------------------------------------------


def _set_lead(
    case: SupportCase, *, agency, on: date, actor, reason: str | reasons.Coded = ""
) -> None:
    current = case.lead_history.filter(ended_on__isnull=True).first()
    if current and current.agency_id == agency.pk:
        return
    if current:
        current.ended_on = max(on, current.started_on)
        current.save(update_fields=["ended_on"])
    LeadAgencyHistory.objects.create(
        created_at=timezone.now(),
        case=case,
        agency=agency,
        started_on=on,
        **reasons.stored(reason, max_length=200),
        set_by=actor,
    )
    case.lead_agency = agency
    if not case.team.current().filter(agency=agency).exists():
        CaseTeamMember.objects.create(
            case=case, agency=agency, role=TeamRole.LEAD, joined_on=on, added_by=actor
        )
    else:
        case.team.current().filter(agency=agency, role=TeamRole.SUPPORT).update(role=TeamRole.LEAD)


@transaction.atomic
def case_create(
    *,
    actor,
    household,
    coordinating_agency,
    principal=None,
    persons=(),
    lead_agency=None,
    coordinator=None,
    opened_on: date | None = None,
    summary: str = "",
    programmes=None,
    referral=None,
    previous_case=None,
) -> SupportCase:
    """Open a case at a 多機関協働 body: numbered per fiscal year, the body on the team as
    coordinator, the lead agency (default: the body) with its first history row. A referral passed
    in is linked to the case (referral_accept calls this).

    Refused for a 本人 who has died (on or before the opening date). `previous_case` links a
    closed case of the same household the actor sees (前の支援 ↔ 次の支援: the survivor's case
    after a death)."""
    decision = require(actor, "case.create", coordinating_agency)
    if referral is None:
        from cases.policy.persons import household_access

        if not household_access(actor, household).allowed:
            raise ValidationError(
                {"household": _("この世帯を閲覧する権限がないため、ケースを登録できません。")}
            )
    member_ids = set(household.members.values_list("person_id", flat=True))
    if any(p.pk not in member_ids for p in [*persons, *([principal] if principal else [])]):
        raise ValidationError({"persons": _("対象者はこの世帯の世帯員から選んでください。")})
    opened_on = opened_on or timezone.localdate()
    if principal is not None and principal.is_deceased_on(opened_on):
        raise ValidationError(
            {
                "principal": _(
                    "亡くなった方(死亡日 %(date)s)を本人とする新しいケースは登録できません。"
                    "遺された家族の支援は、その方を本人として登録し、前の支援に終結したケースを選んでください。"
                )
                % {"date": jpdates.format_date(principal.deceased_on)}
            }
        )
    if previous_case is not None:
        from agencies.policy import can

        if (
            previous_case.household_id != household.pk
            or previous_case.is_open
            or not can(actor, "case.view", previous_case)
        ):
            raise ValidationError(
                {
                    "previous_case": _(
                        "前の支援には、同じ世帯の終結したケース(閲覧できるもの)を選んでください。"
                    )
                }
            )
    fy = jpdates.fiscal_year(opened_on)
    coordinator = coordinator or actor
    lead_agency = lead_agency or coordinating_agency
    case = SupportCase.objects.create(
        created_at=timezone.now(),
        status_changed_at=timezone.now(),
        number=support_case_next_number(fy),
        fiscal_year=fy,
        household=household,
        principal=principal,
        coordinating_agency=coordinating_agency,
        lead_agency=lead_agency,
        coordinator=coordinator,
        previous_case=previous_case,
        opened_on=opened_on,
        summary=summary,
        programmes=list(programmes or ["multiagency"]),
        created_by=actor,
    )
    member_ids = {p.pk for p in persons}
    if principal is not None:
        member_ids.add(principal.pk)
    case.persons.set(member_ids)
    CaseTeamMember.objects.create(
        case=case,
        agency=coordinating_agency,
        user=coordinator,
        role=TeamRole.COORDINATOR,
        joined_on=opened_on,
        added_by=actor,
    )
    LeadAgencyHistory.objects.create(
        created_at=timezone.now(),
        case=case,
        agency=lead_agency,
        started_on=opened_on,
        **reasons.stored(reasons.coded("lead_at_intake"), max_length=200),
        set_by=actor,
    )
    if lead_agency.pk != coordinating_agency.pk:
        CaseTeamMember.objects.create(
            case=case, agency=lead_agency, role=TeamRole.LEAD, joined_on=opened_on, added_by=actor
        )
    if referral is not None and getattr(referral, "case_id", None) is None:
        referral.case = case
        referral.save(update_fields=["case"])
        if referral.from_agency_id not in {coordinating_agency.pk, lead_agency.pk}:
            CaseTeamMember.objects.create(
                case=case,
                agency_id=referral.from_agency_id,
                user_id=referral.from_worker_id,
                role=TeamRole.SUPPORT,
                duties=_("つなぎ元"),
                joined_on=opened_on,
                added_by=actor,
            )
    record(actor=actor, action="case.create", obj=case, basis=decision.basis)
    return case


@transaction.atomic
def case_update(
    *, case: SupportCase, actor, summary: str, programmes: list[str], persons
) -> SupportCase:
    decision = require(actor, "case.manage", case)
    _fresh(case)
    case.summary = summary
    case.programmes = list(programmes)
    case.save(update_fields=["summary", "programmes", "updated_at"])
    ids = {p.pk for p in persons}
    if case.principal_id:
        ids.add(case.principal_id)
    case.persons.set(ids)
    record(
        actor=actor,
        action="case.update",
        obj=case,
        basis=decision.basis,
        changes=["summary", "programmes", "persons"],
    )
    return case


@transaction.atomic
def case_set_lead_agency(
    *, case: SupportCase, actor, agency, on: date | None = None, reason: str = ""
) -> SupportCase:
    decision = require(actor, "case.manage", case)
    _fresh(case)
    _set_lead(case, agency=agency, on=on or timezone.localdate(), actor=actor, reason=reason)
    case.save(update_fields=["lead_agency", "updated_at"])
    record(
        actor=actor, action="case.update", obj=case, basis=decision.basis, changes=["lead_agency"]
    )
    return case


@transaction.atomic
def team_add(
    *,
    case: SupportCase,
    actor,
    agency,
    user=None,
    role: str = TeamRole.SUPPORT,
    duties: str = "",
    joined_on: date | None = None,
) -> CaseTeamMember:
    decision = require(actor, "team.manage", case)
    _fresh(case)
    if user is not None and agency.pk not in user.agency_ids():
        raise ValidationError(
            {"user": _("担当者はその機関に現在所属している職員を選んでください。")}
        )
    member = CaseTeamMember(
        case=case,
        agency=agency,
        user=user,
        role=role,
        duties=duties,
        joined_on=joined_on or timezone.localdate(),
        added_by=actor,
    )
    # A row is who works on the case from that day: a join not yet happened would show nowhere
    # on the team page and escape the check below. Planned moves go through caseload_handover.
    jpdates.no_future_dates(member, "joined_on")
    if case.team.current().filter(agency=agency, user=user).exists():
        raise ValidationError(_("この機関・担当者はすでに支援チームに入っています。"))
    member.save()
    record(actor=actor, action="team.create", obj=member, basis=decision.basis)
    return member


@transaction.atomic
def team_leave(
    *, member: CaseTeamMember, actor, left_on: date | None = None, note: str = ""
) -> CaseTeamMember:
    decision = require(actor, "team.manage", member.case)
    left_on = left_on or timezone.localdate()
    if member.left_on is not None:
        raise ValidationError(_("この担当はすでに支援チームを離れています。"))
    if (
        member.agency_id == member.case.coordinating_agency_id
        and member.role == TeamRole.COORDINATOR
        and not (
            member.case.team.current()
            .filter(agency_id=member.agency_id)
            .exclude(pk=member.pk)
            .exists()
        )
    ):
        raise ValidationError(
            _(
                "多機関協働の実施機関は支援チームから外せません。担当者の交代は引継ぎで行ってください。"
            )
        )
    if left_on < member.joined_on:
        raise ValidationError({"left_on": _("離脱日は参加日以降の日付にしてください。")})
    member.left_on = left_on
    member.left_note = note
    member.save(update_fields=["left_on", "left_note"])
    record(actor=actor, action="team.update", obj=member, basis=decision.basis, changes=["left_on"])
    return member


# --- optimistic locking -------------------------------------------------------------------------


def _locked_save(obj, *, expected: int, fields: dict) -> None:
    """Conditional UPDATE on lock_version: nothing is written if someone saved in between."""
    model = type(obj)
    now = timezone.now()
    updated = model.objects.filter(pk=obj.pk, lock_version=expected).update(
        **fields, lock_version=F("lock_version") + 1, updated_at=now
    )
    if updated != 1:
        raise EditConflict(model.objects.get(pk=obj.pk))
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.lock_version = expected + 1
    obj.updated_at = now


def _check_members(case: SupportCase, persons) -> None:
    member_ids = set(case.household.members.values_list("person_id", flat=True))
    if any(p is not None and p.pk not in member_ids for p in persons):
        raise ValidationError(_("対象者はこの世帯の世帯員から選んでください。"))


def _changed(obj, data: dict) -> list[str]:
    return [name for name, value in data.items() if getattr(obj, name) != value]


# --- assessment ---------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(*, case: SupportCase, actor, agency=None) -> Assessment:
    """A new version of the インテーク・アセスメントシート. The previous version becomes read-only
    and its content (with the issue checklist and social relations) is carried over. A case still at
    受付 moves to アセスメント."""
    decision = require(actor, "assessment.edit", case)
    _fresh(case)
    agency = agency or _acting_agency(actor, case)
    previous = case.assessments.select_for_update().filter(superseded_at__isnull=True).first()
    number = (case.assessments.aggregate(m=Max("number"))["m"] or 0) + 1
    if previous is not None:
        values = {
            name: getattr(previous, name)
            for name in Assessment.CONTENT_FIELDS
            if name != "principal"
        }
        values.update(assessed_on=timezone.localdate(), principal_id=previous.principal_id)
        previous.superseded_at = timezone.now()
        previous.save(update_fields=["superseded_at"])
    else:
        values = {"principal_id": case.principal_id, "assessed_on": timezone.localdate()}
    values.update(created_at=timezone.now(), updated_at=timezone.now())
    assessment = Assessment.objects.create(
        case=case, number=number, author=actor, agency=agency, **values
    )
    if previous is not None:
        AssessmentIssue.objects.bulk_create(
            AssessmentIssue(
                assessment=assessment, person_id=i.person_id, category=i.category, note=i.note
            )
            for i in previous.issues.all()
        )
        AssessmentRelation.objects.bulk_create(
            AssessmentRelation(
                assessment=assessment,
                kind=r.kind,
                label=r.label,
                agency_id=r.agency_id,
                strength=r.strength,
                note=r.note,
            )
            for r in previous.relations.all()
        )
    if case.status == Status.RECEIVED:
        _move(
            case,
            actor=actor,
            to=Status.ASSESSMENT,
            reason=reasons.coded("assessment_started"),
            basis=decision.basis,
        )
    record(actor=actor, action="assessment.create", obj=assessment, basis=decision.basis)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    assessment: Assessment,
    actor,
    data: dict,
    lock_version: int,
    issues: list[dict] | None = None,
    relations: list[dict] | None = None,
) -> Assessment:
    """Save the current version. Older versions are read-only; a stale `lock_version` raises
    EditConflict and writes nothing."""
    decision = require(actor, "assessment.edit", assessment)
    if not assessment.is_current:
        raise ValidationError(
            _("旧版のアセスメントは編集できません。再アセスメントで新しい版を作成してください。")
        )
    data = {k: v for k, v in data.items() if k in Assessment.CONTENT_FIELDS}
    _check_members(
        assessment.case, [data.get("principal")] + [r.get("person") for r in issues or []]
    )
    if "principal" in data:
        principal = data.pop("principal")
        data["principal_id"] = principal.pk if principal else None
    changes = _changed(assessment, data)
    _locked_save(assessment, expected=lock_version, fields=data)
    if issues is not None:
        assessment.issues.all().delete()
        seen = set()
        rows = []
        for row in issues:
            key = (row.get("person").pk if row.get("person") else None, row["category"])
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                AssessmentIssue(
                    assessment=assessment,
                    person=row.get("person"),
                    category=row["category"],
                    note=row.get("note", ""),
                )
            )
        AssessmentIssue.objects.bulk_create(rows)
        changes.append("issues")
    if relations is not None:
        assessment.relations.all().delete()
        AssessmentRelation.objects.bulk_create(
            AssessmentRelation(
                assessment=assessment,
                kind=r["kind"],
                label=r["label"],
                agency=r.get("agency"),
                strength=r.get("strength") or AssessmentRelation.Strength.NORMAL,
                note=r.get("note", ""),
            )
            for r in relations
        )
        changes.append("relations")
    record(
        actor=actor,
        action="assessment.update",
        obj=assessment,
        basis=decision.basis,
        changes=changes,
    )
    return assessment


# --- plan ---------------------------------------------------------------------------------------


def _acting_agency(actor, case: SupportCase):
    """The agency the actor works for on this case: a team agency they belong to, else their first."""
    from agencies.models import Agency

    mine = actor.agency_ids()
    for agency_id in (case.coordinating_agency_id, case.lead_agency_id):
        if agency_id in mine:
            return Agency.objects.get(pk=agency_id)
    team = case.team.current().filter(agency_id__in=mine).select_related("agency").first()
    if team is not None:
        return team.agency
    memberships = actor.current_memberships()
    if not memberships:
        raise ValidationError(_("現在の所属がないため記録できません。"))
    return memberships[0].agency


@transaction.atomic
def plan_create(*, case: SupportCase, actor, programme: str = "multiagency") -> Plan:
    """A new draft version of the プランシート for a programme, copying the latest plan of that
    programme (items included). A case at アセスメント or 再プラン moves to プラン作成."""
    decision = require(actor, "plan.edit", case)
    _fresh(case)
    if programme not in Plan.PROGRAMMES:
        raise ValidationError({"programme": _("プランの事業が正しくありません。")})
    if case.plans.filter(
        programme=programme, status__in=[Plan.Status.DRAFT, Plan.Status.SUBMITTED]
    ).exists():
        raise ValidationError(
            _("この事業には作成中または提出済みのプランがあります。そのプランを編集してください。")
        )
    previous = (
        case.plans.filter(programme=programme)
        .exclude(status=Plan.Status.SUPERSEDED)
        .order_by("-number")
        .first()
    )
    number = (case.plans.aggregate(m=Max("number"))["m"] or 0) + 1
    values = {name: getattr(previous, name) for name in Plan.CONTENT_FIELDS} if previous else {}
    values.update(programme=programme, drafted_on=timezone.localdate())
    assessment = case.assessments.filter(superseded_at__isnull=True).first()
    plan = Plan.objects.create(
        created_at=timezone.now(),
        updated_at=timezone.now(),
        case=case,
        number=number,
        author=actor,
        agency=_acting_agency(actor, case),
        assessment=assessment,
        **values,
    )
    if previous is not None:
        PlanItem.objects.bulk_create(
            PlanItem(
                plan=plan,
                order=i.order,
                person_id=i.person_id,
                category=i.category,
                issue=i.issue,
                goal=i.goal,
                action=i.action,
                agency_id=i.agency_id,
                staff_id=i.staff_id,
                frequency=i.frequency,
                due_on=i.due_on,
                via_item=i.via_item,
                via_label=i.via_label,
            )
            for i in previous.items.all()
        )
    if case.status in (Status.ASSESSMENT, Status.REPLAN):
        if not case.assessments.exists():
            raise ValidationError(_("アセスメントシートがないため、プランを作成できません。"))
        _move(
            case,
            actor=actor,
            to=Status.PLANNING,
            reason=reasons.coded("planning_started"),
            basis=decision.basis,
        )
    record(actor=actor, action="plan.create", obj=plan, basis=decision.basis)
    return plan


ITEM_FIELDS = (
    "order",
    "person",
    "category",
    "issue",
    "goal",
    "action",
    "agency",
    "staff",
    "frequency",
    "due_on",
)


def _item_values(row: dict, order: int) -> dict:
    """PlanItem field values from a row (form, API or meeting role): blanks normalised."""
    values = {k: row.get(k) for k in ITEM_FIELDS if k in row}
    values["order"] = row.get("order") or order
    for text in ("category", "frequency"):
        values[text] = values.get(text) or ""
    return values


def _item_add(plan: Plan, row: dict, order: int, **extra) -> PlanItem:
    return PlanItem.objects.create(plan=plan, **_item_values(row, order), **extra)


def _check_plan_dates(plan: Plan, data: dict, items: list[dict] | None) -> None:
    """The plan's dates in order, after the change: the period ends on or after its start, and
    the next monitoring date and every item's 期限 fall on or after the start (a plan may be
    back-dated: the start may be in the past, nothing may come before it).

    Errors name the field; an item's as "items.<n>.due_on", n its index in `items` (the API's
    list, the HTML form's kept rows: `forms_support.apply_sheet_errors`). Without `items`, the
    saved items are checked and a start after one of their 期限 is refused at the start."""
    start = data.get("period_start", plan.period_start)
    if start is None:
        return
    on_or_after = _("%(label)sは支援期間の開始日(%(date)s)以降の日付にしてください。")
    errors: dict[str, list[str]] = {}
    end = data.get("period_end", plan.period_end)
    if end is not None and end < start:
        errors["period_end"] = [_("支援期間の終了は開始以降の日付にしてください。")]
    next_on = data.get("next_monitoring_on", plan.next_monitoring_on)
    if next_on is not None and next_on < start:
        errors["next_monitoring_on"] = [
            on_or_after
            % {
                "label": Plan._meta.get_field("next_monitoring_on").verbose_name,
                "date": jpdates.format_date(start),
            }
        ]
    due_label = PlanItem._meta.get_field("due_on").verbose_name
    if items is not None:
        for index, row in enumerate(items):
            due = row.get("due_on")
            if due is not None and due < start:
                errors[f"items.{index}.due_on"] = [
                    on_or_after % {"label": due_label, "date": jpdates.format_date(start)}
                ]
    elif "period_start" in data:
        earliest = plan.items.filter(due_on__isnull=False).aggregate(m=Min("due_on"))["m"]
        if earliest is not None and earliest < start:
            errors["period_start"] = [
                _("支援期間の開始日は、項目の%(label)sで最も早い日(%(date)s)以前にしてください。")
                % {"label": due_label, "date": jpdates.format_date(earliest)}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_update(
    *, plan: Plan, actor, data: dict, lock_version: int, items: list[dict] | None = None
) -> Plan:
    """Save a draft plan and (when given) its items: rows with an `id` are updated, rows without
    are added, rows missing from the list are removed. Dates out of order are refused
    (`_check_plan_dates`) and nothing is saved."""
    decision = require(actor, "plan.edit", plan)
    if not plan.is_editable:
        raise ValidationError(
            _("作成中のプランのみ編集できます(提出・承認後は新しい版を作成してください)。")
        )
    data = {k: v for k, v in data.items() if k in Plan.CONTENT_FIELDS}
    _check_members(plan.case, [r.get("person") for r in items or []])
    _check_plan_dates(plan, data, items)
    changes = _changed(plan, data)
    _locked_save(plan, expected=lock_version, fields=data)
    if items is not None:
        keep = []
        for order, row in enumerate(items, start=1):
            item_id = row.get("id")
            if item_id:
                values = _item_values(row, order)
                updated = PlanItem.objects.filter(pk=item_id, plan=plan).update(**values)
                if not updated:
                    raise ValidationError(
                        _("プランの項目が見つかりません。画面を開き直してください。")
                    )
                keep.append(item_id)
            else:
                keep.append(_item_add(plan, row, order).pk)
        plan.items.exclude(pk__in=keep).delete()
        changes.append("items")
    record(actor=actor, action="plan.update", obj=plan, basis=decision.basis, changes=changes)
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, actor) -> Plan:
    """Submit a draft plan for the 重層的支援会議 (it enters the agenda queue,
    `Plan.objects.submitted()`); the case moves to 会議付議 when it can."""
    decision = require(actor, "plan.submit", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("作成中のプランのみ提出できます。"))
    missing = [
        str(Plan._meta.get_field(f).verbose_name)
        for f in ("overall_goal", "period_start", "period_end")
        if not getattr(plan, f)
    ]
    if missing:
        raise ValidationError(
            _("提出する前に次の項目を入力してください: %(fields)s") % {"fields": "、".join(missing)}
        )
    if not plan.items.exists():
        raise ValidationError(
            _("プランの項目(課題・目標・支援内容・担当機関)を1つ以上入力してください。")
        )
    if not case_has_consent(plan.case):
        # The plan goes to a 重層的支援会議, which takes consented cases only: say so now rather
        # than leave the case in 会議付議 with no meeting it can go to.
        raise ValidationError(
            _(
                "本人同意が確認できないため、プランを重層的支援会議に提出できません。"
                "同意を得るか、ケース画面の「会議に付議」から支援会議に付議して"
                "見守り・アウトリーチ方針を決めてください。"
            )
        )
    outside = agencies_outside_consent(plan.case, plan.items.values_list("agency_id", flat=True))
    if outside:
        # Approval puts every item's agency on the team; one the consent does not name would
        # be given work on a case it cannot open.
        from agencies.models import Agency

        names = Agency.objects.filter(pk__in=outside).order_by("kana", "pk")
        raise ValidationError(
            _(
                "本人同意の共有先に含まれていない担当機関があります: %(names)s。"
                "この機関はケースを開けないため、本人同意に共有先を加えてから提出してください。"
            )
            % {"names": "、".join(a.name for a in names)}
        )
    plan.status = Plan.Status.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = actor
    plan.lock_version += 1
    plan.save(update_fields=["status", "submitted_at", "submitted_by", "lock_version"])
    case = plan.case
    if case.status in (Status.PLANNING, Status.REPLAN):
        _move(
            case,
            actor=actor,
            to=Status.IN_MEETING,
            reason=reasons.coded("plan_submitted"),
            basis=decision.basis,
        )
    record(actor=actor, action="plan.submit", obj=plan, basis=decision.basis, changes=["status"])
    return plan


@transaction.atomic
def plan_return(*, plan: Plan, actor, reason: str) -> Plan:
    """A submitted plan goes back to draft (withdrawn before the meeting or sent back by it)."""
    decision = require(actor, "plan.submit", plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise ValidationError(_("提出済みのプランのみ差し戻せます。"))
    if not reason.strip():
        raise ValidationError({"reason": _("差し戻しの理由を入力してください。")})
    plan.status = Plan.Status.DRAFT
    plan.decision_note = reason
    plan.lock_version += 1
    plan.save(update_fields=["status", "decision_note", "lock_version"])
    case = plan.case
    if case.status == Status.IN_MEETING:
        _move(case, actor=actor, to=Status.PLANNING, reason=reason, basis=decision.basis)
    record(actor=actor, action="plan.update", obj=plan, basis=decision.basis, changes=["status"])
    return plan


def _join_item_agencies(case: SupportCase, pairs, *, on: date, actor) -> None:
    """Every agency responsible for an item of an approved plan is on the team from the
    decision on. `pairs`: (agency_id, staff_id) of the items."""
    on_team = set(case.team.current().values_list("agency_id", flat=True))
    for agency_id, staff_id in pairs:
        if agency_id not in on_team:
            CaseTeamMember.objects.create(
                case=case,
                agency_id=agency_id,
                user_id=staff_id,
                role=TeamRole.SUPPORT,
                joined_on=on,
                added_by=actor,
            )
            on_team.add(agency_id)


@transaction.atomic
def plan_approve(
    *, plan: Plan, actor, decided_on: date, with_changes: str = "", via_item: str = ""
) -> Plan:
    """Record the meeting's approval (支援決定): the plan becomes approved, the previous approved
    plan of the programme superseded, and the case moves to 支援実施.

    Only as the decision of a meeting: `via_item` (the agenda item's reference) is required;
    there is no approval outside a meeting record, and a 書面開催 is a meeting record too."""
    decision = require(actor, "plan.approve", plan)
    via = _decision_via(via_item)
    _require_meeting_date(decided_on)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.SUBMITTED:
        raise ValidationError(_("会議に提出されたプランのみ承認できます。"))
    now = timezone.now()
    superseded = plan.case.plans.filter(programme=plan.programme, status=Plan.Status.APPROVED)
    superseded.update(status=Plan.Status.SUPERSEDED, superseded_at=now)
    plan.status = Plan.Status.APPROVED
    plan.meeting_on = decided_on
    plan.decision_note = with_changes
    plan.approved_by = actor
    plan.approved_at = now
    plan.lock_version += 1
    plan.save(
        update_fields=[
            "status",
            "meeting_on",
            "decision_note",
            "approved_by",
            "approved_at",
            "lock_version",
        ]
    )
    case = plan.case
    _join_item_agencies(
        case, plan.items.values_list("agency_id", "staff_id").distinct(), on=decided_on, actor=actor
    )
    if plan.programme not in case.programmes:
        case.programmes = [*case.programmes, plan.programme]
    case.next_monitoring_on = plan.next_monitoring_on
    case.save(update_fields=["programmes", "next_monitoring_on"])
    if case.status != Status.SUPPORTING:
        _move(
            case,
            actor=actor,
            to=Status.SUPPORTING,
            reason=reasons.plan_approved(plan.number, with_changes),
            decided_on=decided_on,
            via=via,
            via_item=via_item,
            basis=decision.basis,
        )
    record(actor=actor, action="plan.approve", obj=plan, basis=decision.basis, changes=["status"])
    return plan


def plan_for_assignments(case: SupportCase, *, preferred: Plan | None = None) -> Plan | None:
    """The approved plan a meeting's role assignments join: `preferred` (the plan just approved,
    or the one an evaluation looked at) while it is approved, else the case's latest approved
    plan; None when the case has none (the assignments are then followed as tasks)."""
    if preferred is not None:
        preferred = Plan.objects.filter(pk=preferred.pk, status=Plan.Status.APPROVED).first()
        if preferred is not None:
            return preferred
    return case.plans.approved().order_by("-number").first()


@transaction.atomic
def plan_item_add_from_assignment(
    *,
    plan: Plan,
    actor,
    agency,
    action: str,
    staff=None,
    due_on: date | None = None,
    issue: str = "",
    goal: str = "",
    decided_on: date,
    via_item: str,
    via_label: str = "",
) -> PlanItem:
    """Add a row to an approved plan from a role assignment agreed at a meeting (役割分担):
    the meeting's decision amends the plan it approved or follows, so no new version is made.

    Only what a meeting decides: `via_item` (the agenda item's reference) is required and the
    actor must be one who records meeting decisions on the case. The responsible agency joins
    the case team as for plan approval. Runs inside the decision's transaction: if the decision
    fails later, the row goes too.
    """
    decision = require(actor, "case.decide", plan)
    _require_meeting_date(decided_on)
    if not via_item:
        raise ValidationError(_("会議の決定によらないプランの変更は、新しい版で行ってください。"))
    plan = Plan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if plan.status != Plan.Status.APPROVED:
        raise ValidationError(_("承認済みのプランにのみ会議の役割分担を追加できます。"))
    if not (action or "").strip() or agency is None:
        raise ValidationError({"roles": _("役割分担は担当機関と内容を入力してください。")})
    action = action.strip()
    order = (plan.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = _item_add(
        plan,
        {
            "issue": (issue or action)[:300],
            "goal": (goal or action)[:300],
            "action": action,
            "agency": agency,
            "staff": staff,
            "due_on": due_on,
        },
        order,
        via_item=via_item,
        via_label=via_label[:150],
    )
    _join_item_agencies(plan.case, [(item.agency_id, item.staff_id)], on=decided_on, actor=actor)
    plan.lock_version += 1
    plan.updated_at = timezone.now()
    plan.save(update_fields=["lock_version", "updated_at"])
    record(
        actor=actor,
        action="planitem.create",
        obj=item,
        basis=decision.basis,
        changes=["plan", "agency", "staff", "action", "due_on", "via_item"],
    )
    return item


# --- monitoring ---------------------------------------------------------------------------------


def _refresh_next_monitoring(case: SupportCase) -> None:
    """Next date per approved plan = the earliest of each item's latest planned date."""
    dates = []
    for plan in case.plans.approved().prefetch_related("items__monitorings"):
        item_dates = []
        for item in plan.items.all():
            latest = item.monitorings.all()[:1]
            if latest and latest[0].next_on:
                item_dates.append(latest[0].next_on)
        plan_next = min(item_dates) if item_dates else plan.next_monitoring_on
        if plan_next != plan.next_monitoring_on:
            Plan.objects.filter(pk=plan.pk).update(next_monitoring_on=plan_next)
        if plan_next:
            dates.append(plan_next)
    case.next_monitoring_on = min(dates) if dates else None
    SupportCase.objects.filter(pk=case.pk).update(next_monitoring_on=case.next_monitoring_on)


@transaction.atomic
def monitoring_record(
    *,
    item: PlanItem,
    actor,
    progress: str,
    note: str = "",
    next_on: date | None = None,
    monitored_on: date | None = None,
) -> Monitoring:
    decision = require(actor, "monitoring.create", item)
    if item.plan.status != Plan.Status.APPROVED:
        raise ValidationError(_("承認されたプランの項目のみモニタリングできます。"))
    monitored_on = monitored_on or timezone.localdate()
    if monitored_on > timezone.localdate():
        raise ValidationError({"monitored_on": _("モニタリング日に未来の日付は指定できません。")})
    if next_on and next_on <= monitored_on:
        raise ValidationError(
            {"next_on": _("次回予定日はモニタリング日より後の日付にしてください。")}
        )
    case = item.plan.case
    entry = Monitoring.objects.create(
        created_at=timezone.now(),
        item=item,
        monitored_on=monitored_on,
        progress=progress,
        note=note,
        next_on=next_on,
        author=actor,
        agency=_acting_agency(actor, case),
    )
    _refresh_next_monitoring(case)
    record(actor=actor, action="monitoring.create", obj=entry, basis=decision.basis)
    return entry


# --- evaluation ---------------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(*, case: SupportCase, actor, plan: Plan | None = None) -> Evaluation:
    """A new 評価シート for the approved plan, one row per plan item; a case in 支援実施 moves to 評価."""
    decision = require(actor, "evaluation.edit", case)
    _fresh(case)
    plan = (
        plan
        or case.plans.approved().filter(programme="multiagency").first()
        or case.plans.approved().first()
    )
    if plan is None or plan.status != Plan.Status.APPROVED:
        raise ValidationError(_("承認されたプランがないため、評価シートを作成できません。"))
    if case.evaluations.exclude(status=Evaluation.Status.DECIDED).exists():
        raise ValidationError(_("決定前の評価シートがあります。そちらを編集してください。"))
    number = (case.evaluations.aggregate(m=Max("number"))["m"] or 0) + 1
    evaluation = Evaluation.objects.create(
        case=case,
        plan=plan,
        number=number,
        author=actor,
        agency=_acting_agency(actor, case),
        evaluated_on=timezone.localdate(),
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    EvaluationItem.objects.bulk_create(
        EvaluationItem(evaluation=evaluation, plan_item=i) for i in plan.items.all()
    )
    if case.status == Status.SUPPORTING:
        _move(
            case,
            actor=actor,
            to=Status.EVALUATION,
            reason=reasons.coded("evaluation_started"),
            basis=decision.basis,
        )
    record(actor=actor, action="evaluation.create", obj=evaluation, basis=decision.basis)
    return evaluation


def _check_evaluation_date(evaluation: Evaluation, evaluated_on: date | None) -> None:
    """An evaluation looks back on the plan as approved and monitored: its date is on or after
    the plan's approval (the meeting's date) and the plan's latest monitoring. The message names
    the later of the two, the first date that would be accepted."""
    if evaluated_on is None:
        return
    plan = evaluation.plan
    approved_on = plan.meeting_on or (
        timezone.localdate(plan.approved_at) if plan.approved_at else None
    )
    monitored_on = Monitoring.objects.filter(item__plan=plan).aggregate(m=Max("monitored_on"))["m"]
    if monitored_on is not None and (approved_on is None or monitored_on > approved_on):
        bound = monitored_on
        message = _("評価日は最後のモニタリング日(%(date)s)以降の日付にしてください。")
    else:
        bound = approved_on
        message = _("評価日はプランの承認日(%(date)s)以降の日付にしてください。")
    if bound is not None and evaluated_on < bound:
        raise ValidationError({"evaluated_on": message % {"date": jpdates.format_date(bound)}})


@transaction.atomic
def evaluation_update(
    *, evaluation: Evaluation, actor, data: dict, lock_version: int, items: list[dict] | None = None
) -> Evaluation:
    decision = require(actor, "evaluation.edit", evaluation)
    if not evaluation.is_editable:
        raise ValidationError(_("作成中の評価シートのみ編集できます。"))
    data = {k: v for k, v in data.items() if k in Evaluation.CONTENT_FIELDS}
    _check_evaluation_date(evaluation, data.get("evaluated_on", evaluation.evaluated_on))
    if "proposed_lead_agency" in data:
        agency = data.pop("proposed_lead_agency")
        data["proposed_lead_agency_id"] = agency.pk if agency else None
    changes = _changed(evaluation, data)
    _locked_save(evaluation, expected=lock_version, fields=data)
    if items is not None:
        for row in items:
            evaluation.items.filter(pk=row["id"]).update(
                achievement=row.get("achievement") or "", note=row.get("note") or ""
            )
        changes.append("items")
    record(
        actor=actor,
        action="evaluation.update",
        obj=evaluation,
        basis=decision.basis,
        changes=changes,
    )
    return evaluation


@transaction.atomic
def evaluation_ready(*, evaluation: Evaluation, actor) -> Evaluation:
    """Hand the evaluation to the meeting (it enters `Evaluation.objects.ready()`)."""
    decision = require(actor, "evaluation.ready", evaluation)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != Evaluation.Status.DRAFT:
        raise ValidationError(_("作成中の評価シートのみ会議に提出できます。"))
    if evaluation.items.filter(achievement="").exists():
        raise ValidationError(_("すべての項目の達成度を入力してください。"))
    if not evaluation.overall.strip() or not evaluation.proposed_decision:
        raise ValidationError(_("総合評価と提案する方針を入力してください。"))
    evaluation.status = Evaluation.Status.READY
    evaluation.lock_version += 1
    evaluation.save(update_fields=["status", "lock_version"])
    record(
        actor=actor,
        action="evaluation.ready",
        obj=evaluation,
        basis=decision.basis,
        changes=["status"],
    )
    return evaluation


@transaction.atomic
def evaluation_decide(
    *,
    evaluation: Evaluation,
    actor,
    decided_on: date,
    decision: str,
    lead_agency=None,
    closure_reason=None,
    via_item: str = "",
) -> Evaluation:
    """Record the meeting's decision on an evaluation:

    - 終結 (close): requires the 主担当 for afterwards; the case closes with the reason
      (default 課題の整理・役割分担の合意);
    - つなぎもどし (hand_back): requires the agency the case goes back to, which becomes 主担当;
    - 継続 (continue): back to 支援実施 under the approved plan;
    - 再プラン (replan): the case moves to 再プラン; a new plan version follows.
    """
    basis = require(actor, "evaluation.decide", evaluation).basis
    via = _decision_via(via_item)
    _require_meeting_date(decided_on)
    evaluation = Evaluation.objects.select_for_update().select_related("case").get(pk=evaluation.pk)
    if evaluation.status != Evaluation.Status.READY:
        raise ValidationError(_("会議に提出された評価シートのみ決定を記録できます。"))
    D = Evaluation.Decision
    if decision not in D.values:
        raise ValidationError({"decision": _("決定の内容を選んでください。")})
    if decision in (D.CLOSE, D.HAND_BACK) and lead_agency is None:
        raise ValidationError(
            {"lead_agency": _("終結後(つなぎもどし先)の主担当機関を指定してください。")}
        )
    if closure_reason and closure_reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": _("終結理由が正しくありません。")})
    case = evaluation.case
    now = timezone.now()
    evaluation.status = Evaluation.Status.DECIDED
    evaluation.decision = decision
    evaluation.meeting_on = decided_on
    evaluation.decided_by = actor
    evaluation.decided_at = now
    evaluation.lead_agency_after = lead_agency if decision in (D.CLOSE, D.HAND_BACK) else None
    evaluation.closure_reason = (
        (closure_reason or ClosureReason.ROLES_AGREED) if decision in (D.CLOSE, D.HAND_BACK) else ""
    )
    evaluation.lock_version += 1
    evaluation.save()
    label = reasons.evaluation_decided(evaluation.number, decision)
    if decision in (D.CLOSE, D.HAND_BACK):
        _set_lead(case, agency=lead_agency, on=decided_on, actor=actor, reason=label)
        case.closed_on = max(decided_on, case.opened_on)
        case.closure_reason = evaluation.closure_reason
        _clear_monitoring_and_set_followup(case, on=case.closed_on)
        to = Status.CLOSED if decision == D.CLOSE else Status.HANDED_BACK
    elif decision == D.CONTINUE:
        to = Status.SUPPORTING
    else:
        to = Status.REPLAN
    if case.status != to:
        _move(
            case,
            actor=actor,
            to=to,
            reason=label,
            decided_on=decided_on,
            via=via,
            via_item=via_item,
            basis=basis,
        )
    else:
        case.save()
    record(
        actor=actor,
        action="evaluation.decide",
        obj=evaluation,
        basis=basis,
        changes=["status", "decision"],
    )
    return evaluation


# --- activity notes and attachments --------------------------------------------------------------


def attachment_check(upload) -> str:
    """The file type from the first bytes (never the name or the browser's claim), within
    settings.UPLOAD_MAX_BYTES (agencies.uploads). Raises ValidationError with a Japanese message."""
    kind = uploads.check_upload(
        upload,
        allowed=uploads.ALL_KINDS,
        type_message=_(
            "添付できるのは PDF・JPEG・PNG・Word(docx)・Excel(xlsx) のファイルのみです。"
        ),
    )
    return NoteAttachment.FileType(kind.code)


def _store_attachment(note: ActivityNote, upload, actor) -> NoteAttachment:
    file_type = attachment_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = NoteAttachment(
        note=note,
        original_name=(upload.name or "file")[-200:],
        file_type=file_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(str(attachment.public_id), upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def note_create(
    *,
    case: SupportCase,
    actor,
    kind: str,
    content: str,
    occurred_at=None,
    minutes: int = 0,
    staff_count: int = 1,
    with_whom: str = "",
    visibility: str = ActivityNote.Visibility.TEAM,
    persons=(),
    files=(),
    restricted_body=None,
) -> ActivityNote:
    """A 支援経過記録 entry, recordable at any stage (support often starts before the plan).
    Attachments are checked and stored outside the web root; if one fails nothing is saved.
    A note restricted to a body (要対協) needs a body whose basis allows restricted material and
    an author who sits on it with this year's pledge; only its current members will see it."""
    decision = require(actor, "note.create", case)
    _fresh(case)
    if visibility == ActivityNote.Visibility.BODY:
        from cases.policy.support import _pledged_restricting_bodies

        if restricted_body is None or restricted_body.pk not in _pledged_restricting_bodies(actor):
            raise ValidationError(
                {
                    "restricted_body": _(
                        "構成員限りにできるのは、根拠が構成員限りの記録を認める会議体"
                        "(要対協など)で、今年度の誓約をしている構成員だけです。"
                    )
                }
            )
    else:
        restricted_body = None
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("未来の日時は記録できません。")})
    for upload in files:
        attachment_check(upload)
    note = ActivityNote.objects.create(
        created_at=timezone.now(),
        case=case,
        kind=kind,
        content=content,
        occurred_at=occurred_at,
        minutes=minutes,
        staff_count=staff_count,
        with_whom=with_whom,
        visibility=visibility,
        restricted_body=restricted_body,
        author=actor,
        agency=_acting_agency(actor, case),
    )
    allowed = set(case.household.members.values_list("person_id", flat=True)) | set(
        case.persons.values_list("pk", flat=True)
    )
    note.persons.set([p for p in persons if p.pk in allowed])
    stored = []
    try:
        for upload in files:
            stored.append(_store_attachment(note, upload, actor))
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    record(actor=actor, action="note.create", obj=note, basis=decision.basis)
    for attachment in stored:
        record(actor=actor, action="attachment.create", obj=attachment, basis=decision.basis)
    return note


# --- handover (April transfers) -----------------------------------------------------------------


@dataclass
class HandoverAssignment:
    case: SupportCase
    to_user: object
    note: str = ""


@transaction.atomic
def caseload_handover(
    *, actor, from_user, assignments: list[HandoverAssignment], effective_on: date | None = None
) -> list[CaseHandover]:
    """Move a worker's cases to others with a note per case. The worker's team rows end the day
    before `effective_on` (history kept; from the handover date the current team shows the
    successor only — a row that only started on that date is handed over in place), the successor
    gets a team row at the same agency and role, open plan items and the coordinator field follow.
    Access follows: it comes from current team rows and memberships. The successor works at the
    agency on the handover date."""
    from agencies.models import Membership

    decision = require(actor, "caseload.handover", from_user)
    effective_on = effective_on or timezone.localdate()
    result = []
    for a in assignments:
        case = SupportCase.objects.select_for_update().get(pk=a.case.pk)
        if a.to_user.pk == from_user.pk:
            raise ValidationError(_("後任者に前任者と同じ職員は指定できません。"))
        rows = list(case.team.current().filter(user=from_user))
        as_coordinator = case.coordinator_id == from_user.pk
        if not rows and not as_coordinator:
            raise ValidationError(
                _("%(number)s はこの職員の担当ケースではありません。") % {"number": case.number}
            )
        successor_agencies = set(
            Membership.objects.current(effective_on)
            .filter(user=a.to_user)
            .values_list("agency_id", flat=True)
        )
        for row in rows:
            if row.agency_id not in successor_agencies:
                raise ValidationError(
                    _("%(number)s: 後任者は %(agency)s に所属している職員を選んでください。")
                    % {"number": case.number, "agency": row.agency.name}
                )
            if row.joined_on >= effective_on:
                row.user = a.to_user
                row.save(update_fields=["user"])
                continue
            row.left_on = effective_on - timedelta(days=1)
            row.left_note = _("引継ぎ")
            row.save(update_fields=["left_on", "left_note"])
            CaseTeamMember.objects.create(
                case=case,
                agency_id=row.agency_id,
                user=a.to_user,
                role=row.role,
                duties=row.duties,
                joined_on=effective_on,
                added_by=actor,
            )
        if as_coordinator:
            if (
                case.coordinating_agency_id
                and case.coordinating_agency_id not in successor_agencies
            ):
                raise ValidationError(
                    _(
                        "%(number)s: 後任の推進員は多機関協働の実施機関に所属している職員を選んでください。"
                    )
                    % {"number": case.number}
                )
            case.coordinator = a.to_user
            case.save(update_fields=["coordinator", "updated_at"])
        PlanItem.objects.filter(
            plan__case=case,
            staff=from_user,
            plan__status__in=[Plan.Status.DRAFT, Plan.Status.SUBMITTED, Plan.Status.APPROVED],
        ).update(staff=a.to_user)
        try:
            handover = CaseHandover.objects.create(
                at=timezone.now(),
                case=case,
                from_user=from_user,
                to_user=a.to_user,
                effective_on=effective_on,
                note=a.note,
                as_coordinator=as_coordinator,
                by=actor,
            )
        except IntegrityError:  # pragma: no cover - database constraint, reported as a message
            raise ValidationError(_("引継ぎを保存できませんでした。"))
        record(
            actor=actor,
            action="case.handover",
            obj=case,
            basis=decision.basis,
            changes=["coordinator", "team"],
        )
        result.append(handover)
    return result

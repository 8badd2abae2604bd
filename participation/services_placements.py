"""Writes of 参加支援 placements, activity days, follow-up and gaps. Each function checks the
policy, writes an audit row and runs in one transaction. Nothing here is triggered by the
system on its own: a worker proposes, moves and ends a placement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.jpdates import format_date
from agencies.policy import require
from audit.services import record
from cases.services.support import _acting_agency

from .choices import (
    HOST_SUPPORT_KINDS,
    ActivitySource,
    FollowUpKind,
    FollowUpTarget,
    Interest,
    Outcome,
    PlacementRole,
    PlacementStatus,
)
from .models import ActivityDay, FollowUp, Placement, PlacementTransition, ResourceGap

S = PlacementStatus


def _locked(placement: Placement) -> Placement:
    return Placement.objects.select_for_update().select_related("case").get(pk=placement.pk)


@transaction.atomic
def placement_propose(
    *,
    assessment,
    resource,
    actor,
    role: str = PlacementRole.USER,
    activity: str = "",
    match=None,
    worker=None,
    proposed_on: date | None = None,
) -> Placement:
    """The worker proposes `resource` to the person of `assessment` (status 提案). `match` is the
    MatchResult the worker saw: its score and reasons are kept with the placement. The record
    may be back-dated (`proposed_on`): the work often starts before it is written down."""
    case = assessment.case
    decision = require(actor, "placement.create", case)
    proposed_on = proposed_on or timezone.localdate()
    if proposed_on > timezone.localdate():
        raise ValidationError({"proposed_on": _("未来の日付は記録できません。")})
    if role not in PlacementRole.values:
        raise ValidationError({"role": _("参加のかたちが正しくありません。")})
    if not assessment.is_current:
        raise ValidationError(_("旧版のアセスメントからは提案できません。"))
    if Placement.objects.open().filter(person=assessment.person, resource=resource).exists():
        raise ValidationError(_("この本人とこの参加先の組み合わせはすでに進行中です。"))
    placement = Placement(
        case=case,
        person=assessment.person,
        resource=resource,
        assessment=assessment,
        role=role,
        activity=activity[:200],
        agency=_acting_agency(actor, case),
        worker=worker or actor,
        created_by=actor,
        proposed_on=proposed_on,
        status_changed_on=proposed_on,
    )
    if match is not None:
        placement.match_score = Decimal(str(round(match.score, 1)))
        snapshot = match.as_dict()
        snapshot.pop("name", None)  # the resource is linked; its name may change
        placement.match_reasons = snapshot
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError:
        raise ValidationError(_("この本人とこの参加先の組み合わせはすでに進行中です。"))
    PlacementTransition.objects.create(
        placement=placement, to_status=S.PROPOSED, on=placement.proposed_on, by=actor
    )
    record(
        actor=actor,
        action="placement.create",
        obj=placement,
        basis=decision.basis,
        subjects=[f"person:{placement.person.public_id}"],
    )
    return placement


@transaction.atomic
def placement_move(
    *,
    placement: Placement,
    actor,
    to: str,
    on: date | None = None,
    note: str = "",
    outcome: str = "",
    outcome_note: str = "",
) -> Placement:
    """Move along 提案 → 見学 → 体験 → 参加 → 終了. Ending needs the outcome (定着, 就労, 他の活動へ,
    中断); 中断 needs the reason. 参加 sets the start date; 終了 the end date."""
    decision = require(actor, "placement.transition", placement)
    placement = _locked(placement)
    on = on or timezone.localdate()
    if not placement.can_move_to(to):
        raise ValidationError(
            _("「%(a)s」から「%(b)s」には進められません。")
            % {"a": placement.get_status_display(), "b": dict(S.choices).get(to, to)}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("未来の日付は記録できません。")})
    if on < placement.status_changed_on:
        raise ValidationError({"on": _("前の状態の日付より前にはできません。")})
    errors = {}
    if to == S.ENDED:
        if outcome not in Outcome.values:
            errors["outcome"] = _("終了の結果を選んでください。")
        elif outcome == Outcome.DROPPED and not outcome_note.strip():
            errors["outcome_note"] = _("中断の理由を入力してください。")
    elif outcome:
        errors["outcome"] = _("結果は終了のときだけ記録します。")
    if errors:
        raise ValidationError(errors)
    before = placement.status
    placement.status = to
    placement.status_changed_on = on
    fields = ["status", "status_changed_on", "updated_at"]
    if to == S.ACTIVE:
        placement.started_on = on
        fields.append("started_on")
    if to == S.ENDED:
        placement.ended_on = on
        placement.outcome = outcome
        placement.outcome_note = outcome_note.strip()
        fields += ["ended_on", "outcome", "outcome_note"]
    placement.save(update_fields=fields)
    PlacementTransition.objects.create(
        placement=placement, from_status=before, to_status=to, on=on, note=note, by=actor
    )
    record(
        actor=actor,
        action="placement.transition",
        obj=placement,
        basis=decision.basis,
        changes=fields,
    )
    return placement


def _before_proposal(placement: Placement, on: date) -> str | None:
    """Why `on` cannot be a day of `placement`: nothing happens at the host before the placement
    was proposed (its record's first day). Not the 参加開始日: 見学・体験 days come before it and
    are recorded as activity days and followed up too."""
    if on < placement.proposed_on:
        return _("提案日(%(d)s)より前の日付は記録できません。") % {
            "d": format_date(placement.proposed_on)
        }
    return None


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("時間は数字で入力してください。")})
    if not hours.is_finite() or hours <= 0 or hours > 24:
        raise ValidationError({"hours": _("時間は0より大きく24以下で入力してください。")})
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def activity_record(
    *,
    placement: Placement,
    actor,
    days: list[date],
    hours,
    source: str = ActivitySource.WORKER,
    note: str = "",
) -> list[ActivityDay]:
    """Quick entry: the same hours on one or more days. A day already recorded is overwritten
    (the host's later report corrects the worker's note and vice versa)."""
    decision = require(actor, "placement.log", placement)
    if placement.status not in Placement.FOLLOWED and placement.status != S.ENDED:
        raise ValidationError(_("見学・体験・参加の記録がまだないため、活動日を記録できません。"))
    if source not in ActivitySource.values:
        raise ValidationError({"source": _("記録の元が正しくありません。")})
    if not days:
        raise ValidationError({"days": _("活動日を選んでください。")})
    hours = _hours(hours)
    today = timezone.localdate()
    if any(d > today for d in days):
        raise ValidationError({"days": _("未来の日付は記録できません。")})
    if placement.ended_on and any(d > placement.ended_on for d in days):
        raise ValidationError({"days": _("終了日より後の活動日は記録できません。")})
    if early := _before_proposal(placement, min(days)):
        raise ValidationError({"days": early})
    rows = []
    for d in sorted(set(days)):
        row, _created = ActivityDay.objects.update_or_create(
            placement=placement,
            on=d,
            defaults={
                "hours": hours,
                "source": source,
                "note": note[:200],
                "recorded_by": actor,
                "recorded_at": timezone.now(),
            },
        )
        rows.append(row)
    record(
        actor=actor,
        action="placement.activity",
        obj=placement,
        basis=decision.basis,
        changes=[d.isoformat() for d in sorted(set(days))],
    )
    return rows


@transaction.atomic
def follow_up_record(
    *,
    placement: Placement,
    actor,
    target: str,
    kind: str,
    on: date | None = None,
    minutes: int | None = None,
    content: str = "",
) -> FollowUp:
    """定着支援: a contact with the person or the host. 相談・研修・調整 are support for the host."""
    decision = require(actor, "placement.log", placement)
    errors = {}
    if target not in FollowUpTarget.values:
        errors["target"] = _("相手を選んでください。")
    if kind not in FollowUpKind.values:
        errors["kind"] = _("方法・内容を選んでください。")
    elif kind in HOST_SUPPORT_KINDS and target != FollowUpTarget.HOST:
        errors["kind"] = _("相談・研修・調整は受け入れ先への支援として記録します。")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        errors["on"] = _("未来の日付は記録できません。")
    elif early := _before_proposal(placement, on):
        errors["on"] = early
    if minutes is not None and not (0 < minutes <= 24 * 60):
        errors["minutes"] = _("時間(分)は1〜1440で入力してください。")
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp.objects.create(
        placement=placement,
        target=target,
        kind=kind,
        on=on,
        minutes=minutes,
        content=content,
        staff=actor,
    )
    record(actor=actor, action="placement.follow_up", obj=placement, basis=decision.basis)
    return follow_up


# --- gaps ------------------------------------------------------------------------------------


@transaction.atomic
def gap_record(
    *,
    actor,
    title: str,
    description: str = "",
    interests=(),
    area=None,
    case=None,
    assessment=None,
) -> ResourceGap:
    """Record that no resource fitted (from a case's matching, or from the worker's experience)."""
    if assessment is not None:
        case = assessment.case
    if case is not None:
        decision = require(actor, "resource_gap.create", case)
        agency = _acting_agency(actor, case)
    else:
        decision = require(actor, "resource_gap.list")
        memberships = actor.current_memberships()
        if not memberships:
            raise ValidationError(_("現在の所属がないため記録できません。"))
        agency = memberships[0].agency
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("不足している資源を入力してください。")})
    interests = sorted(set(interests or []))
    if set(interests) - set(Interest.values):
        raise ValidationError({"interests": _("活動の選択肢が正しくありません。")})
    gap = ResourceGap.objects.create(
        case=case,
        assessment=assessment,
        title=title[:120],
        description=description,
        interests=interests,
        area=area,
        recorded_by=actor,
        agency=agency,
    )
    record(actor=actor, action="resource_gap.create", obj=gap, basis=decision.basis)
    return gap


@transaction.atomic
def gap_raise_issue(*, gap: ResourceGap, actor):
    """The gap becomes a community issue (地域課題) on the community programme's list."""
    from community.choices import IssueSource
    from community.models import CommunityIssue

    decision = require(actor, "resource_gap.list")
    gap = ResourceGap.objects.select_for_update().get(pk=gap.pk)
    if gap.community_issue_id:
        raise ValidationError(_("この不足はすでに地域課題として提起されています。"))
    issue = CommunityIssue.objects.create(
        title=gap.title,
        source=IssueSource.PARTICIPATION_GAP,
        description=gap.description,
        area=gap.area,
        raised_by=actor,
        owner_agency=gap.agency,
    )
    gap.community_issue = issue
    gap.save(update_fields=["community_issue"])
    record(actor=actor, action="community_issue.create", obj=issue, basis=decision.basis)
    record(actor=actor, action="resource_gap.update", obj=gap, changes=["community_issue"])
    return issue


@transaction.atomic
def gap_link_resource(*, gap: ResourceGap, resource, actor) -> ResourceGap:
    """A new (or newly opened) resource answers the gap; its community issue, if any, is marked
    資源化."""
    from community.models import CommunityIssue

    decision = require(actor, "resource_gap.list")
    gap = ResourceGap.objects.select_for_update().get(pk=gap.pk)
    gap.resource = resource
    gap.save(update_fields=["resource"])
    if gap.community_issue_id:
        CommunityIssue.objects.filter(
            pk=gap.community_issue_id,
            status__in=[CommunityIssue.Status.RAISED, CommunityIssue.Status.EXAMINING],
        ).update(status=CommunityIssue.Status.RESOURCE_CREATED)
    record(
        actor=actor,
        action="resource_gap.update",
        obj=gap,
        basis=decision.basis,
        changes=["resource"],
    )
    return gap


# --- the participation profile of a resource ---------------------------------------------------


@transaction.atomic
def profile_save(*, resource, profile, actor):
    """Create or update 参加支援's facts about a resource (activities, days, hours, bus lines …)."""
    from .models import ResourceProfile

    decision = require(actor, "resource_profile.edit", resource)
    if set(profile.activities or []) - set(Interest.values):
        raise ValidationError({"activities": _("活動の選択肢が正しくありません。")})
    try:
        days = sorted({int(d) for d in profile.days or []})
    except (TypeError, ValueError):
        days = [-1]
    if set(days) - set(range(7)):
        raise ValidationError({"days": _("曜日の選択肢が正しくありません。")})
    if profile.opens and profile.closes and profile.closes <= profile.opens:
        raise ValidationError({"closes": _("終わりの時刻は始まりの時刻より後にしてください。")})
    existing = ResourceProfile.objects.select_for_update().filter(resource=resource).first()
    if existing is not None:
        profile.pk = existing.pk
    profile.resource = resource
    profile.days = days
    profile.activities = sorted(set(profile.activities or []))
    profile.updated_by = actor
    profile.save()
    record(
        actor=actor,
        action="resource_profile.update" if existing else "resource_profile.create",
        obj=resource,
        basis=decision.basis,
    )
    return profile

"""Writes for sessions (tallies), 気づき from places, volunteers, platforms/courses, community
issues and agreements. Each checks the policy, runs in one transaction and writes an audit row."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.policy import require
from audit.services import record

from .choices import AGE_BANDS, ATTRIBUTES, IssueSource
from .models import (
    Agreement,
    CommunityIssue,
    IssueAction,
    PlaceConcern,
    Program,
    ProgramSession,
    Resource,
    Session,
    Volunteer,
    VolunteerActivity,
    VolunteerTraining,
)
from .models.checks import not_after
from .services import StaleVersion

TALLY_FIELDS = tuple(f for f, _l in AGE_BANDS) + tuple(f for f, _l in ATTRIBUTES)
SESSION_FIELDS = TALLY_FIELDS + (
    "held_on",
    "title",
    "new_participants",
    "volunteers",
    "volunteer_hours",
    "became_helpers",
    "consultations",
    "note",
)


def _only(data: dict, allowed, what: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {what} fields: {sorted(unknown)}")


SESSION_TAKEN = _(
    "この日の開催はすでに記録されています。直すときは開催記録の一覧から「修正」を選んでください。"
)


def _validate_session(session: Session) -> None:
    session.participants = session.age_total()
    errors = {}
    if session.held_on and session.held_on > timezone.localdate():
        errors["held_on"] = _("開催日に未来の日付は入れられません。")
    if session.new_participants > session.participants:
        errors["new_participants"] = _("初参加の人数は参加者数(延べ)以下にしてください。")
    if session.became_helpers > session.participants:
        errors["became_helpers"] = _("担い手になった人数は参加者数(延べ)以下にしてください。")
    for name, label in ATTRIBUTES:  # a person may have several; none more than came
        if getattr(session, name) > session.participants:
            errors[name] = _("「%(label)s」の人数は参加者数(延べ)以下にしてください。") % {
                "label": label
            }
    if session.volunteers == 0 and Decimal(session.volunteer_hours or 0) > 0:
        errors["volunteer_hours"] = _("ボランティア数が0人のときは時間を入れられません。")
    if (
        session.held_on
        and "held_on" not in errors
        and Session.objects.filter(resource_id=session.resource_id, held_on=session.held_on)
        .exclude(pk=session.pk)
        .exists()
    ):
        errors["held_on"] = SESSION_TAKEN
    if errors:
        raise ValidationError(errors)
    session.full_clean(exclude=["resource", "recorded_by"])


@transaction.atomic
def session_record(
    *, actor, resource: Resource, idempotency_key: uuid.UUID | None = None, **data
) -> Session:
    """Log one session of a place with its anonymous tally. 延べ participants = the sum of the
    age bands. A repeated `idempotency_key` (a double tap) returns the session already logged."""
    decision = require(actor, "session.create", resource)
    _only(data, SESSION_FIELDS, "session")
    if idempotency_key is not None:
        existing = Session.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.recorded_by_id != actor.pk or existing.resource_id != resource.pk:
                raise ValidationError(_("送信トークンが不正です。画面を開き直してください。"))
            return existing
    if not resource.is_place:
        raise ValidationError(_("拠点・居場所として登録された資源だけ開催を記録できます。"))
    session = Session(resource=resource, recorded_by=actor, idempotency_key=idempotency_key, **data)
    _validate_session(session)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        # A double tap that raced the first (same key), or another tally of the same day saved
        # in between.
        existing = idempotency_key and Session.objects.filter(idempotency_key=idempotency_key)
        if existing and existing.exists():
            return existing.get()
        raise ValidationError({"held_on": SESSION_TAKEN}) from None
    record(actor=actor, action="session.create", obj=session, basis=decision.basis)
    return session


@transaction.atomic
def session_update(
    *, actor, session: Session, expected_version: int | None = None, **data
) -> Session:
    locked = Session.objects.select_for_update().select_related("resource").get(pk=session.pk)
    decision = require(actor, "session.update", locked)
    _only(data, SESSION_FIELDS, "session")
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleVersion(
            _("他の職員が先に更新しました。画面を開き直してから保存してください。"),
            code="stale_version",
        )
    changed = [f for f, v in data.items() if getattr(locked, f) != v]
    if not changed:
        return locked
    for field, value in data.items():
        setattr(locked, field, value)
    _validate_session(locked)
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    record(actor=actor, action="session.update", obj=locked, basis=decision.basis, changes=changed)
    return locked


@transaction.atomic
def session_delete(*, actor, session: Session) -> None:
    """Remove a tally recorded by mistake (twice, at the wrong place or day), so 開催回数 and 延べ
    participants stop counting it: whoever may record tallies for the place. A 気づき passed on
    from the session keeps its place."""
    locked = Session.objects.select_for_update().select_related("resource").get(pk=session.pk)
    decision = require(actor, "session.delete", locked)
    record(actor=actor, action="session.delete", obj=locked, basis=decision.basis)
    locked.delete()


# --- 気づき from places ------------------------------------------------------------------------


@transaction.atomic
def place_concern_submit(
    *, actor, resource: Resource, session: Session | None = None, **slip
) -> PlaceConcern:
    """A resident host passes on a 気づき noticed at a place: their 気づきシート goes to the 社協 /
    地域包括 as usual (cases.services.concern_slip_submit) and is linked to the place, so the
    place's count of 気づき and consultations arising there can be reported."""
    from cases.services.intake import concern_slip_submit

    decision = require(actor, "place_concern.create", resource)
    if session is not None and session.resource_id != resource.pk:
        raise ValidationError({"session": _("この居場所の開催を選んでください。")})
    slip.setdefault("location", resource.name)
    slip.setdefault("area", resource.small_area or resource.area)
    concern_slip = concern_slip_submit(actor=actor, **slip)
    concern, _created = PlaceConcern.objects.get_or_create(
        concern_slip=concern_slip,
        defaults={"resource": resource, "session": session, "created_by": actor},
    )
    record(actor=actor, action="place_concern.create", obj=concern, basis=decision.basis)
    return concern


@transaction.atomic
def place_concern_link_consultation(
    *, actor, consultation, concern: PlaceConcern | None = None, resource: Resource | None = None
) -> PlaceConcern:
    """Record that a consultation arose from a place: either the consultation a 気づき from the
    place led to (`concern`), or one taken at the place directly (`resource`). The actor must be
    community staff and able to see the consultation."""
    if (concern is None) == (resource is None):
        raise TypeError("pass exactly one of concern or resource")
    decision = require(actor, "place_concern.link", concern)
    require(actor, "consultation.view", consultation)
    if (
        PlaceConcern.objects.filter(consultation=consultation)
        .exclude(pk=concern.pk if concern else None)
        .exists()
    ):
        raise ValidationError(
            {"consultation": _("この相談受付はすでに別の居場所の気づきとつながっています。")}
        )
    if concern is not None:
        locked = PlaceConcern.objects.select_for_update().get(pk=concern.pk)
        if locked.consultation_id and locked.consultation_id != consultation.pk:
            raise ValidationError(
                {"consultation": _("この気づきはすでに相談受付につながっています。")}
            )
        locked.consultation = consultation
        locked.linked_at = timezone.now()
        locked.save(update_fields=["consultation", "linked_at"])
        concern = locked
    else:
        concern = PlaceConcern.objects.create(
            resource=resource,
            consultation=consultation,
            noticed_on=timezone.localtime(consultation.received_at).date(),
            created_by=actor,
            linked_at=timezone.now(),
        )
    record(
        actor=actor,
        action="place_concern.link",
        obj=concern,
        basis=decision.basis,
        changes=["consultation"],
    )
    return concern


# --- volunteers --------------------------------------------------------------------------------

VOLUNTEER_FIELDS = (
    "name",
    "kana",
    "phone",
    "email",
    "skills",
    "availability",
    "registered_on",
    "active",
    "coordinator_agency",
    "was_supported",
    "path_consent_on",
    "path_note",
    "note",
)


def _clean_tags(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("、", ",").split(",")
    tags = [str(v).strip() for v in values or [] if str(v).strip()]
    if any(len(t) > 30 for t in tags):
        raise ValidationError({"skills": _("得意なことは1語30文字以内で入れてください。")})
    return list(dict.fromkeys(tags))


@transaction.atomic
def volunteer_register(*, actor, areas=(), **data) -> Volunteer:
    decision = require(actor, "volunteer.create")
    _only(data, VOLUNTEER_FIELDS, "volunteer")
    data["skills"] = _clean_tags(data.get("skills", []))
    volunteer = Volunteer(created_by=actor, **data)
    volunteer.full_clean(exclude=["person"])
    require(actor, "volunteer.update", volunteer)  # may register only into their own registry
    volunteer.save()
    volunteer.areas.set(areas)
    record(actor=actor, action="volunteer.create", obj=volunteer, basis=decision.basis)
    return volunteer


@transaction.atomic
def volunteer_update(*, actor, volunteer: Volunteer, areas=None, **data) -> Volunteer:
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    decision = require(actor, "volunteer.update", locked)
    _only(data, VOLUNTEER_FIELDS, "volunteer")
    if "skills" in data:
        data["skills"] = _clean_tags(data["skills"])
    changed = [f for f, v in data.items() if getattr(locked, f) != v]
    for field, value in data.items():
        setattr(locked, field, value)
    if not locked.was_supported:
        locked.path_note = ""
    locked.full_clean(exclude=["person"])
    if "registered_on" in changed:
        first = min(
            filter(
                None,
                (
                    locked.trainings.aggregate(first=Min("taken_on"))["first"],
                    locked.activities.aggregate(first=Min("done_on"))["first"],
                ),
            ),
            default=None,
        )
        not_after(locked, "registered_on", first, _("最初の受講歴・活動"))
    require(actor, "volunteer.update", locked)  # cannot move it to a registry they cannot see
    locked.save()
    if areas is not None and set(a.pk for a in areas) != set(
        locked.areas.values_list("pk", flat=True)
    ):
        locked.areas.set(areas)
        changed.append("areas")
    if changed:
        record(
            actor=actor,
            action="volunteer.update",
            obj=locked,
            basis=decision.basis,
            changes=changed,
        )
    return locked


@transaction.atomic
def volunteer_add_training(
    *, actor, volunteer: Volunteer, kind: str, taken_on, program_session=None
) -> VolunteerTraining:
    decision = require(actor, "volunteer.update", volunteer)
    training = VolunteerTraining(
        volunteer=volunteer, kind=kind, taken_on=taken_on, program_session=program_session
    )
    training.full_clean()
    training.save()
    record(
        actor=actor,
        action="volunteer.update",
        obj=volunteer,
        basis=decision.basis,
        changes=["trainings"],
    )
    return training


@transaction.atomic
def volunteer_log_activity(
    *, actor, volunteer: Volunteer, done_on, hours, resource=None, description=""
) -> VolunteerActivity:
    decision = require(actor, "volunteer.update", volunteer)
    activity = VolunteerActivity(
        volunteer=volunteer,
        done_on=done_on,
        hours=hours,
        resource=resource,
        description=description,
    )
    errors = {}
    if hours is None or Decimal(hours) <= 0:
        errors["hours"] = _("活動時間は0より大きい値を入れてください。")
    elif Decimal(hours) > 24:
        errors["hours"] = _("1日の活動時間は24時間以内にしてください。")
    if done_on and done_on > timezone.localdate():
        errors["done_on"] = _("活動日に未来の日付は入れられません。")
    if errors:
        raise ValidationError(errors)
    activity.full_clean()
    activity.save()
    record(
        actor=actor,
        action="volunteer.update",
        obj=volunteer,
        basis=decision.basis,
        changes=["activities"],
    )
    return activity


# --- platforms, courses, events ---------------------------------------------------------------

PROGRAM_FIELDS = ("kind", "name", "purpose", "area", "organiser", "members", "started_on", "active")
PROGRAM_SESSION_FIELDS = (
    "held_on",
    "title",
    "participants",
    "organisations",
    "minutes",
    "issues_raised",
)


@transaction.atomic
def program_create(*, actor, **data) -> Program:
    decision = require(actor, "program.manage")
    _only(data, PROGRAM_FIELDS, "program")
    program = Program(created_by=actor, **data)
    program.full_clean()
    program.save()
    record(actor=actor, action="program.create", obj=program, basis=decision.basis)
    return program


@transaction.atomic
def program_update(*, actor, program: Program, **data) -> Program:
    decision = require(actor, "program.manage", program)
    _only(data, PROGRAM_FIELDS, "program")
    changed = [f for f, v in data.items() if getattr(program, f) != v]
    for field, value in data.items():
        setattr(program, field, value)
    program.full_clean()
    program.save()
    if changed:
        record(
            actor=actor, action="program.update", obj=program, basis=decision.basis, changes=changed
        )
    return program


@transaction.atomic
def program_session_record(*, actor, program: Program, **data) -> ProgramSession:
    decision = require(actor, "program.manage", program)
    _only(data, PROGRAM_SESSION_FIELDS, "program session")
    session = ProgramSession(program=program, recorded_by=actor, **data)
    if session.held_on and session.held_on < program.started_on:
        raise ValidationError({"held_on": _("開催日は開始日以降にしてください。")})
    session.full_clean()
    session.save()
    record(actor=actor, action="program_session.create", obj=session, basis=decision.basis)
    return session


# --- community issues ----------------------------------------------------------------------------

ISSUE_FIELDS = (
    "title",
    "description",
    "area",
    "owner_agency",
    "source",
    "source_case",
    "source_resource",
    "source_program_session",
    "raised_on",
)


@transaction.atomic
def community_issue_raise(*, actor, **data) -> CommunityIssue:
    """Record a community issue (地域課題). `source` says where it came from; a case's resource
    gap names the case (`source_case`) — the actor must be able to see that case, and the case
    page then shows the issue and any resource it leads to."""
    decision = require(actor, "communityissue.create")
    _only(data, ISSUE_FIELDS, "community issue")
    data.setdefault("source", IssueSource.OTHER)
    if data.get("source_case") is not None:
        require(actor, "case.view", data["source_case"])
        data["source"] = IssueSource.CASE
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": _("地域課題を入力してください。")})
    issue = CommunityIssue(raised_by=actor, **data)
    issue.full_clean(exclude=["raised_from"])
    issue.save()
    record(actor=actor, action="communityissue.create", obj=issue, basis=decision.basis)
    return issue


@transaction.atomic
def community_issue_set_status(*, actor, issue: CommunityIssue, status: str) -> CommunityIssue:
    decision = require(actor, "communityissue.update", issue)
    if status not in CommunityIssue.Status.values:
        raise ValidationError({"status": _("状態を選んでください。")})
    if status == issue.status:
        return issue
    if status == CommunityIssue.Status.RESOURCE_CREATED and not issue.created_resources.exists():
        raise ValidationError(
            {"status": _("「資源化」にするには、先にこの課題から生まれた資源をつないでください。")}
        )
    issue.status = status
    issue.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="communityissue.update",
        obj=issue,
        basis=decision.basis,
        changes=["status"],
    )
    return issue


@transaction.atomic
def issue_action_add(*, actor, issue: CommunityIssue, **data) -> IssueAction:
    decision = require(actor, "communityissue.update", issue)
    _only(data, ("title", "owner_agency", "owner", "starts_on", "due_on", "done_on", "note"), "act")
    action = IssueAction(issue=issue, created_by=actor, **data)
    errors = {}
    if action.due_on and action.starts_on and action.due_on < action.starts_on:
        errors["due_on"] = _("期限は開始日以降にしてください。")
    if action.owner_id and action.owner_agency_id:
        from agencies.selectors import care_staff_of

        # Whom work can be given to: a 民生委員 or an admin-only account could not open the issue.
        if not care_staff_of(action.owner_agency_id).filter(pk=action.owner_id).exists():
            errors["owner"] = _(
                "担当者は担当機関の相談支援の職員から選んでください(民生委員・管理者は選べません)。"
            )
    if errors:
        raise ValidationError(errors)
    action.full_clean()
    action.save()
    if action.owner_id and action.owner_id != actor.pk:
        transaction.on_commit(lambda: _notify_action_owner(action.pk))
    if issue.status == CommunityIssue.Status.RAISED:
        issue.status = CommunityIssue.Status.EXAMINING
        issue.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="communityissue.update",
        obj=issue,
        basis=decision.basis,
        changes=["actions"],
    )
    return action


def _notify_action_owner(action_id: int) -> None:
    """The 担当者 named on a 取組 learns of it in the app (an issue is about an area, not a
    person: its title and the action's are in the notice)."""
    from notifications.models import ref_for
    from notifications.services import notify_now

    action = IssueAction.objects.select_related("issue").get(pk=action_id)
    notify_now(
        recipients=[action.owner_id],
        rule="issue_action_assigned",
        message_code="issue_action_assigned.title",
        params={"issue": action.issue.title, "action": action.title},
        url=action.issue.get_absolute_url(),
        object_ref=ref_for("community.communityissue", action.issue_id),
        due_date=action.due_on,
    )


@transaction.atomic
def issue_action_complete(*, actor, action: IssueAction, done_on=None) -> IssueAction:
    decision = require(actor, "communityissue.update", action.issue)
    if action.done_on:  # a second click (or a resent form) keeps the day it was done
        return action
    action.done_on = done_on or timezone.localdate()
    action.save(update_fields=["done_on"])
    record(
        actor=actor,
        action="communityissue.update",
        obj=action.issue,
        basis=decision.basis,
        changes=["actions"],
    )
    return action


@transaction.atomic
def community_issue_link_resource(
    *, actor, issue: CommunityIssue, resource: Resource
) -> CommunityIssue:
    """The issue led to this resource: link both ways (resource.origin_issue) and mark the issue
    資源化."""
    from .services import resource_update

    decision = require(actor, "communityissue.update", issue)
    if resource.origin_issue_id and resource.origin_issue_id != issue.pk:
        raise ValidationError(
            _("この資源はすでに別の地域課題から生まれたものとして記録されています。")
        )
    if resource.origin_issue_id != issue.pk:
        resource_update(actor=actor, resource=resource, origin_issue=issue)
    if issue.status in (CommunityIssue.Status.RAISED, CommunityIssue.Status.EXAMINING):
        issue.status = CommunityIssue.Status.RESOURCE_CREATED
        issue.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="communityissue.update",
        obj=issue,
        basis=decision.basis,
        changes=["created_resources"],
    )
    return issue


# --- agreements -----------------------------------------------------------------------------------

AGREEMENT_FIELDS = (
    "partner_name",
    "partner_kind",
    "kind",
    "title",
    "our_agency",
    "signed_on",
    "ends_on",
    "contact_name",
    "contact_phone",
    "partner_does",
    "we_do",
)


@transaction.atomic
def agreement_create(*, actor, **data) -> Agreement:
    decision = require(actor, "agreement.manage")
    _only(data, AGREEMENT_FIELDS, "agreement")
    agreement = Agreement(created_by=actor, **data)
    agreement.full_clean()
    agreement.save()
    record(actor=actor, action="agreement.create", obj=agreement, basis=decision.basis)
    return agreement


@transaction.atomic
def agreement_update(*, actor, agreement: Agreement, **data) -> Agreement:
    decision = require(actor, "agreement.manage", agreement)
    _only(data, AGREEMENT_FIELDS, "agreement")
    changed = [f for f, v in data.items() if getattr(agreement, f) != v]
    for field, value in data.items():
        setattr(agreement, field, value)
    agreement.full_clean()
    agreement.save()
    if changed:
        record(
            actor=actor,
            action="agreement.update",
            obj=agreement,
            basis=decision.basis,
            changes=changed,
        )
    return agreement

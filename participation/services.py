"""Writes of 参加支援: the assessment sheet. Placements, follow-up and gaps are in
services_placements.py. Every function checks the policy, writes one audit row and runs in one
transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.jpdates import format_date
from agencies.policy import require
from audit.services import record
from cases.services.support import EditConflict, _acting_agency, _changed, _locked_save

from .choices import Interest, Transport, Weekday
from .models import ParticipationAssessment

__all__ = ["EditConflict", "assessment_create", "assessment_update"]


def _check_person(case, person) -> None:
    member_ids = set(case.household.members.values_list("person_id", flat=True))
    member_ids |= set(case.persons.values_list("pk", flat=True))
    if case.principal_id:
        member_ids.add(case.principal_id)
    if person is None or person.pk not in member_ids:
        raise ValidationError({"person": _("対象者はこのケースの世帯員から選んでください。")})


def _validate(data: dict) -> dict:
    errors: dict[str, str] = {}
    if "interests" in data:
        data["interests"] = sorted(set(data["interests"] or []))
        if set(data["interests"]) - set(Interest.values):
            errors["interests"] = _("関心のあることの選択肢が正しくありません。")
    if "transport" in data:
        data["transport"] = sorted(set(data["transport"] or []))
        if set(data["transport"]) - set(Transport.values):
            errors["transport"] = _("移動手段の選択肢が正しくありません。")
    if "days" in data:
        try:
            data["days"] = sorted({int(d) for d in data["days"] or []})
        except (TypeError, ValueError):
            data["days"] = [-1]
        if set(data["days"]) - set(Weekday.values):
            errors["days"] = _("曜日の選択肢が正しくありません。")
    start, end = data.get("hours_from"), data.get("hours_to")
    if start and end and end <= start:
        errors["hours_to"] = _("終わりの時刻は始まりの時刻より後にしてください。")
    lat, lng = data.get("home_lat"), data.get("home_lng")
    if (lat is None) != (lng is None):
        errors["home_lng"] = _("緯度と経度は両方入力するか、両方空にしてください。")
    if lat is not None and not (20 <= lat <= 46):
        errors["home_lat"] = _("日本国内の緯度を入力してください。")
    if lng is not None and not (122 <= lng <= 154):
        errors["home_lng"] = _("日本国内の経度を入力してください。")
    if errors:
        raise ValidationError(errors)
    return data


def _check_after_previous(assessment: ParticipationAssessment, data: dict) -> None:
    """A version is not dated before the version it follows (the versions read in order)."""
    on = data.get("assessed_on")
    if on is None:
        return
    previous = (
        ParticipationAssessment.objects.filter(
            case_id=assessment.case_id, person_id=assessment.person_id, number__lt=assessment.number
        )
        .order_by("-number")
        .values_list("assessed_on", flat=True)
        .first()
    )
    if previous is not None and on < previous:
        raise ValidationError(
            {
                "assessed_on": _("前の版のアセスメント日(%(d)s)より前の日付にはできません。")
                % {"d": format_date(previous)}
            }
        )


@transaction.atomic
def assessment_create(*, case, person, actor) -> ParticipationAssessment:
    """A new version of the person's 参加支援アセスメント, copying the current one (which becomes
    旧版). The first sheet starts empty."""
    decision = require(actor, "participation_assessment.edit", case)
    _check_person(case, person)
    previous = (
        ParticipationAssessment.objects.select_for_update()
        .filter(case=case, person=person)
        .current()
        .first()
    )
    number = (
        ParticipationAssessment.objects.filter(case=case, person=person).aggregate(m=Max("number"))[
            "m"
        ]
        or 0
    ) + 1
    values = (
        {name: getattr(previous, name) for name in ParticipationAssessment.CONTENT_FIELDS}
        if previous
        else {}
    )
    values["assessed_on"] = timezone.localdate()
    now = timezone.now()
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    assessment = ParticipationAssessment.objects.create(
        case=case,
        person=person,
        number=number,
        author=actor,
        agency=_acting_agency(actor, case),
        created_at=now,
        updated_at=now,
        **values,
    )
    record(
        actor=actor,
        action="participation_assessment.create",
        obj=assessment,
        basis=decision.basis,
        subjects=[f"person:{person.public_id}"],
    )
    return assessment


@transaction.atomic
def assessment_update(
    *, assessment: ParticipationAssessment, actor, data: dict, lock_version: int
) -> ParticipationAssessment:
    """Change the sheet's content. A stale `lock_version` raises EditConflict; an old version
    (旧版) is not edited: start a new version instead. The アセスメント日 is not before the
    previous version's."""
    decision = require(actor, "participation_assessment.edit", assessment)
    if not assessment.is_current:
        raise ValidationError(_("旧版のアセスメントは編集できません。"))
    data = _validate({k: v for k, v in data.items() if k in ParticipationAssessment.CONTENT_FIELDS})
    _check_after_previous(assessment, data)
    changed = _changed(assessment, data)
    if not changed:
        return assessment
    _locked_save(assessment, expected=lock_version, fields=data)
    record(
        actor=actor,
        action="participation_assessment.update",
        obj=assessment,
        basis=decision.basis,
        changes=changed,
    )
    return assessment

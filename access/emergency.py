"""Break-the-glass (issue 17 item 2): emergency access on the basis 緊急時(生命・身体の保護).

A care worker may open a case (and its persons) outside their basis by giving a reason. The
access is a personal grant of the registry's `duration_hours` (4 by default), shown on every page
while it lasts (access.context_processors), written to the ledger, and notified at once to the
supervisors of the worker's agency and to the privacy officers (個人情報保護担当). It must be
reviewed — justified or not, with a note — by one of them; unreviewed uses show on their
dashboard and on the person's access record.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import Role
from agencies.policy import DENY, Basis, Decision, allow, require, rule
from audit.services import record

from . import bases
from .models import EmergencyAccess, GrantSource
from .services import basis_for, grant_give, ref

MIN_REASON = 10
EMERGENCY = "emergency"
Basis.LABELS.setdefault(EMERGENCY, "緊急時(生命・身体の保護)")


def _care_agency_ids(user) -> set[int]:
    from cases.policy.persons import care_agency_ids

    return care_agency_ids(user)


def reviewer_ids(agency_id: int) -> set[int]:
    """Supervisors of the worker's agency and every privacy officer."""
    from agencies.models import Membership

    return set(
        Membership.objects.current()
        .filter(role=Role.SUPERVISOR, agency_id=agency_id)
        .values_list("user_id", flat=True)
    ) | set(
        Membership.objects.current()
        .filter(role=Role.PRIVACY_OFFICER)
        .values_list("user_id", flat=True)
    )


@rule("emergency.open")
def _emergency_open(user, case) -> Decision:
    return allow(EMERGENCY) if _care_agency_ids(user) else DENY


@rule("emergency.review")
def _emergency_review(user, access) -> Decision:
    if access is None or access.user_id == user.pk:
        return DENY  # nobody reviews their own emergency
    roles = {(m.agency_id, m.role) for m in user.current_memberships()}
    if (access.agency_id, Role.SUPERVISOR) in roles:
        return allow(Basis.AGENCY_SUPERVISOR)
    if any(role == Role.PRIVACY_OFFICER for _agency, role in roles):
        return allow(EMERGENCY)
    return DENY


@rule("emergency.list")
def _emergency_list(user, obj) -> Decision:
    roles = user.roles()
    if Role.SUPERVISOR in roles or Role.PRIVACY_OFFICER in roles:
        return allow(Basis.AGENCY_SUPERVISOR)
    return DENY


@transaction.atomic
def emergency_access_open(*, actor, case, reason: str, agency=None) -> EmergencyAccess:
    """Open `case` and its persons to `actor` alone for the basis's set hours."""
    require(actor, "emergency.open", case)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {
                "reason": _(
                    "緊急の理由を%(n)s文字以上で具体的に入力してください(誰の生命・身体を、何から守るためか)。"
                )
                % {"n": MIN_REASON}
            }
        )
    care = _care_agency_ids(actor)
    if agency is None:
        agency_id = sorted(care)[0]
    elif agency.pk in care:
        agency_id = agency.pk
    else:
        raise ValidationError({"agency": _("所属している機関を選んでください。")})
    row = basis_for(bases.EMERGENCY)
    now = timezone.now()
    expires = now + dt.timedelta(hours=row.duration_hours or 4)
    access = EmergencyAccess.objects.create(
        user=actor,
        agency_id=agency_id,
        case=case,
        reason=reason,
        started_at=now,
        expires_at=expires,
    )
    persons = list(case.persons.all())
    if case.principal_id and case.principal not in persons:
        persons.append(case.principal)
    from agencies.models import Agency

    grant_give(
        agency=Agency.objects.get(pk=agency_id),
        user=actor,
        case=case,
        persons=persons,
        basis=row,
        source=GrantSource.EMERGENCY,
        source_ref=ref(access),
        basis_ref=ref(access),
        valid_from=now,
        valid_until=expires,
        reason=reason,
        actor=actor,
    )
    record(actor=actor, action="emergency.open", obj=access, basis=EMERGENCY, changes=["reason"])
    recipients = reviewer_ids(agency_id) - {actor.pk}
    transaction.on_commit(lambda: _notify(access.pk, recipients))
    return access


def _notify(access_id: int, recipients: set[int]) -> None:
    from notifications.models import Level
    from notifications.services import notify_now

    access = EmergencyAccess.objects.select_related("user", "agency").get(pk=access_id)
    notify_now(
        recipients=recipients,
        rule="access.emergency",
        message_code="access.emergency.title",
        params={
            "agency": access.agency.short_name or access.agency.name,
            "user": access.user.display_name or access.user.username,
        },
        body_codes=("access.emergency.body",),
        url=reverse("access:emergency_review", args=[access.public_id]),
        object_ref=f"access.emergencyaccess:{access.pk}",
        level=Level.URGENT,
    )


@transaction.atomic
def emergency_access_review(*, access: EmergencyAccess, actor, outcome: str, note: str):
    decision = require(actor, "emergency.review", access)
    if outcome not in EmergencyAccess.Outcome.values:
        raise ValidationError({"outcome": _("「正当」か「正当でない」を選んでください。")})
    if not (note or "").strip():
        raise ValidationError({"review_note": _("確認の所見を入力してください。")})
    updated = EmergencyAccess.objects.filter(pk=access.pk, reviewed_at__isnull=True).update(
        outcome=outcome, review_note=note.strip(), reviewed_by=actor, reviewed_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("この緊急時のアクセスはすでに確認されています。"))
    access.refresh_from_db()
    if outcome == EmergencyAccess.Outcome.NOT_JUSTIFIED and access.is_active:
        from .services import grants_end

        grants_end(source_ref=ref(access), actor=actor, reason=_("確認の結果、正当でない"))
    record(
        actor=actor,
        action="emergency.review",
        obj=access,
        basis=decision.basis,
        changes=["outcome", "review_note"],
    )
    return access


def unreviewed_for(user):
    """Emergency uses waiting for this reviewer (their agencies' supervisor seat, or all for a
    privacy officer)."""
    roles = {(m.agency_id, m.role) for m in user.current_memberships()}
    qs = EmergencyAccess.objects.filter(reviewed_at__isnull=True).exclude(user=user)
    if any(role == Role.PRIVACY_OFFICER for _a, role in roles):
        return qs
    supervised = {a for a, role in roles if role == Role.SUPERVISOR}
    return qs.filter(agency_id__in=supervised)


def active_for(user):
    now = timezone.now()
    return EmergencyAccess.objects.filter(
        user=user, started_at__lte=now, expires_at__gt=now
    ).select_related("case")

"""Writes for agencies, areas, staff and memberships.

Every service: keyword-only arguments with an `actor`, one transaction, `policy.require`, model
validation (`full_clean`, so HTML forms, the API and CSV imports obey the same rules), and one
audit row whose `changes` lists the changed field names (never their values).

Edits are optimistic: callers pass the `version` they showed the user as `expected_version`; if
someone saved in between, `ConcurrentEditError` is raised and nothing is written. `None` means
"no concurrent editor is possible" (imports, internal jobs) and is never used by the UI or API.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from audit.services import record

from . import policy
from .models import Agency, Area, Membership, User

AGENCY_FIELDS = (
    "code",
    "name",
    "kana",
    "short_name",
    "kind",
    "operator_type",
    "operator",
    "programmes",
    "area",
    "postal_code",
    "address",
    "phone",
    "fax",
    "email",
)
AREA_FIELDS = ("code", "name", "kana", "level", "parent", "sort_order")
STAFF_FIELDS = (
    "username",
    "display_name",
    "kana",
    "staff_number",
    "email",
    "phone",
    "language",
    "show_seireki",
)


class ConcurrentEditError(Exception):
    """Someone else saved the record after the editor loaded it. Nothing was written."""

    def __init__(self, obj: models.Model):
        self.obj = obj
        super().__init__(
            _(
                "この内容は、あなたが編集を始めた後に他の人が更新しました。"
                "変更は保存されていません。最新の内容を確認してから、もう一度入力してください。"
            )
        )


# --- helpers ----------------------------------------------------------------------------


def _normalise(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _apply(obj: models.Model, data: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Set the given fields on obj; return the names of those whose value actually changed."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")
    changed = []
    for name, value in data.items():
        field = obj._meta.get_field(name)
        attname = field.attname if field.is_relation else name
        old = getattr(obj, attname)
        new = _normalise(value)
        if field.is_relation:
            if old != new:
                setattr(obj, attname, new)
                changed.append(name)
        elif old != new:
            setattr(obj, name, new)
            changed.append(name)
    return changed


def _bump_version(obj: models.Model, expected_version: int | None) -> None:
    """Claim the next version atomically; a stale `expected_version` matches no row."""
    qs = type(obj)._default_manager.filter(pk=obj.pk)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    if qs.update(version=F("version") + 1) != 1:
        raise ConcurrentEditError(obj)
    obj.version = type(obj)._default_manager.values_list("version", flat=True).get(pk=obj.pk)


def _fresh(model: type[models.Model], pk) -> Any:
    return model._default_manager.select_for_update().get(pk=pk)


def _require_fields_allowed(decision: policy.Decision, action: str, changed, all_fields, limited):
    allowed = policy.editable_fields(decision, all_fields, limited)
    if not set(changed) <= allowed:
        raise policy.PolicyDenied(
            action,
            policy.deny(
                str(
                    _("この項目を変更する権限がありません: %(fields)s")
                    % {"fields": ", ".join(sorted(set(changed) - allowed))}
                )
            ),
        )


# --- areas ------------------------------------------------------------------------------


@transaction.atomic
def area_create(*, actor: User, data: dict[str, Any]) -> Area:
    """Create a 圏域 or district. Admins only."""
    decision = policy.require(actor, "area.manage")
    area = Area()
    _apply(area, data, AREA_FIELDS)
    area.full_clean()
    area.save()
    record(actor=actor, action="area.create", obj=area, basis=decision.basis, changes=list(data))
    return area


@transaction.atomic
def area_update(
    *, actor: User, area: Area, data: dict[str, Any], expected_version: int | None
) -> Area:
    """Change an area; refuses a parent that would make the tree circular."""
    decision = policy.require(actor, "area.manage", area)
    current = _fresh(Area, area.pk)
    changed = _apply(current, data, AREA_FIELDS)
    if not changed:
        return current
    current.full_clean()
    _bump_version(current, expected_version)
    current.save(update_fields=[*changed, "version"])
    record(actor=actor, action="area.update", obj=current, basis=decision.basis, changes=changed)
    return current


# --- agencies ---------------------------------------------------------------------------


@transaction.atomic
def agency_create(*, actor: User, data: dict[str, Any]) -> Agency:
    """Register an agency (municipal section or contracted body). Admins only."""
    decision = policy.require(actor, "agency.create")
    agency = Agency()
    _apply(agency, data, AGENCY_FIELDS)
    agency.full_clean()
    agency.save()
    record(
        actor=actor, action="agency.create", obj=agency, basis=decision.basis, changes=list(data)
    )
    return agency


@transaction.atomic
def agency_update(
    *, actor: User, agency: Agency, data: dict[str, Any], expected_version: int | None
) -> Agency:
    """Edit an agency. Admins change everything; the agency's supervisor only its contact fields.

    Raises ConcurrentEditError when `expected_version` is stale, PolicyDenied when a field
    outside the actor's remit would change.
    """
    decision = policy.require(actor, "agency.update", agency)
    current = _fresh(Agency, agency.pk)
    changed = _apply(current, data, AGENCY_FIELDS)
    if not changed:
        return current
    _require_fields_allowed(
        decision, "agency.update", changed, AGENCY_FIELDS, policy.AGENCY_SUPERVISOR_FIELDS
    )
    current.full_clean()
    _bump_version(current, expected_version)
    current.save(update_fields=[*changed, "version", "updated_at"])
    record(actor=actor, action="agency.update", obj=current, basis=decision.basis, changes=changed)
    return current


@transaction.atomic
def agency_set_active(
    *, actor: User, agency: Agency, active: bool, expected_version: int | None
) -> Agency:
    """Deactivate (no new referrals or memberships) or reactivate an agency. History stays."""
    decision = policy.require(actor, "agency.set_active", agency)
    current = _fresh(Agency, agency.pk)
    if current.active == active:
        return current
    _bump_version(current, expected_version)
    current.active = active
    current.save(update_fields=["active", "version", "updated_at"])
    record(
        actor=actor,
        action="agency.activate" if active else "agency.deactivate",
        obj=current,
        basis=decision.basis,
        changes=["active"],
        kind="update",
    )
    return current


# --- staff ------------------------------------------------------------------------------


@transaction.atomic
def staff_create(
    *, actor: User, data: dict[str, Any], memberships: list[dict[str, Any]] = ()
) -> User:
    """Create a staff account without a password: the person sets one through the e-mailed link
    (`staff_send_password_setup`). `memberships` ({agency, role, start_date[, note]}) are started
    in the same transaction through `membership_start`."""
    decision = policy.require(actor, "staff.create")
    user = User()
    _apply(user, data, STAFF_FIELDS)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor=actor, action="staff.create", obj=user, basis=decision.basis, changes=list(data))
    for m in memberships:
        membership_start(actor=actor, user=user, **m)
    return user


@transaction.atomic
def staff_update(
    *, actor: User, staff: User, data: dict[str, Any], expected_version: int | None
) -> User:
    """Edit a staff member. Admins change everything; a person their own name, kana, phone,
    e-mail and language. Raises ConcurrentEditError on a stale version."""
    decision = policy.require(actor, "staff.update", staff)
    current = _fresh(User, staff.pk)
    changed = _apply(current, data, STAFF_FIELDS)
    if not changed:
        return current
    _require_fields_allowed(
        decision, "staff.update", changed, STAFF_FIELDS, policy.STAFF_SELF_FIELDS
    )
    current.full_clean(exclude=["password"])
    _bump_version(current, expected_version)
    current.save(update_fields=[*changed, "version"])
    record(actor=actor, action="staff.update", obj=current, basis=decision.basis, changes=changed)
    return current


@transaction.atomic
def staff_set_active(
    *,
    actor: User,
    staff: User,
    active: bool,
    expected_version: int | None,
    end_memberships_on: date | None = None,
) -> User:
    """Deactivate (cannot log in; API tokens revoked) or reactivate a staff account.

    With `end_memberships_on`, open memberships end that day, so a retiree stops counting as a
    current member of the agency. An admin cannot deactivate themselves.
    """
    from .tokens import api_tokens_revoke_all

    decision = policy.require(actor, "staff.set_active", staff)
    current = _fresh(User, staff.pk)
    changes = []
    if current.is_active != active:
        _bump_version(current, expected_version)
        current.is_active = active
        current.save(update_fields=["is_active", "version"])
        changes.append("is_active")
    if not active:
        api_tokens_revoke_all(user=current)
        if end_memberships_on is not None:
            for m in Membership.objects.filter(user=current, end_date__isnull=True).select_related(
                "agency"
            ):
                _membership_close(actor=actor, membership=m, end_date=end_memberships_on)
                # A retiree's work is handed over first (checked once their other posts at the
                # agency are closed too; the transaction rolls every end back on refusal).
                _require_handed_over(m, end_memberships_on + timedelta(days=1))
    if changes:
        record(
            actor=actor,
            action="staff.activate" if active else "staff.deactivate",
            obj=current,
            basis=decision.basis,
            changes=changes,
            kind="update",
        )
    return current


def password_setup_url(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


@transaction.atomic
def staff_send_password_setup(*, actor: User, staff: User, base_url: str) -> None:
    """E-mail the staff member a one-time link to set (or reset) their password. Sent after
    commit; the link itself is never logged."""
    decision = policy.require(actor, "staff.password_setup", staff)
    if not staff.email:
        raise ValidationError({"email": _("メールアドレスが登録されていません。")})
    if not staff.is_active:
        raise ValidationError(_("無効なアカウントにはパスワード設定メールを送れません。"))
    url = password_setup_url(staff, base_url)
    body = render_to_string(
        "agencies/email/password_setup.txt",
        {"user": staff, "url": url, "city": settings.TSUNAGU_CITY_NAME},
    )
    subject = _("【つなぐ】パスワード設定のご案内")
    email = staff.email
    record(actor=actor, action="staff.password_setup", obj=staff, basis=decision.basis)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


# --- memberships ------------------------------------------------------------------------


@transaction.atomic
def membership_start(
    *,
    actor: User,
    user: User,
    agency: Agency,
    role: str,
    start_date: date | None = None,
    note: str = "",
) -> Membership:
    """Give a staff member a role at an agency from `start_date` (default today).

    Refuses an inactive agency or an overlapping period for the same agency and role."""
    decision = policy.require(actor, "membership.manage", user)
    if not agency.active:
        raise ValidationError({"agency": _("無効な機関には所属を追加できません。")})
    membership = Membership(
        user=user,
        agency=agency,
        role=role,
        start_date=start_date or timezone.localdate(),
        note=note,
    )
    membership.full_clean()
    membership.save()
    _forget_memberships(user)
    record(
        actor=actor,
        action="membership.create",
        obj=membership,
        basis=decision.basis,
        changes=["agency", "role", "start_date", *(["note"] if note else [])],
    )
    return membership


def _membership_close(*, actor: User, membership: Membership, end_date: date) -> Membership:
    if membership.end_date is not None:
        raise ValidationError({"end_date": _("この所属は既に終了しています。")})
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _("終了日は開始日以降の日付にしてください。")})
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    _forget_memberships(membership.user)
    record(
        actor=actor,
        action="membership.end",
        obj=membership,
        basis=policy.Basis.ADMIN,
        changes=["end_date"],
        kind="update",
    )
    return membership


def _require_handed_over(membership: Membership, leaving_on: date) -> None:
    """Refuse to end a membership while the worker still holds work at that agency (open cases,
    meeting roles, unanswered つなぐシート, outreach targets, places): it is handed over first, on
    the 異動・引継ぎ page (cases.services.transfer). Imported late: the work lives in later apps."""
    from cases.services.transfer import pending_message, pending_work

    items = pending_work(membership, on=leaving_on)
    if items:
        raise ValidationError(pending_message(items))


@transaction.atomic
def membership_end(*, actor: User, membership: Membership, end_date: date) -> Membership:
    """End a membership on `end_date` (the last day it counts). History is kept. Refused while
    the worker's work at the agency is not handed over."""
    policy.require(actor, "membership.manage", membership.user)
    membership = _fresh(Membership, membership.pk)
    _require_handed_over(membership, end_date + timedelta(days=1))
    return _membership_close(actor=actor, membership=membership, end_date=end_date)


@transaction.atomic
def membership_end_on_transfer(
    *, actor: User, membership: Membership, transfer_date: date
) -> Membership:
    """The last step of a transfer whose work was handed over (cases.services.transfer): the
    membership's last day is the day before `transfer_date`. The agency's supervisor may do this
    for a colleague; the new post, if any, is started by the administrator."""
    decision = policy.require(actor, "membership.transfer_out", membership)
    membership = _fresh(Membership, membership.pk)
    if transfer_date <= membership.start_date:
        raise ValidationError(
            {"transfer_date": _("異動日は現在の所属の開始日より後の日付にしてください。")}
        )
    if membership.end_date is not None and membership.end_date < transfer_date:
        raise ValidationError({"transfer_date": _("この所属は既に終了しています。")})
    _require_handed_over(membership, transfer_date)
    membership.end_date = transfer_date - timedelta(days=1)
    membership.save(update_fields=["end_date"])
    _forget_memberships(membership.user)
    record(
        actor=actor,
        action="membership.transfer",
        obj=membership,
        basis=decision.basis,
        changes=["end_date"],
        kind="update",
    )
    return membership


@transaction.atomic
def membership_transfer(
    *,
    actor: User,
    membership: Membership,
    to_agency: Agency,
    transfer_date: date,
    role: str | None = None,
    note: str = "",
) -> Membership:
    """An April transfer (異動): the old membership ends the day before `transfer_date` and a new
    one starts on it, both or neither. Returns the new membership."""
    decision = policy.require(actor, "membership.manage", membership.user)
    old = _fresh(Membership, membership.pk)
    if old.end_date is not None and old.end_date < transfer_date - timedelta(days=1):
        raise ValidationError({"transfer_date": _("この所属は既に終了しています。")})
    if transfer_date <= old.start_date:
        raise ValidationError(
            {"transfer_date": _("異動日は現在の所属の開始日より後の日付にしてください。")}
        )
    new_role = role or old.role
    if to_agency.pk == old.agency_id and new_role == old.role:
        raise ValidationError({"to_agency": _("異動先が現在の所属と同じです。")})
    if not to_agency.active:
        raise ValidationError({"to_agency": _("無効な機関には異動できません。")})
    if to_agency.pk != old.agency_id:
        _require_handed_over(old, transfer_date)
    old.end_date = transfer_date - timedelta(days=1)
    old.save(update_fields=["end_date"])
    new = Membership(
        user=old.user, agency=to_agency, role=new_role, start_date=transfer_date, note=note
    )
    try:
        new.full_clean()
    except ValidationError as exc:
        raise ValidationError({"to_agency": exc.messages})
    new.save()
    _forget_memberships(old.user)
    record(
        actor=actor,
        action="membership.transfer",
        obj=old,
        basis=decision.basis,
        changes=["end_date"],
        kind="update",
    )
    record(
        actor=actor,
        action="membership.create",
        obj=new,
        basis=decision.basis,
        changes=["agency", "role", "start_date", *(["note"] if note else [])],
    )
    return new


def _forget_memberships(user: User) -> None:
    # The per-instance membership cache would otherwise answer with the old roles.
    user.__dict__.pop("_membership_cache", None)

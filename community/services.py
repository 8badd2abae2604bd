"""Writes for community work. Every function checks the policy, runs in one transaction and
leaves an audit row (audit.services.record)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.policy import require
from audit.services import record

from .models import Resource
from .models.checks import not_after
from .policy import CommunityBasis

# What a form or API body may set on a resource; anything else is refused, so a crafted request
# cannot write public_id, version or created_by.
RESOURCE_FIELDS = (
    "name",
    "kana",
    "kind",
    "is_place",
    "description",
    "operator_name",
    "operator_kind",
    "resident_run",
    "operating_agency",
    "contact_name",
    "contact_phone",
    "area",
    "small_area",
    "address",
    "latitude",
    "longitude",
    "schedule",
    "schedule_note",
    "capacity",
    "target_groups",
    "mixes_generations",
    "functions",
    "min_age",
    "max_age",
    "min_hours_per_week",
    "max_hours_per_week",
    "transport",
    "cost_yen",
    "cost_note",
    "accessibility",
    "activities",
    "interest_tags",
    "accepts_helpers",
    "helper_roles",
    "host_needs",
    "host_experience",
    "csw",
    "shafuku_involvement",
    "shafuku_name",
    "funding_sources",
    "start_date",
    "end_date",
    "status",
    "note",
    "origin_issue",
    "origin_program",
)


class StaleVersion(ValidationError):
    pass


def _check_fields(data: dict) -> None:
    unknown = set(data) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")


@transaction.atomic
def resource_create(*, actor, **data) -> Resource:
    """Register a resource / place. Validates like the form (model clean + constraints)."""
    decision = require(actor, "resource.create")
    _check_fields(data)
    resource = Resource(created_by=actor, **data)
    resource.full_clean()
    resource.save()
    record(
        actor=actor,
        action="resource.create",
        obj=resource,
        basis=decision.basis,
        changes=sorted(k for k, v in data.items() if v not in (None, "", [], False)),
    )
    return resource


@transaction.atomic
def resource_update(
    *, actor, resource: Resource, expected_version: int | None = None, **data
) -> Resource:
    """Change a resource. `expected_version` (from the form) refuses a lost update. Operator
    staff may not move a resource to another operating agency (they would lose it)."""
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    decision = require(actor, "resource.update", locked)
    _check_fields(data)
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleVersion(
            _(
                "他の職員が先に更新しました。画面を開き直して、最新の内容を確認してから保存してください。"
            ),
            code="stale_version",
        )
    changed = [f for f, v in data.items() if getattr(locked, f) != v]
    if not changed:
        return locked
    if decision.basis == CommunityBasis.OPERATOR_STAFF and "operating_agency" in changed:
        new = data["operating_agency"]
        if new is None or new.pk not in actor.agency_ids():
            raise ValidationError(
                {
                    "operating_agency": _(
                        "運営機関を自分の所属していない機関に変更することはできません。"
                    )
                }
            )
    for field, value in data.items():
        setattr(locked, field, value)
    locked.full_clean()
    if "start_date" in changed:
        first = locked.sessions.aggregate(first=Min("held_on"))["first"]
        not_after(locked, "start_date", first, _("最初の開催記録"))
    updated = Resource.objects.filter(pk=locked.pk, version=locked.version).update(
        **{f: getattr(locked, f) for f in changed},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:  # pragma: no cover - guarded by the row lock above
        raise StaleVersion(_("他の職員が先に更新しました。画面を開き直してください。"))
    locked.refresh_from_db()
    record(actor=actor, action="resource.update", obj=locked, basis=decision.basis, changes=changed)
    return locked

"""Writes of the reports app: targets, the municipality profile, narrative fields; and the audit
rows of reading and exporting reports (counts only, but who produced which table is recorded)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import require
from audit.services import record

from . import figures
from .models import MunicipalityProfile, ReportNarrative, Target


def record_report_read(*, actor, report, via: str, action: str = "report.view", fmt: str = ""):
    record(
        actor=actor,
        action=action,
        object_type="reports.annual",
        object_id=f"{report.fiscal_year}@{report.as_of.isoformat()}",
        changes=[c for c in (f"via:{via}", f"format:{fmt}" if fmt else "") if c],
    )


@transaction.atomic
def target_set(
    *,
    actor,
    fiscal_year: int,
    figure_code: str,
    kind: str,
    value: Decimal | None = None,
    text: str = "",
    note: str = "",
) -> Target:
    """Set (or replace) the year's target for a figure: a number (量的) or a statement (質的)."""
    decision = require(actor, "report.manage")
    figure = figures.get(figure_code)
    errors = {}
    if figure is None:
        errors["figure_code"] = _("指標を選んでください。")
    if kind not in Target.Kind.values:
        errors["kind"] = _("目標の種類を選んでください。")
    elif kind == Target.Kind.QUANTITATIVE:
        if value is None:
            errors["value"] = _("量的目標には目標値を入力してください。")
        elif value < 0:
            errors["value"] = _("目標値は0以上で入力してください。")
    elif not (text or "").strip():
        errors["text"] = _("質的目標には目標の文章を入力してください。")
    if errors:
        raise ValidationError(errors)
    target, created = Target.objects.update_or_create(
        fiscal_year=fiscal_year,
        figure_code=figure_code,
        defaults={
            "kind": kind,
            "value": value if kind == Target.Kind.QUANTITATIVE else None,
            "text": (text or "").strip(),
            "note": note,
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    record(
        actor=actor,
        action="target.create" if created else "target.update",
        obj=target,
        basis=decision.basis,
        changes=["kind", "value", "text"],
    )
    return target


@transaction.atomic
def target_delete(*, actor, target: Target) -> None:
    decision = require(actor, "report.manage")
    record(actor=actor, action="target.delete", obj=target, basis=decision.basis)
    target.delete()


def _save_yearly(model, *, actor, fiscal_year: int, data: dict, action: str):
    decision = require(actor, "report.manage")
    fields = {f.name for f in model._meta.fields} - {
        "id",
        "fiscal_year",
        "updated_by",
        "updated_at",
    }
    data = {k: v for k, v in data.items() if k in fields}
    obj, created = model.objects.update_or_create(
        fiscal_year=fiscal_year,
        defaults={**data, "updated_by": actor, "updated_at": timezone.now()},
    )
    record(
        actor=actor,
        action=f"{action}.create" if created else f"{action}.update",
        obj=obj,
        basis=decision.basis,
        changes=sorted(data),
    )
    return obj


@transaction.atomic
def profile_save(*, actor, fiscal_year: int, data: dict) -> MunicipalityProfile:
    """The municipality's profile for one fiscal year (人口・世帯数・高齢化率 …)."""
    return _save_yearly(
        MunicipalityProfile, actor=actor, fiscal_year=fiscal_year, data=data, action="profile"
    )


@transaction.atomic
def narrative_save(*, actor, fiscal_year: int, data: dict) -> ReportNarrative:
    return _save_yearly(
        ReportNarrative, actor=actor, fiscal_year=fiscal_year, data=data, action="narrative"
    )

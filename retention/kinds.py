"""The record kinds that end without a support case (issue 17 item 3): consultations (相談受付)
that did not lead to a case, つなぐシート that ended (answered, returned or withdrawn) without
one, and outreach targets that reached 終結. For each: which records are unlinked to a case,
when a record ended (`ended_on`, the start of its retention period), and whom it names.

Records linked to a case belong to the case: its anonymisation clears them (services)."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from .models import RecordKind

RECORD_KINDS = (RecordKind.CONSULTATION, RecordKind.REFERRAL, RecordKind.OUTREACH_TARGET)


def model_of(kind: str):
    from cases.models import Consultation, Referral
    from outreach.models import OutreachTarget

    return {
        RecordKind.CONSULTATION: Consultation,
        RecordKind.REFERRAL: Referral,
        RecordKind.OUTREACH_TARGET: OutreachTarget,
    }[kind]


def _unlinked(kind: str) -> QuerySet:
    """The records of `kind` not linked to a support case, annotated with `ended_on` (None
    while the record has not ended)."""
    from cases.models import Referral
    from outreach.models import OutreachTarget, Stage

    model = model_of(kind)
    if kind == RecordKind.CONSULTATION:
        # Linked through a sheet (sent from it or answering it) or an outreach target with a
        # case; a sheet still in flight keeps it open. (Subqueries skip NULLs: NOT IN.)
        with_case = Referral.objects.filter(case__isnull=False)
        in_flight = Referral.objects.exclude(status__in=Referral.CLOSED)
        return (
            model.objects.exclude(
                pk__in=with_case.filter(consultation__isnull=False).values("consultation")
            )
            .exclude(
                pk__in=with_case.filter(handled_consultation__isnull=False).values(
                    "handled_consultation"
                )
            )
            .exclude(
                pk__in=OutreachTarget.objects.filter(
                    support_case__isnull=False, consultation__isnull=False
                ).values("consultation")
            )
            .annotate(
                ended_on=TruncDate("received_at", output_field=DateField()),
                in_flight=Q(
                    pk__in=in_flight.filter(consultation__isnull=False).values("consultation")
                ),
            )
        )
    if kind == RecordKind.REFERRAL:
        return model.objects.filter(case__isnull=True).annotate(
            ended_on=TruncDate(Coalesce("answered_at", "withdrawn_at"), output_field=DateField()),
            in_flight=~Q(status__in=model.CLOSED),
        )
    return model.objects.filter(support_case__isnull=True).annotate(
        ended_on=F("stage_changed_on"), in_flight=~Q(stage=Stage.CLOSED)
    )


def due(kind: str, cutoff: dt.date) -> QuerySet:
    """Ended records of `kind`, unlinked to a case, whose end is on or before `cutoff`."""
    return _unlinked(kind).filter(in_flight=False, ended_on__isnull=False, ended_on__lte=cutoff)


def live(kind: str, cutoff: dt.date) -> QuerySet:
    """Records of `kind`, unlinked to a case, that are open or still in their period."""
    return _unlinked(kind).exclude(pk__in=due(kind, cutoff).values("pk"))


def people(record) -> tuple[set[int], set[int]]:
    """(persons, households) a record names."""
    household = getattr(record, "household_id", None)
    return {record.person_id} - {None}, {household} - {None}


def label(kind: str, record) -> str:
    """The ledger's label: a number, or the consultation's date — never a name."""
    if kind == RecordKind.CONSULTATION:
        return f"相談受付 {record.ended_on:%Y-%m-%d} #{record.pk}"
    return record.number

"""Reads of grants and the ledger for one person (the page 「この人の情報を見られる機関と根拠」)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .models import AccessGrant, Disclosure


def current_grants_for_person(person) -> list[AccessGrant]:
    """Grants in force on the person's record, and on the cases that cover the person, each
    access listed once.

    The case sync derives some accesses through two paths: the body running a case holds each
    consenting person's grant through its team row and again as the coordinating agency (rows
    that differ only in `source_ref`, which the page does not show). Ending one path leaves the
    other, so both rows stay; the list keeps the first of those that read the same."""
    from cases.models import SupportCase

    cases = SupportCase.objects.filter(
        Q(persons=person) | Q(principal=person) | Q(household__members__person=person)
    ).values("pk")
    grants = (
        AccessGrant.objects.active()
        .filter(Q(person=person) | Q(person__isnull=True, case__in=cases))
        .select_related("agency", "user", "basis", "case", "provider")
        .order_by("agency__name", "basis__order", "valid_from", "pk")
    )
    seen, listed = set(), []
    for g in grants:
        key = (
            g.agency_id,
            g.user_id,
            g.basis_id,
            g.provider_id,
            g.source,
            g.case_id,
            g.person_id,
            tuple(g.sections),
            g.valid_from,
            g.valid_until,
        )
        if key not in seen:
            seen.add(key)
            listed.append(g)
    return listed


def meeting_bodies_for_person(person):
    """Bodies whose members see the person through an agenda item, within the basis's look-back
    (支援会議, 要対協 …: no grant row, the membership is the basis)."""
    from meetings.models import AgendaItem

    now = timezone.now()
    rows = (
        AgendaItem.objects.filter(persons=person, meeting__body__basis__consent_required=False)
        .exclude(meeting__status="cancelled")
        .select_related("meeting__body__basis")
        .order_by("-meeting__starts_at")
    )
    seen = {}
    for item in rows:
        body = item.meeting.body
        until = item.meeting.starts_at + dt.timedelta(days=body.basis.lookback_days)
        if until > now and body.pk not in seen:
            seen[body.pk] = (body, until)
    return list(seen.values())


def ledger_for_person(person):
    return (
        Disclosure.objects.filter(person=person)
        .select_related("agency", "user", "basis", "recorded_by")
        .order_by("-at", "-pk")
    )

"""Consent (本人同意) expiry: it gates what other agencies may see, so the case team must renew it
before it lapses. Only consents that matter now — the person's household (or the person) has an
open support case — and that no newer consent in force already replaces.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ..models import Level, ref_for
from .registry import Hit, RuleContext, Setting, register, safe_url
from .support import OPEN


@register(
    code="consent_expiry",
    area="consent",
    label=_("本人同意の有効期限"),
    description=_(
        "継続中のケースに関わる本人同意の有効期限N日前から知らせ、期限が切れたら至急で知らせる。"
    ),
    threshold_label=_("期限の何日前に知らせるか"),
    default_threshold=30,
    default_escalation=7,
    unit="days",
    requires=(
        "cases.Consent.valid_until",
        "cases.Consent.withdrawn_at",
        "cases.SupportCase.principal",
    ),
)
def consent_expiry(ctx: RuleContext, setting: Setting):
    """Step 0: expiring within N days → case coordinators and the staff who took the consent.
    Step 1: expired (the day after valid_until) → the same, urgent."""
    from cases.models import Consent, SupportCase

    open_cases = SupportCase.objects.filter(status__in=OPEN)
    relevant = (
        Exists(open_cases.filter(household_id=OuterRef("household_id")))
        | Exists(open_cases.filter(principal_id=OuterRef("person_id")))
        | Exists(open_cases.filter(persons=OuterRef("person_id")))
    )
    # Renewed: another consent of the same person, in force, lasting longer (or open-ended).
    renewed = (
        Consent.objects.filter(
            person_id=OuterRef("person_id"), withdrawn_at__isnull=True, given_on__lte=ctx.today
        )
        .exclude(pk=OuterRef("pk"))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    )
    consents = list(
        Consent.objects.filter(
            valid_until__isnull=False,
            valid_until__lte=ctx.today + timedelta(days=setting.threshold),
            withdrawn_at__isnull=True,
        )
        .filter(relevant)
        .filter(~Exists(renewed))
        .only(
            "id",
            "public_id",
            "person_id",
            "household_id",
            "valid_until",
            "explained_by_id",
            "recorded_by_agency_id",
        )
        .order_by("pk")
    )
    if not consents:
        return
    persons = {c.person_id for c in consents}
    households = {c.household_id for c in consents if c.household_id}
    # Three index-friendly queries (by household, by principal, by member) rather than one OR
    # across the M2M join, which PostgreSQL cannot answer from indexes.
    fields = (
        "pk",
        "number",
        "coordinator_id",
        "coordinating_agency_id",
        "lead_agency_id",
        "public_id",
    )
    by_household: dict = {}
    by_person: dict = {}

    def entry(row):
        pk, number, coordinator, coord_agency, lead, public_id = row
        return (pk, number, coordinator, coord_agency or lead, public_id)

    for *row, hh in open_cases.filter(household_id__in=households).values_list(
        *fields, "household_id"
    ):
        by_household.setdefault(hh, set()).add(entry(row))
    for *row, person in open_cases.filter(principal_id__in=persons).values_list(
        *fields, "principal_id"
    ):
        by_person.setdefault(person, set()).add(entry(row))
    for *row, person in open_cases.filter(persons__in=persons).values_list(*fields, "persons"):
        by_person.setdefault(person, set()).add(entry(row))
    d = ctx.directory
    for c in consents:
        cases = sorted(by_household.get(c.household_id, set()) | by_person.get(c.person_id, set()))
        if not cases:
            continue
        recipients: set[int] = set()
        for _pk, _number, coordinator, agency_id, _public_id in cases:
            recipients |= {coordinator} if d.is_current(coordinator) else d.coordinators(agency_id)
        if d.is_current(c.explained_by_id, c.recorded_by_agency_id):
            recipients.add(c.explained_by_id)
        if not recipients:
            continue
        numbers = [n for _pk, n, *_rest in cases[:3]]
        expired = ctx.today > c.valid_until
        first = cases[0]
        yield Hit(
            object_ref=ref_for("cases.consent", c.pk),
            due_date=c.valid_until,
            step=1 if expired else 0,
            recipients=recipients,
            subject=first[1],
            title="consent_expiry.expired" if expired else "consent_expiry.approaching",
            params={"n": numbers, "date": c.valid_until.strftime("%Y-%m-%d")},
            body=("consent_expiry.expired_body",) if expired else (),
            url=safe_url(None, "cases:case_detail", first[4]),
            agency_id=first[3],
            level=Level.URGENT if expired else Level.NORMAL,
        )

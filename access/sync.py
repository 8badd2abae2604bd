"""Derived grants of a support case: the case team, the 主担当 and the consents in force.

`sync_case(case)` recomputes the grants a case's team rows, 主担当 and consents give, compares
them with the rows in force and ends, changes or adds rows (never deletes). It runs after every
write of a team row, a consent, a household membership or the case itself (access.signals), and
from the data migration that filled the table, so it takes the model classes as an argument
(`apps.get_model` in a migration, the real ones otherwise).

The rules it encodes (DOMAIN §8, unchanged from the computed rule it replaces):
- the 多機関協働 body running the case sees it through its team row (basis 多機関協働事業);
- another agency on the team — or the 主担当, also after closure — sees the case when a consent
  in force of a person the case lists (or its 本人) names that agency (basis 本人同意);
- an agency on the team (or lead or running the case) sees a covered person (listed, 本人 or a
  current member of the case's household) when a consent of that person in force names it, and
  only the sections the consent covers.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from . import bases


@dataclass
class Models:
    AccessGrant: type
    Consent: type
    CaseTeamMember: type
    HouseholdMember: type
    LegalBasis: type
    Disclosure: type
    SupportCase: type

    @classmethod
    def real(cls) -> "Models":
        from django.apps import apps

        return cls.from_apps(apps)

    @classmethod
    def from_apps(cls, apps) -> "Models":
        return cls(
            AccessGrant=apps.get_model("access", "AccessGrant"),
            Consent=apps.get_model("cases", "Consent"),
            CaseTeamMember=apps.get_model("cases", "CaseTeamMember"),
            HouseholdMember=apps.get_model("cases", "HouseholdMember"),
            LegalBasis=apps.get_model("access", "LegalBasis"),
            Disclosure=apps.get_model("access", "Disclosure"),
            SupportCase=apps.get_model("cases", "SupportCase"),
        )


CASE_TEAM = "case_team"
LEAD = "lead"
DERIVED = (CASE_TEAM, LEAD)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_after(day: dt.date | None) -> dt.datetime | None:
    """The exclusive end of a period whose last day is `day` (None: open-ended)."""
    return None if day is None else day_start(day + dt.timedelta(days=1))


def _min_end(*ends):
    real = [e for e in ends if e is not None]
    return min(real) if real else None


def _consents(m: Models, person_ids, now):
    today = timezone.localdate(now)
    rows = (
        m.Consent.objects.filter(person_id__in=person_ids)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .only("pk", "person_id", "given_on", "valid_until", "info_kinds", "recorded_by_agency_id")
    )
    consents = {c.pk: c for c in rows}
    through = m.Consent.agencies.through.objects.filter(consent_id__in=list(consents))
    agencies: dict[int, set[int]] = {}
    for consent_id, agency_id in through.values_list("consent_id", "agency_id"):
        agencies.setdefault(consent_id, set()).add(agency_id)
    return [(c, agencies.get(c.pk, set())) for c in consents.values()]


def desired(case, m: Models, now=None) -> dict[tuple, dict]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    case_ref = f"cases.supportcase:{case.pk}"
    team = list(
        m.CaseTeamMember.objects.filter(case_id=case.pk).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=today)
        )
    )
    listed = set(
        m.SupportCase.persons.through.objects.filter(supportcase_id=case.pk).values_list(
            "person_id", flat=True
        )
    )
    if case.principal_id:
        listed.add(case.principal_id)
    members = set(
        m.HouseholdMember.objects.filter(household_id=case.household_id)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .values_list("person_id", flat=True)
    )
    covered = listed | members
    consents = _consents(m, covered, now)
    out: dict[tuple, dict] = {}

    def add(
        *,
        agency_id,
        person_id,
        source,
        source_ref,
        basis,
        basis_ref,
        start,
        end,
        sections,
        provider=None,
    ):
        key = (agency_id, case.pk, person_id, source, source_ref, basis, basis_ref)
        row = out.get(key)
        if row is None:
            out[key] = {
                "valid_from": start,
                "valid_until": end,
                "sections": sorted(sections),
                "provider_id": provider,
            }
            return
        row["valid_from"] = min(row["valid_from"], start)
        row["valid_until"] = (
            None if row["valid_until"] is None or end is None else max(row["valid_until"], end)
        )
        row["sections"] = sorted(set(row["sections"]) | set(sections))

    def case_grants(agency_id, source, source_ref, start, end):
        if agency_id == case.coordinating_agency_id:
            add(
                agency_id=agency_id,
                person_id=None,
                source=source,
                source_ref=source_ref,
                basis=bases.TAJIKAN,
                basis_ref="",
                start=start,
                end=end,
                sections=[],
                provider=case.coordinating_agency_id,
            )
            return
        for consent, agency_ids in consents:
            if agency_id in agency_ids and consent.person_id in listed:
                add(
                    agency_id=agency_id,
                    person_id=None,
                    source=source,
                    source_ref=source_ref,
                    basis=bases.CONSENT,
                    basis_ref=f"cases.consent:{consent.pk}",
                    provider=consent.recorded_by_agency_id,
                    start=max(start, day_start(consent.given_on)),
                    end=_min_end(end, day_after(consent.valid_until)),
                    sections=[],
                )

    def person_grants(agency_id, source, source_ref, start, end):
        for consent, agency_ids in consents:
            if agency_id in agency_ids:
                add(
                    agency_id=agency_id,
                    person_id=consent.person_id,
                    source=source,
                    source_ref=source_ref,
                    basis=bases.CONSENT,
                    basis_ref=f"cases.consent:{consent.pk}",
                    provider=consent.recorded_by_agency_id,
                    start=max(start, day_start(consent.given_on)),
                    end=_min_end(end, day_after(consent.valid_until)),
                    sections=[k for k in consent.info_kinds or [] if isinstance(k, str)],
                )

    for row in team:
        ref = f"cases.caseteammember:{row.pk}"
        start, end = day_start(row.joined_on), day_after(row.left_on)
        case_grants(row.agency_id, CASE_TEAM, ref, start, end)
        person_grants(row.agency_id, CASE_TEAM, ref, start, end)
    opened = day_start(case.opened_on)
    if case.lead_agency_id:
        case_grants(case.lead_agency_id, LEAD, case_ref, opened, None)
        person_grants(case.lead_agency_id, LEAD, case_ref, opened, None)
    if case.coordinating_agency_id:
        person_grants(case.coordinating_agency_id, CASE_TEAM, case_ref, opened, None)
    return out


def sync_case(case, m: Models | None = None, *, actor=None, now=None) -> tuple[int, int]:
    """Bring the derived grants of `case` in step; returns (added, ended)."""
    m = m or Models.real()
    now = now or timezone.now()
    want = desired(case, m, now)
    basis_ids = dict(m.LegalBasis.objects.values_list("code", "pk"))
    codes = {pk: code for code, pk in basis_ids.items()}
    current = m.AccessGrant.objects.filter(
        case_id=case.pk, source__in=DERIVED, ended_at__isnull=True
    )
    added = ended = 0
    seen = set()
    for grant in current:
        key = (
            grant.agency_id,
            grant.case_id,
            grant.person_id,
            grant.source,
            grant.source_ref,
            codes.get(grant.basis_id),
            grant.basis_ref,
        )
        row = want.get(key)
        if row is None or key in seen:
            grant.ended_at = now
            grant.ended_reason = "支援チーム・主担当・同意の変更"
            grant.save(update_fields=["ended_at", "ended_reason"])
            ended += 1
            continue
        seen.add(key)
        changed = []
        for field in ("valid_from", "valid_until", "sections", "provider_id"):
            if getattr(grant, field) != row[field]:
                setattr(grant, field, row[field])
                changed.append(field)
        if changed:
            grant.save(update_fields=changed)
    for key, row in want.items():
        if key in seen:
            continue
        agency_id, case_id, person_id, source, source_ref, basis, basis_ref = key
        if row["valid_until"] is not None and row["valid_until"] <= row["valid_from"]:
            continue
        grant = m.AccessGrant.objects.create(
            agency_id=agency_id,
            case_id=case_id,
            person_id=person_id,
            source=source,
            source_ref=source_ref,
            basis_id=basis_ids[basis],
            basis_ref=basis_ref,
            sections=row["sections"],
            provider_id=row["provider_id"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            created_by=actor,
            created_at=now,
        )
        added += 1
        if person_id is not None:
            m.Disclosure.objects.create(
                person_id=person_id,
                sections=row["sections"],
                agency_id=agency_id,
                channel="grant",
                basis_id=basis_ids[basis],
                basis_ref=basis_ref,
                grant=grant,
                at=max(now, row["valid_from"]),
                until=row["valid_until"],
                recorded_by=actor,
            )
    return added, ended


def cases_covering_person(person_id, m: Models | None = None):
    """Ids of the cases a consent of this person may matter to (listed, 本人 or household)."""
    m = m or Models.real()
    households = m.HouseholdMember.objects.filter(person_id=person_id).values("household_id")
    return set(
        m.SupportCase.objects.filter(
            Q(persons__id=person_id) | Q(principal_id=person_id) | Q(household_id__in=households)
        ).values_list("pk", flat=True)
    )

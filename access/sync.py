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


def _consents(m: Models, person_ids, now) -> dict[int, list]:
    """The consents in force of these persons, each with the agencies it names, by person."""
    today = timezone.localdate(now)
    rows = (
        m.Consent.objects.filter(person_id__in=person_ids)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .only("pk", "person_id", "given_on", "valid_until", "info_kinds", "recorded_by_agency_id")
        .order_by("pk")
    )
    consents = {c.pk: c for c in rows}
    through = m.Consent.agencies.through.objects.filter(consent_id__in=list(consents))
    agencies: dict[int, set[int]] = {}
    for consent_id, agency_id in through.values_list("consent_id", "agency_id"):
        agencies.setdefault(consent_id, set()).add(agency_id)
    by_person: dict[int, list] = {}
    for c in consents.values():
        by_person.setdefault(c.person_id, []).append((c, agencies.get(c.pk, set())))
    return by_person


@dataclass
class Facts:
    """What the rules read, loaded once for a batch of cases (a handful of queries per batch)."""

    team: dict[int, list]
    listed: dict[int, set[int]]
    members: dict[int, set[int]]
    consents: dict[int, list]

    @classmethod
    def load(cls, cases, m: Models, now) -> "Facts":
        today = timezone.localdate(now)
        case_ids = [c.pk for c in cases]
        team: dict[int, list] = {}
        for row in m.CaseTeamMember.objects.filter(case_id__in=case_ids).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=today)
        ):
            team.setdefault(row.case_id, []).append(row)
        listed: dict[int, set[int]] = {}
        for case_id, person_id in m.SupportCase.persons.through.objects.filter(
            supportcase_id__in=case_ids
        ).values_list("supportcase_id", "person_id"):
            listed.setdefault(case_id, set()).add(person_id)
        for case in cases:
            if case.principal_id:
                listed.setdefault(case.pk, set()).add(case.principal_id)
        members: dict[int, set[int]] = {}
        for household_id, person_id in (
            m.HouseholdMember.objects.filter(household_id__in={c.household_id for c in cases})
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
            .values_list("household_id", "person_id")
        ):
            members.setdefault(household_id, set()).add(person_id)
        covered = set().union(*listed.values(), *members.values())
        return cls(team, listed, members, _consents(m, covered, now))


def desired(case, m: Models, now=None, facts: Facts | None = None) -> dict[tuple, dict]:
    now = now or timezone.now()
    facts = facts or Facts.load([case], m, now)
    case_ref = f"cases.supportcase:{case.pk}"
    team = facts.team.get(case.pk, [])
    listed = facts.listed.get(case.pk, set())
    covered = listed | facts.members.get(case.household_id, set())
    consents = [pair for pid in sorted(covered) for pair in facts.consents.get(pid, [])]
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
    return sync_cases([case], m, actor=actor, now=now)


ENDED_REASON = "支援チーム・主担当・同意の変更"


def sync_cases(cases, m: Models | None = None, *, actor=None, now=None) -> tuple[int, int]:
    """Bring the derived grants of a batch of cases in step; returns (added, ended).

    Set-based: the facts, the grants in force and the writes are a fixed number of queries per
    batch, whatever its size (the data migration over 20,000 cases took 30 minutes one case at a
    time). Callers with many cases pass them in batches of a few hundred."""
    m = m or Models.real()
    now = now or timezone.now()
    cases = list(cases)
    if not cases:
        return 0, 0
    facts = Facts.load(cases, m, now)
    basis_ids = dict(m.LegalBasis.objects.values_list("code", "pk"))
    codes = {pk: code for code, pk in basis_ids.items()}
    current: dict[int, list] = {}
    for grant in m.AccessGrant.objects.filter(
        case_id__in=[c.pk for c in cases], source__in=DERIVED, ended_at__isnull=True
    ).order_by("pk"):
        current.setdefault(grant.case_id, []).append(grant)
    ended_rows, changed_rows, new_rows = [], [], []
    for case in cases:
        want = desired(case, m, now, facts)
        seen = set()
        for grant in current.get(case.pk, []):
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
                grant.ended_reason = ENDED_REASON
                ended_rows.append(grant)
                continue
            seen.add(key)
            changed = False
            for field in ("valid_from", "valid_until", "sections", "provider_id"):
                if getattr(grant, field) != row[field]:
                    setattr(grant, field, row[field])
                    changed = True
            if changed:
                changed_rows.append(grant)
        for key, row in want.items():
            if key in seen:
                continue
            agency_id, case_id, person_id, source, source_ref, basis, basis_ref = key
            if row["valid_until"] is not None and row["valid_until"] <= row["valid_from"]:
                continue
            new_rows.append(
                m.AccessGrant(
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
            )
    if ended_rows:
        m.AccessGrant.objects.bulk_update(ended_rows, ["ended_at", "ended_reason"])
    if changed_rows:
        m.AccessGrant.objects.bulk_update(
            changed_rows, ["valid_from", "valid_until", "sections", "provider_id"]
        )
    created = m.AccessGrant.objects.bulk_create(new_rows)
    m.Disclosure.objects.bulk_create(
        m.Disclosure(
            person_id=grant.person_id,
            sections=grant.sections,
            agency_id=grant.agency_id,
            channel="grant",
            basis_id=grant.basis_id,
            basis_ref=grant.basis_ref,
            grant=grant,
            at=max(now, grant.valid_from),
            until=grant.valid_until,
            recorded_by=actor,
        )
        for grant in created
        if grant.person_id is not None
    )
    return len(created), len(ended_rows)


def sync_all(queryset, m: Models | None = None, *, actor=None, batch: int = 500):
    """sync_cases over a queryset of cases in batches; returns (cases, added, ended)."""
    total = added = ended = 0
    chunk = []
    for case in queryset.order_by("pk").iterator(chunk_size=batch):
        chunk.append(case)
        if len(chunk) == batch:
            a, e = sync_cases(chunk, m, actor=actor)
            total, added, ended = total + len(chunk), added + a, ended + e
            chunk = []
    if chunk:
        a, e = sync_cases(chunk, m, actor=actor)
        total, added, ended = total + len(chunk), added + a, ended + e
    return total, added, ended


def cases_covering_person(person_id, m: Models | None = None):
    """Ids of the cases a consent of this person may matter to (listed, 本人 or household)."""
    m = m or Models.real()
    households = m.HouseholdMember.objects.filter(person_id=person_id).values("household_id")
    return set(
        m.SupportCase.objects.filter(
            Q(persons__id=person_id) | Q(principal_id=person_id) | Q(household_id__in=households)
        ).values_list("pk", flat=True)
    )

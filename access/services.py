"""Giving and ending access grants, and writing the disclosure ledger (the API for other apps).

See /work/notes/access-api.md (and access/README in the module docstrings): a service that gives
work on a case or a person (a meeting role, a referral receipt, an outreach visit) calls
`grant_give(...)` in its transaction with `source_ref=ref(work_item)`, and the service that ends
that work calls `grants_end(source_ref=ref(work_item), ...)`. Every grant on a person writes a
ledger row (提供記録) and every call writes an audit row.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import record

from . import bases
from .models import AccessGrant, Disclosure, GrantSource, LegalBasis
from .sync import day_after


def ref(obj: models.Model) -> str:
    """The opaque reference of a work item or basis document: "<app>.<model>:<pk>"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def basis_for(code: str) -> LegalBasis:
    """A row of the registry (cached per process; the rows change rarely)."""
    cache = _BASIS_CACHE
    row = cache.get(code)
    if row is None:
        row = LegalBasis.objects.get(code=code)
        cache[code] = row
    return row


_BASIS_CACHE: dict[str, LegalBasis] = {}


def clear_basis_cache() -> None:
    _BASIS_CACHE.clear()


def registry_ensure() -> None:
    """Put back the seed rows of the registry when some are missing (a database flushed by
    transactional tests loses what the data migration wrote); a no-op otherwise."""
    if LegalBasis.objects.count() >= len(bases.SEED):
        return
    for row in bases.SEED:
        LegalBasis.objects.update_or_create(code=row["code"], defaults=row)
    clear_basis_cache()


@transaction.atomic
def grant_give(
    *,
    agency,
    basis: str | LegalBasis,
    source: str,
    source_ref: str,
    actor=None,
    user=None,
    case=None,
    persons: Iterable = (),
    sections: Iterable[str] | None = None,
    basis_ref: str = "",
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    reason: str = "",
    provider=None,
) -> list[AccessGrant]:
    """Give `agency` (or only `user` there) access to `case` and/or each of `persons`.

    `sections` defaults to the basis's sections (the registry row); for persons it is capped by
    them. A grant on a person writes a ledger row. Giving the same source twice does not
    duplicate: grants of `source_ref` in force for the same agency/user/case/person are kept.
    """
    row = basis if isinstance(basis, LegalBasis) else basis_for(basis)
    if source not in GrantSource.values:
        raise ValueError(f"unknown grant source {source!r}")
    allowed = set(row.sections)
    chosen = sorted(allowed if sections is None else set(sections) & allowed)
    now = timezone.now()
    valid_from = valid_from or now
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationError(_("アクセスの終了は開始より後にしてください。"))
    existing = set(
        AccessGrant.objects.active(valid_from)
        .filter(source_ref=source_ref, agency=agency, user=user)
        .values_list("case_id", "person_id")
    )
    made: list[AccessGrant] = []
    targets = []
    if case is not None:
        targets.append((case, None))
    targets += [(case, p) for p in persons if p is not None]
    for target_case, person in targets:
        key = (target_case.pk if target_case else None, person.pk if person else None)
        if key in existing:
            continue
        existing.add(key)
        grant = AccessGrant.objects.create(
            agency=agency,
            user=user,
            case=target_case,
            person=person,
            sections=chosen if person is not None else [],
            basis=row,
            source=source,
            source_ref=source_ref,
            basis_ref=basis_ref,
            provider=provider,
            valid_from=valid_from,
            valid_until=valid_until,
            reason=reason,
            created_by=actor,
        )
        made.append(grant)
        if person is not None:
            Disclosure.objects.create(
                person=person,
                sections=chosen,
                agency=agency,
                user=user,
                channel=(
                    Disclosure.Channel.EMERGENCY if row.is_emergency else Disclosure.Channel.GRANT
                ),
                basis=row,
                basis_ref=basis_ref,
                grant=grant,
                at=max(now, valid_from),
                until=valid_until,
                recorded_by=actor,
            )
    if made:
        record(
            actor=actor,
            action="grant.give",
            obj=made[0],
            basis=row.code,
            changes=["agency", "case", "persons", "sections", "valid_until"],
            subjects=[g.audit_label() for g in made],
        )
    return made


@transaction.atomic
def grants_end(
    *, source_ref: str = "", basis_ref: str = "", at=None, actor=None, reason: str = ""
) -> int:
    """End the grants given for a work item (`source_ref`) or on a basis document
    (`basis_ref`, e.g. a withdrawn consent) at `at` (now by default; a later time keeps them
    until then — the basis's tail after a role ends)."""
    if not source_ref and not basis_ref:
        raise ValueError("grants_end needs source_ref or basis_ref")
    now = timezone.now()
    at = at or now
    qs = AccessGrant.objects.filter(ended_at__isnull=True)
    qs = qs.filter(source_ref=source_ref) if source_ref else qs.filter(basis_ref=basis_ref)
    count = 0
    for grant in qs:
        if at <= now or at <= grant.valid_from:
            end = now
            grant.ended_at = now
            grant.ended_reason = reason[:200]
            grant.save(update_fields=["ended_at", "ended_reason"])
        elif grant.valid_until is None or grant.valid_until > at:
            end = at
            grant.valid_until = at
            grant.ended_reason = reason[:200]
            grant.save(update_fields=["valid_until", "ended_reason"])
        else:
            continue
        Disclosure.objects.filter(grant=grant).filter(
            Q(until__isnull=True) | Q(until__gt=end)
        ).update(until=end)
        count += 1
    if count:
        record(
            actor=actor,
            action="grant.end",
            object_type="access.accessgrant",
            object_id=source_ref or basis_ref,
            changes=["ended_at"],
        )
    return count


def ledger_record(
    *,
    person,
    agency,
    channel: str,
    basis: str | LegalBasis,
    sections: Iterable[str],
    actor=None,
    user=None,
    basis_ref: str = "",
    until: dt.datetime | None = None,
) -> Disclosure:
    """A ledger row for a disclosure that is not a grant (meeting papers, an export, a
    referral sheet sent): what of whom went to which agency, on which basis, until when."""
    row = basis if isinstance(basis, LegalBasis) else basis_for(basis)
    return Disclosure.objects.create(
        person=person,
        sections=sorted(set(sections)),
        agency=agency,
        user=user,
        channel=channel,
        basis=row,
        basis_ref=basis_ref,
        until=until,
        recorded_by=actor,
    )


# --- work items of other apps -------------------------------------------------------------


def _role_persons(item) -> list:
    """The persons a role on this item is about: the item's own, else its case's."""
    persons = list(item.persons.all())
    if item.case_id and not persons:
        persons = list(item.case.persons.all())
    return persons


def role_grant_give(*, assignment, actor) -> list[AccessGrant]:
    """A role assigned by a meeting decision opens its case and the item's persons to the owner
    agency (or only the named owner), on the basis of the meeting body, until the role's due
    date plus the basis's tail (open-ended without a due date, until the role is done).

    On a basis that needs consent (重層的支援会議), a person is opened only if a consent in force
    names the owner agency, with that consent's sections."""
    from cases.models import Consent

    decision = assignment.decision
    item = decision.item
    body = item.meeting.body
    row = body_basis(body)
    persons = _role_persons(item)
    until = None
    if assignment.due_on:
        until = day_after(assignment.due_on + dt.timedelta(days=row.tail_days))
    source_ref = ref(assignment)
    made = []
    if row.consent_required:
        consents = {
            c.person_id: c
            for c in Consent.objects.in_force()
            .filter(person__in=persons, agencies=assignment.owner_agency)
            .order_by("given_on", "pk")
        }
        for person in persons:
            consent = consents.get(person.pk)
            if consent is not None:
                made += grant_give(
                    agency=assignment.owner_agency,
                    user=assignment.owner_user,
                    persons=[person],
                    case=None,
                    basis=row,
                    source=GrantSource.ROLE,
                    source_ref=source_ref,
                    basis_ref=ref(consent),
                    sections=consent.info_kinds,
                    valid_until=until,
                    actor=actor,
                    provider=consent.recorded_by_agency,
                )
        if item.case_id and consents:
            made += grant_give(
                agency=assignment.owner_agency,
                user=assignment.owner_user,
                case=item.case,
                basis=row,
                source=GrantSource.ROLE,
                source_ref=source_ref,
                basis_ref=ref(decision),
                valid_until=until,
                actor=actor,
                provider=body.convenor,
            )
        return made
    made += grant_give(
        agency=assignment.owner_agency,
        user=assignment.owner_user,
        case=item.case if item.case_id else None,
        persons=persons,
        basis=row,
        source=GrantSource.ROLE,
        source_ref=source_ref,
        basis_ref=ref(decision),
        valid_until=until,
        actor=actor,
        provider=body.convenor,
    )
    return made


def role_opens_case(*, item, agency) -> bool:
    """Would a role given to `agency` on this item let it open what the role is about?

    On a body whose basis needs consent (重層的支援会議) `role_grant_give` opens nothing to an
    agency that no consent in force of the item's persons names; such a role would send its
    owner to pages that refuse them. The agency may still see the case on another basis in force
    (the 多機関協働 body running it, the 主担当, a grant of its own)."""
    from cases.models import Consent

    if not body_basis(item.meeting.body).consent_required:
        return True
    persons = _role_persons(item)
    if not persons and not item.case_id:
        return True  # a general item: the role is about no one, there is nothing to open
    if Consent.objects.in_force().filter(person__in=persons, agencies=agency).exists():
        return True
    if not item.case_id:
        return False
    return (
        AccessGrant.objects.active()
        .filter(case_id=item.case_id, agency=agency, user__isnull=True)
        .exists()
    )


def role_grant_end(*, assignment, actor, on: dt.date | None = None, reason: str = "") -> int:
    """The role is done or cancelled: its grants end after the basis's tail."""
    row = body_basis(assignment.decision.item.meeting.body)
    on = on or timezone.localdate()
    return grants_end(
        source_ref=ref(assignment),
        at=day_after(on + dt.timedelta(days=row.tail_days)) if row.tail_days else None,
        actor=actor,
        reason=reason or str(_("役割の完了・終了")),
    )


def body_basis(body) -> LegalBasis:
    """The basis a meeting body carries (its registry row)."""
    if getattr(body, "basis_id", None):
        return body.basis
    return basis_for(bases.BODY_KIND_DEFAULT.get(body.kind, bases.SHIEN_KAIGI))


def consent_withdrawn(*, consent, actor) -> int:
    """Withdrawal ends at once every grant given on that consent (derived or by work)."""
    return grants_end(basis_ref=ref(consent), actor=actor, reason=str(_("本人同意の撤回")))


# --- the ledger for papers, exports and referral sheets ---------------------------------------

# Policy bases (agencies.policy.Basis) as the registry rows they stand on; the agency's own
# records (same_agency) cross no boundary and are not a disclosure.
_REGISTRY_OF_POLICY_BASIS = {"case_team": bases.TAJIKAN, "consent": bases.CONSENT}
_NOT_DISCLOSED = frozenset({"same_agency", "admin", ""})


def _receiving_agency_id(user, persons=()) -> int | None:
    """The agency through which `user` receives the information: their first care agency (the
    policy opens records per agency), else their first agency."""
    from cases.policy.persons import care_agency_ids

    care = sorted(care_agency_ids(user))
    if care:
        return care[0]
    memberships = user.current_memberships() if user is not None else []
    return memberships[0].agency_id if memberships else None


def _ledger_rows(rows: list[Disclosure]) -> list[Disclosure]:
    return Disclosure.objects.bulk_create(rows) if rows else []


def ledger_export(*, actor, person_ids: Iterable[int | None]) -> list[Disclosure]:
    """An export (CSV/XLSX) by `actor` holds these persons: one ledger row per person whose
    record the actor's agency sees on a basis other than its own registration (consent, a
    grant, a meeting), with that basis and the sections the actor may see."""
    from cases.models import Person
    from cases.policy.persons import person_decisions

    ids = {pk for pk in person_ids if pk is not None}
    agency_id = _receiving_agency_id(actor)
    if not ids or agency_id is None:
        return []
    persons = Person.objects.filter(pk__in=ids).only("pk", "registered_by_agency_id")
    decisions = person_decisions(actor, list(persons))
    registry = {b.code: b for b in LegalBasis.objects.all()}
    now = timezone.now()
    rows = []
    for pk, decision in decisions.items():
        if not decision.allowed or decision.basis in _NOT_DISCLOSED:
            continue
        row = registry.get(_REGISTRY_OF_POLICY_BASIS.get(decision.basis, decision.basis))
        if row is None:
            continue
        rows.append(
            Disclosure(
                person_id=pk,
                sections=sorted(set(decision.sections) & set(row.sections or decision.sections)),
                agency_id=agency_id,
                user=actor,
                channel=Disclosure.Channel.EXPORT,
                basis=row,
                at=now,
                recorded_by=actor,
            )
        )
    return _ledger_rows(rows)


def ledger_papers(*, actor, items: Iterable) -> list[Disclosure]:
    """Meeting papers printed by `actor`: one ledger row per person each item covers (only the
    items the actor may open — the caller filters), on the basis of the meeting's body, until
    the end of the basis's look-back. A person the actor's own agency registered is no
    disclosure."""
    agency_id = _receiving_agency_id(actor)
    if agency_id is None:
        return []
    from django.db.models import prefetch_related_objects

    items = list(items)
    prefetch_related_objects(items, "persons")  # one query for every item's persons
    own = set(actor.agency_ids())
    now = timezone.now()
    rows = []
    for item in items:
        meeting = item.meeting
        row = body_basis(meeting.body)
        until = meeting.starts_at + dt.timedelta(days=row.lookback_days or 0)
        for person in item.persons.all():
            if person.registered_by_agency_id in own:
                continue
            rows.append(
                Disclosure(
                    person=person,
                    sections=sorted(row.sections),
                    agency_id=agency_id,
                    user=actor,
                    channel=Disclosure.Channel.PAPERS,
                    basis=row,
                    basis_ref=ref(meeting),
                    at=now,
                    until=until if until > now else None,
                    recorded_by=actor,
                )
            )
    return _ledger_rows(rows)


def referral_grant_sync(*, referral, actor) -> list[Disclosure]:
    """A つなぐシート opens its person to the receiving agency while it is being answered
    (sent, opened, more information asked): on the consent it carries, with that consent's
    sections, until the consent's end. Any other status ends that access (accepted: the case
    team's grants take over; returned or withdrawn: nothing remains). Returns the ledger rows
    written (the sheet's disclosure, see ledger_referral)."""
    if referral.status not in ("sent", "opened", "info_requested"):
        grants_end(source_ref=ref(referral), actor=actor, reason=str(_("つなぐシートへの回答")))
        return []
    if referral.status == "sent" and referral.opened_at is None and not _grants_of(referral):
        return ledger_referral(referral=referral, actor=actor)
    return []


def _grants_of(referral) -> bool:
    return AccessGrant.objects.filter(source_ref=ref(referral)).exists()


def ledger_referral(*, referral, actor) -> list[Disclosure]:
    """A つなぐシート sent to another agency discloses what its receiver may read of it
    (cases.policy.intake.referral_sections): with consent in force, the person (the consent's
    sections) when it covers 基本情報 — as a grant of the person to the receiving agency while
    the sheet is answered —, and the household members it lists (世帯) when it covers 世帯;
    without consent only the 支援会議 summary, as material for the 支援会議
    (社会福祉法106条の6), recorded as その他 on that basis."""
    if referral.person_id is None or referral.to_agency_id == referral.from_agency_id:
        return []
    from cases.policy.intake import consent_covers

    now = timezone.now()
    consent = referral.consent if referral.consent_id else None

    def row(person_id, basis, sections, basis_ref, until):
        return Disclosure(
            person_id=person_id,
            sections=sorted(set(sections)),
            agency_id=referral.to_agency_id,
            channel=Disclosure.Channel.REFERRAL,
            basis=basis,
            basis_ref=basis_ref,
            at=now,
            until=until,
            recorded_by=actor,
        )

    if not (referral.with_consent and consent_covers(consent, referral)):
        shien = basis_for(bases.SHIEN_KAIGI)
        return _ledger_rows([row(referral.person_id, shien, ["other"], ref(referral), None)])
    kinds = {k for k in consent.info_kinds or [] if isinstance(k, str)}
    basis, basis_ref, until = basis_for(bases.CONSENT), ref(consent), day_after(consent.valid_until)
    written = []
    if "basic" in kinds:
        grants = grant_give(
            agency=referral.to_agency,
            persons=[referral.person],
            basis=basis,
            source=GrantSource.REFERRAL,
            source_ref=ref(referral),
            basis_ref=basis_ref,
            sections=kinds,
            valid_until=until,
            actor=actor,
            provider=referral.from_agency,
        )
        rows = Disclosure.objects.filter(grant__in=grants)
        rows.update(channel=Disclosure.Channel.REFERRAL)
        written += list(rows)
    others = []
    if "household" in kinds and referral.household_id:
        from cases.models import HouseholdMember

        others = (
            HouseholdMember.objects.current()
            .filter(household_id=referral.household_id)
            .exclude(person_id=referral.person_id)
            .values_list("person_id", flat=True)
        )
    return written + _ledger_rows(
        [row(pk, basis, ["household"], basis_ref, until) for pk in set(others)]
    )

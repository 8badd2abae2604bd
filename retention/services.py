"""Retention: list what is due, anonymise it on an admin's approval.

`retention_list_due` (monthly task) finds closed support cases whose retention period has run
out and writes one `Anonymisation` row (status 承認待ち) per case; a case is held back while its
household or any of its persons belongs to a case that is open or not yet due, or to an open or
in-period consultation, つなぐシート or outreach target (`_live_people`). Nothing happens
to a record until an administrator approves it: `anonymisation_approve` then, in one
transaction,
  - replaces the personal fields of the case's persons (names → 匿名, kana, address, postal
    code, phone, e-mail, notes → empty, birth date → 1 January of the birth year) and of its
    household (address, postal code, notes);
  - replaces the free text of the case and of every record attached to the case, its persons or
    its household in cases / meetings / outreach / participation (every TextField, and the short
    fields that hold names: EXTRA_TEXTS) by 「(匿名化済み)」;
  - deletes the uploaded files of those records (note attachments, scanned consent forms);
  - keeps every row, link, date, code and count, so figures of past years do not change;
  - writes the counts to the ledger row and one audit event. Nothing is deleted silently.

The other record kinds that hold personal data and can end without a case (retention/kinds.py:
consultations, つなぐシート, outreach targets) follow the same steps with their own rule: a
record past its period is listed unless its person or household belongs to a live case or to an
open or in-period record of those kinds; approval clears the record's own free text and files
and its person's and household's personal fields (with what is attached to them).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.policy import require
from audit.services import record

from . import kinds
from .models import RECORD_FIELDS, Anonymisation, RecordKind, RetentionRule

logger = logging.getLogger(__name__)

ANONYMISED = "(匿名化済み)"
PERSON_NAME = "匿名"
PERSON_CLEARED = (
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "postal_code",
    "address",
    "phone",
    "email",
    "notes",
    "name_search",
    "kana_search",
    "phone_digits",
)
HOUSEHOLD_CLEARED = ("postal_code", "address", "notes")
CASE_TEXTS = ("summary", "closure_note", "followup_note")
# Records attached to the case, its persons or its household in these apps are cleared (one
# level of children too: assessment issues and relations, plan items, monitoring…). The access
# ledger (access), the audit log and community records are not personal case content and stay.
ATTACHED_APPS = {"cases", "meetings", "outreach", "participation"}
# Short CharFields that hold names or free text about people (every TextField is cleared).
EXTRA_TEXTS = {
    "cases.activitynote": ("with_whom",),
    "cases.referral": ("accompanied_note",),
    "cases.concernslip": ("location",),
    "cases.consultation": ("consulter_note",),
    "cases.assessment": ("consulter_note",),
    "cases.assessmentrelation": ("label", "note"),
    "cases.consent": ("proxy_name", "proxy_relation", "withdrawn_note"),
    "cases.plan": ("consent_note",),
    "meetings.agendaitem": ("title",),
    "meetings.agendarequest": ("title",),
    "outreach.outreachtarget": (
        "source_detail",
        "informant",
        "approx_name",
        "approx_kana",
        "approx_address",
        "match_note",
    ),
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _add_years(day: dt.date, years: int) -> dt.date:
    return _years_before(day, -years)


def retention_rule(kind: str = RecordKind.SUPPORT_CASE) -> RetentionRule | None:
    return RetentionRule.objects.filter(kind=kind, enabled=True).first()


def _cutoff(rule: RetentionRule | None, today: dt.date | None) -> dt.date:
    """The last end date past its period; without an enabled rule nothing is (keep all)."""
    if rule is None:
        return dt.date.min
    return _years_before(today or timezone.localdate(), rule.years_after_closure)


def _live_links(cutoff: dt.date) -> tuple[set[int], set[int]]:
    """Households and persons of every case that is open or was closed after `cutoff`."""
    from cases.models import SupportCase

    ended = SupportCase.objects.closed().filter(closed_on__lte=cutoff)
    live = SupportCase.objects.exclude(pk__in=ended.values("pk"))
    households = set(live.values_list("household_id", flat=True))
    persons = set(live.values_list("persons", flat=True)) | set(
        live.values_list("principal_id", flat=True)
    )
    return households, persons - {None}


def _is_clear(case, households: set[int], persons: set[int]) -> bool:
    own = {p.pk for p in case.persons.all()} | {case.principal_id}
    return case.household_id not in households and not own & persons


def _live_people(today: dt.date | None) -> tuple[set[int], set[int]]:
    """Households and persons still needed: those of live cases (`_live_links`) and of open or
    in-period records of the other kinds (each by its own rule)."""
    households, persons = _live_links(_cutoff(retention_rule(), today))
    for kind in kinds.RECORD_KINDS:
        rows = kinds.live(kind, _cutoff(retention_rule(kind), today))
        persons |= set(rows.filter(person__isnull=False).values_list("person_id", flat=True))
        if hasattr(kinds.model_of(kind), "household_id"):
            households |= set(
                rows.filter(household__isnull=False).values_list("household_id", flat=True)
            )
    return households, persons


def _record_is_clear(record, households: set[int], persons: set[int]) -> bool:
    own_persons, own_households = kinds.people(record)
    return not (own_persons & persons or own_households & households)


def due_records(kind: str, today: dt.date | None = None) -> list:
    """Records of `kind` (not a case) past their period, not listed yet, naming nobody still
    needed."""
    rule = retention_rule(kind)
    if rule is None:
        return []
    listed = Anonymisation.objects.filter(kind=kind).values(f"{RECORD_FIELDS[kind]}_id")
    candidates = list(
        kinds.due(kind, _cutoff(rule, today)).exclude(pk__in=listed).order_by("ended_on", "pk")
    )
    if not candidates:
        return []
    households, persons = _live_people(today)
    return [r for r in candidates if _record_is_clear(r, households, persons)]


def due_cases(today: dt.date | None = None) -> list:
    """Ended cases past their retention period, with nothing open or younger sharing their
    household or persons, not listed yet."""
    from cases.models import SupportCase

    rule = retention_rule()
    if rule is None:
        return []
    cutoff = _cutoff(rule, today)
    candidates = list(
        SupportCase.objects.closed()
        .filter(closed_on__lte=cutoff)
        .exclude(pk__in=Anonymisation.objects.values("case_id"))
        .prefetch_related("persons")
        .order_by("closed_on", "pk")
    )
    if not candidates:
        return []
    households, persons = _live_people(today)
    return [case for case in candidates if _is_clear(case, households, persons)]


@transaction.atomic
def retention_list_due(today: dt.date | None = None) -> list[Anonymisation]:
    """List what is due (monthly). Idempotent: a case is listed once. Admins are notified."""
    due = [
        (RecordKind.SUPPORT_CASE, case, case.number, case.closed_on) for case in due_cases(today)
    ]
    for kind in kinds.RECORD_KINDS:
        due += [(kind, r, kinds.label(kind, r), r.ended_on) for r in due_records(kind, today)]
    listed = []
    for kind, row, label, ended_on in due:
        rule = retention_rule(kind)
        item, created = Anonymisation.objects.get_or_create(
            kind=kind,
            **{RECORD_FIELDS[kind]: row},
            defaults={
                "record_label": label,
                "closed_on": ended_on,
                "due_on": _add_years(ended_on, rule.years_after_closure),
                "legal_basis": rule.legal_basis,
            },
        )
        if created:
            record(actor=None, action="anonymisation.list", obj=item)
            listed.append(item)
    if listed:
        count = len(listed)
        transaction.on_commit(lambda: _notify_admins(count))
    return listed


def _notify_admins(count: int) -> None:
    from django.urls import reverse

    from agencies.choices import Role
    from agencies.models import Membership
    from notifications.services import notify_now

    admins = set(
        Membership.objects.current().filter(role=Role.ADMIN).values_list("user_id", flat=True)
    )
    notify_now(
        recipients=admins,
        rule="retention.due",
        message_code="retention.due.title",
        params={"n": count},
        body_codes=("retention.due.body",),
        url=reverse("retention:index"),
        object_ref="retention",
    )


def _text_fields(model) -> dict[str, str]:
    """{field: replacement} for the free text of `model`."""
    extra = EXTRA_TEXTS.get(model._meta.label_lower, ())
    out = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, models.TextField) or (f.name in extra and isinstance(f, models.CharField)):
            fits = f.max_length is None or f.max_length >= len(ANONYMISED)
            out[f.name] = ANONYMISED if fits else ""
    return out


def _attached(owners: list[tuple[type, set[int]]], skip: set) -> dict[type, set[int]]:
    """Every row (by model) in ATTACHED_APPS that points at one of the owners, and the rows that
    point at those (two levels down: plan → item → monitoring)."""
    found: dict[type, set[int]] = {}
    level = owners
    for _depth in range(3):
        following = []
        for owner, ids in level:
            if not ids:
                continue
            for rel in owner._meta.related_objects:
                model = rel.related_model
                if model in skip or model._meta.app_label not in ATTACHED_APPS:
                    continue
                if not (rel.one_to_many or rel.many_to_many):
                    continue
                pks = set(
                    model._default_manager.filter(**{f"{rel.field.name}__in": ids}).values_list(
                        "pk", flat=True
                    )
                ) - found.get(model, set())
                if pks:
                    found.setdefault(model, set()).update(pks)
                    following.append((model, pks))
        level = following
    return found


def _delete_files(model, pks: set[int]) -> int:
    deleted = 0
    file_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if not file_fields:
        return 0
    for row in model._default_manager.filter(pk__in=pks):
        for name in file_fields:
            stored = getattr(row, name)
            if stored:
                stored.delete(save=False)
                model._default_manager.filter(pk=row.pk).update(**{name: ""})
                deleted += 1
    return deleted


@transaction.atomic
def anonymisation_approve(*, item: Anonymisation, actor) -> Anonymisation:
    """Anonymise the listed record now (see the module docstring). Refused when the item was
    done already or something now links its household or persons to a live record."""
    decision = require(actor, "retention.approve", item)
    item = Anonymisation.objects.select_for_update().get(pk=item.pk)
    if item.status != Anonymisation.Status.DUE:
        raise ValidationError(_("この記録はすでに匿名化されています。"))
    if item.kind == RecordKind.SUPPORT_CASE:
        persons, households, texts, files = _anonymise_case(item)
    else:
        persons, households, texts, files = _anonymise_record(item)
    item.status = Anonymisation.Status.DONE
    item.approved_by = actor
    item.approved_at = timezone.now()
    item.persons, item.households, item.texts, item.files = persons, households, texts, files
    item.save()
    record(
        actor=actor,
        action="anonymisation.approve",
        obj=item,
        basis=decision.basis,
        changes=[
            f"persons:{persons}",
            f"households:{households}",
            f"texts:{texts}",
            f"files:{files}",
        ],
    )
    return item


HELD_BACK = gettext_lazy(
    "この世帯または対象者に、終結していないか保存期間内の記録(ケース・相談受付・つなぐシート・"
    "アウトリーチ)があるため匿名化できません。"
)


def _anonymise_record(item: Anonymisation) -> tuple[int, int, int, int]:
    """A consultation, つなぐシート or outreach target: refused unless it is still due and its
    person and household are needed by nothing live."""
    from cases.models import Household, HouseholdMember, Person, SupportCase

    model = kinds.model_of(item.kind)
    row = (
        kinds.due(item.kind, _cutoff(retention_rule(item.kind), None))
        .filter(pk=getattr(item, f"{RECORD_FIELDS[item.kind]}_id"))
        .first()
    )
    households_live, persons_live = _live_people(None)
    if row is None or not _record_is_clear(row, households_live, persons_live):
        raise ValidationError(HELD_BACK)
    person_ids, household_ids = kinds.people(row)
    texts = 0
    fields = _text_fields(model)
    if fields:
        texts = model._default_manager.filter(pk=row.pk).update(**fields) * len(fields)
    files = _delete_files(model, {row.pk})
    persons, households, more_texts, more_files = _anonymise_people(
        [(model, {row.pk})],
        person_ids,
        household_ids,
        skip={SupportCase, Person, Household, HouseholdMember, model},
    )
    return persons, households, texts + more_texts, files + more_files


def _anonymise_people(
    owners: list[tuple[type, set[int]]], person_ids: set[int], household_ids: set[int], skip: set
) -> tuple[int, int, int, int]:
    """Clear the persons' (and their merged duplicates') and households' personal fields, and
    the free text and files of every record attached to them or to the owners."""
    from cases.models import Household, Person

    # Duplicates merged into these persons carry the same names.
    person_ids = set(person_ids) | set(
        Person.objects.filter(merged_into__in=person_ids).values_list("pk", flat=True)
    )
    persons = 0
    for person in Person.objects.filter(pk__in=person_ids):
        birth = person.birth_date.replace(month=1, day=1) if person.birth_date else None
        persons += Person.objects.filter(pk=person.pk).update(
            family_name=PERSON_NAME,
            birth_date=birth,
            **{name: "" for name in PERSON_CLEARED},
        )
    households = Household.objects.filter(pk__in=household_ids).update(
        **{name: "" for name in HOUSEHOLD_CLEARED}
    )
    attached = _attached(
        [*owners, (Person, person_ids), (Household, set(household_ids))], skip=skip
    )
    texts = files = 0
    for model, pks in attached.items():
        files += _delete_files(model, pks)
        fields = _text_fields(model)
        if fields:
            texts += model._default_manager.filter(pk__in=pks).update(**fields) * len(fields)
    return persons, households, texts, files


def _anonymise_case(item: Anonymisation) -> tuple[int, int, int, int]:
    from cases.models import HouseholdMember, Person, SupportCase

    case = SupportCase.objects.prefetch_related("persons").get(pk=item.case_id)
    cutoff = _cutoff(retention_rule(), None)
    households, persons_live = _live_people(None)
    ended = (
        case.closed_on is not None
        and case.closed_on <= cutoff
        and case.status
        in (
            SupportCase.Status.CLOSED,
            SupportCase.Status.HANDED_BACK,
        )
    )
    if not ended or not _is_clear(case, households, persons_live):
        raise ValidationError(HELD_BACK)
    from cases.models import Household

    member_ids = set(
        HouseholdMember.objects.filter(household_id=case.household_id).values_list(
            "person_id", flat=True
        )
    )
    # The case's persons, and household members not in a live case elsewhere (a member who
    # moved to another household with an open case keeps their name there).
    person_ids = ({p.pk for p in case.persons.all()} | {case.principal_id}) | (
        member_ids - persons_live
    )
    person_ids.discard(None)
    texts = SupportCase.objects.filter(pk=case.pk).update(
        summary=ANONYMISED, closure_note="", followup_note=""
    ) * len(CASE_TEXTS)
    persons, households, more_texts, files = _anonymise_people(
        [(SupportCase, {case.pk})],
        person_ids,
        {case.household_id},
        skip={SupportCase, Person, Household, HouseholdMember},
    )
    return persons, households, texts + more_texts, files


@transaction.atomic
def retention_rule_update(
    *, rule: RetentionRule, actor, years_after_closure: int, legal_basis: str, enabled: bool
) -> RetentionRule:
    """Change a record kind's retention period (audited: the period decides what is erased)."""
    decision = require(actor, "retention.approve")
    legal_basis = (legal_basis or "").strip()
    errors = {}
    if not legal_basis:
        errors["legal_basis"] = _("根拠(法令・規程)を入力してください。")
    if not 1 <= years_after_closure <= 100:
        errors["years_after_closure"] = _("1〜100年の範囲で入力してください。")
    if errors:
        raise ValidationError(errors)
    changed = [
        name
        for name, value in (
            ("years_after_closure", years_after_closure),
            ("legal_basis", legal_basis),
            ("enabled", enabled),
        )
        if getattr(rule, name) != value
    ]
    if changed:
        rule.years_after_closure, rule.legal_basis, rule.enabled = (
            years_after_closure,
            legal_basis,
            enabled,
        )
        rule.save()
        record(
            actor=actor,
            action="retention_rule.update",
            obj=rule,
            basis=decision.basis,
            changes=changed,
        )
    return rule

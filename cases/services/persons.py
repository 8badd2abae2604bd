"""Writes for persons, households and consents.

Every function: keyword-only arguments with an `actor`, the policy asked first, one transaction,
an audit row (field names only, never values). Search columns (name_search, kana_search,
phone_digits) are written here — not in save() or signals — so bulk paths stay explicit.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import jpdates, uploads
from agencies.models import Agency
from agencies.policy import PolicyDenied, deny, require
from audit.services import record
from cases.choices import InfoKind
from cases.models import Consent, Household, HouseholdMember, Person
from cases.normalize import normalize_kana, normalize_name, normalize_phone
from cases.policy.persons import care_agency_ids, person_fields_for, visible_sections

MAX_AGE_YEARS = 130

PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birth_date",
    "sex",
    "postal_code",
    "address",
    "area",
    "phone",
    "email",
    "language",
    "needs_interpreter",
    "notes",
    "deceased_on",
    "moved_out_on",
)
HOUSEHOLD_FIELDS = ("postal_code", "address", "area", "type_tags", "notes")


class ConflictError(Exception):
    """Someone saved the record after the user opened it (optimistic locking on `version`)."""

    def __init__(self, *, current, your_version: int, submitted: dict):
        self.current = current
        self.your_version = your_version
        self.current_version = current.version
        self.submitted = submitted
        self.differences = [
            (name, submitted[name], getattr(current, name))
            for name in submitted
            if _plain(getattr(current, name)) != _plain(submitted[name])
        ]
        super().__init__(
            _(
                "この記録は他の職員が先に更新しました(あなたが開いた版: %(yours)s、現在の版: %(current)s)。"
                "内容を確認してからもう一度保存してください。"
            )
            % {"yours": your_version, "current": current.version}
        )


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


# --- validation ------------------------------------------------------------------------------


def validate_birth_date(value: dt.date | None, *, today: dt.date | None = None) -> None:
    if value is None:
        return
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError({"birth_date": _("生年月日が未来の日付です。")})
    try:
        limit = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 2月29日
        limit = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < limit:
        raise ValidationError(
            {
                "birth_date": _("年齢が%(max)s歳を超えています。生年月日を確認してください。")
                % {"max": MAX_AGE_YEARS}
            }
        )


POSTAL_CODE = re.compile(r"\d{3}-?\d{4}")
PHONE = re.compile(r"\+?[\d\-() ]*\d[\d\-() ]*")


def contact_errors(data: dict) -> dict[str, list[str]]:
    """郵便番号 as 123-4567 (or 1234567), 電話番号 of digits with hyphens, brackets or a + —
    full-width digits too. Text in either (「電話なし」) is no number: say so at the field."""
    errors: dict[str, list[str]] = {}
    postal = unicodedata.normalize("NFKC", data.get("postal_code") or "").strip()
    if postal and not POSTAL_CODE.fullmatch(postal.replace("ー", "-")):
        errors["postal_code"] = [_("郵便番号は「123-4567」の形で入力してください。")]
    phone = unicodedata.normalize("NFKC", data.get("phone") or "").strip()
    if phone and not PHONE.fullmatch(phone.replace("ー", "-")):
        errors["phone"] = [_("電話番号は数字とハイフンで入力してください。")]
    return errors


def validate_person_data(data: dict) -> None:
    today = timezone.localdate()
    errors: dict[str, list[str]] = contact_errors(data)
    if "family_name" in data and not (data.get("family_name") or "").strip():
        errors.setdefault("family_name", []).append(_("姓を入力してください。"))
    try:
        validate_birth_date(data.get("birth_date"), today=today)
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    birth = data.get("birth_date")
    for name, label in (("deceased_on", _("死亡日")), ("moved_out_on", _("転出日"))):
        value = data.get(name)
        if value is None:
            continue
        if name == "deceased_on" and value > today:
            errors.setdefault(name, []).append(_("%(label)sが未来の日付です。") % {"label": label})
        if birth and value < birth:
            errors.setdefault(name, []).append(
                _("%(label)sが生年月日より前になっています。") % {"label": label}
            )
    if errors:
        raise ValidationError(errors)


def _search_columns(person: Person) -> list[str]:
    person.name_search = normalize_name(f"{person.family_name}{person.given_name}")
    person.kana_search = normalize_kana(f"{person.family_name_kana}{person.given_name_kana}")
    person.phone_digits = normalize_phone(person.phone)
    return ["name_search", "kana_search", "phone_digits"]


def _acting_agency(actor, agency: Agency | None, *, for_what: str) -> Agency:
    """The agency the actor works for in this write (must hold a care role there)."""
    care = care_agency_ids(actor)
    if agency is None:
        if len(care) != 1:
            raise ValidationError({"agency": _("登録する機関を選んでください。")})
        return Agency.objects.get(pk=next(iter(care)))
    if agency.pk not in care:
        raise PolicyDenied(for_what, deny(_("この機関として登録する権限がありません。")))
    return agency


# --- persons -------------------------------------------------------------------------------


@transaction.atomic
def person_create(*, actor, data: dict, agency: Agency | None = None) -> Person:
    """Register a person for `agency` (the actor's agency; required when they have several).

    Duplicate suggestions are the caller's step before this (`person_find_duplicates`); this
    function does not refuse a person whose name exists, since namesakes are real.
    """
    decision = require(actor, "person.create")
    agency = _acting_agency(actor, agency, for_what="person.create")
    data = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    validate_person_data(data)
    person = Person(**data, registered_by_agency=agency, created_by=actor)
    _search_columns(person)
    person.full_clean(exclude=["registered_by_agency", "created_by"])
    person.save()
    record(
        actor=actor, action="person.create", obj=person, basis=decision.basis, changes=data.keys()
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict, expected_version: int) -> Person:
    """Change fields of `person` the actor may see; `expected_version` is the version the user
    opened. A stale version raises ConflictError (nothing is written)."""
    decision = require(actor, "person.update", person)
    allowed = set(person_fields_for(decision.sections))
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({k: _("この項目は変更できません。") for k in unknown})
    hidden = set(data) - allowed
    if hidden:
        raise PolicyDenied("person.update", deny(_("同意の範囲外の項目は変更できません。")))
    validate_person_data({**{f: getattr(person, f) for f in ("birth_date",)}, **data})
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != expected_version:
        raise ConflictError(current=current, your_version=expected_version, submitted=data)
    changed = [k for k, v in data.items() if _plain(getattr(current, k)) != _plain(v)]
    if not changed:
        return current
    for k in changed:
        setattr(current, k, data[k])
    columns = _search_columns(current)
    current.full_clean(exclude=["registered_by_agency", "created_by", "merged_into"])
    updated = Person.objects.filter(pk=current.pk, version=expected_version).update(
        **{k: getattr(current, k) for k in [*changed, *columns]},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:  # pragma: no cover - guarded by the row lock above
        raise ConflictError(
            current=Person.objects.get(pk=person.pk), your_version=expected_version, submitted=data
        )
    current.refresh_from_db()
    record(actor=actor, action="person.update", obj=current, basis=decision.basis, changes=changed)
    for name, reason in (("deceased_on", _("死亡")), ("moved_out_on", _("転出"))):
        if name in changed and getattr(current, name):
            _leave_households(current, on=getattr(current, name), reason=str(reason))
    return current


def _leave_households(person: Person, *, on: dt.date, reason: str) -> None:
    """A death or a move recorded on a person ends their current household rows on that date
    (the rows stay: the household's history shows them as 死亡 / 転出). A row whose start is
    after that date was registered later than the person joined: its start becomes unknown."""
    for member in HouseholdMember.objects.current().filter(person=person).select_for_update():
        member.left_on = on
        member.left_reason = reason
        fields = ["left_on", "left_reason"]
        if member.joined_on and member.joined_on > on:
            member.joined_on = None
            fields.append("joined_on")
        member.save(update_fields=fields)


def person_record_view(*, actor, person: Person, what: str = "person.view"):
    """Check and audit a read of a person's record (detail page, API retrieve)."""
    decision = require(actor, "person.view", person)
    record(actor=actor, action=what, obj=person, basis=decision.basis)
    return decision


# --- merge -----------------------------------------------------------------------------------


class MergeError(ValidationError):
    pass


@dataclass
class MergeReport:
    keep: Person
    absorb: Person
    moved: dict[str, int]
    filled: list[str]


_MERGE_FILL_FIELDS = (
    "family_name_kana",
    "given_name_kana",
    "birth_date",
    "sex",
    "postal_code",
    "address",
    "area",
    "phone",
    "email",
    "language",
    "deceased_on",
    "moved_out_on",
)


@transaction.atomic
def person_merge(*, keep: Person, absorb: Person, actor, reason: str) -> MergeReport:
    """Merge `absorb` into `keep` (名寄せ). Every row of any model that points at `absorb` —
    household links, consents, support cases, and whatever other apps add later (found through
    Person._meta.related_objects, many-to-many included) — is moved to `keep`; fields blank on
    `keep` are filled from `absorb`. `absorb` stays, marked merged_into=keep, so old links and
    audit rows still resolve; it disappears from search and its URL redirects to `keep`.
    Audited on both records with both public ids.
    """
    if keep.pk == absorb.pk:
        raise MergeError(_("同じ記録どうしは統合できません。"))
    if not (reason or "").strip():
        raise MergeError({"reason": _("統合の理由を入力してください。")})
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, absorb.pk])
    }
    keep, absorb = locked[keep.pk], locked[absorb.pk]
    if keep.merged_into_id or absorb.merged_into_id:
        raise MergeError(_("既に統合済みの記録は統合できません。"))
    decision = require(actor, "person.merge", keep)
    require(actor, "person.merge", absorb)

    today = timezone.localdate()
    moved: dict[str, int] = {}
    # Household links first: the same household on both records would break "one current
    # membership per household", so the absorbed record's link is closed (history kept).
    keep_households = set(
        HouseholdMember.objects.current().filter(person=keep).values_list("household_id", flat=True)
    )
    for link in HouseholdMember.objects.current().filter(
        person=absorb, household_id__in=keep_households
    ):
        link.left_on = today
        link.left_reason = _("記録の統合")
        link.save(update_fields=["left_on", "left_reason"])

    for rel in person_relations():
        model = rel.related_model
        if rel.many_to_many:
            moved_count = _move_m2m(rel, keep, absorb)
        else:
            field_name = rel.field.name
            qs = model._base_manager.filter(**{field_name: absorb})
            if not qs.exists():
                continue
            try:
                with transaction.atomic():
                    moved_count = qs.update(**{field_name: keep})
            except IntegrityError:
                raise MergeError(
                    _(
                        "「%(model)s」の記録が両方にあり、自動では統合できません。先にどちらかを整理してください。"
                    )
                    % {"model": model._meta.verbose_name}
                )
        if moved_count:
            moved[model._meta.label_lower + "." + (rel.field.name)] = moved_count

    # Many-to-many fields defined on Person itself (none today; covered for later additions).
    for m2m in Person._meta.many_to_many:
        extra = getattr(absorb, m2m.name).all()
        if extra:
            getattr(keep, m2m.name).add(*extra)
            moved[f"cases.person.{m2m.name}"] = len(extra)

    filled = []
    for name in _MERGE_FILL_FIELDS:
        if getattr(keep, name) in (None, "") and getattr(absorb, name) not in (None, ""):
            setattr(keep, name, getattr(absorb, name))
            filled.append(name)
    columns = _search_columns(keep)
    keep.version += 1
    keep.save(update_fields=[*filled, *columns, "version", "updated_at"])

    absorb.merged_into = keep
    absorb.merged_at = timezone.now()
    absorb.version += 1
    absorb.save(update_fields=["merged_into", "merged_at", "version", "updated_at"])

    record(
        actor=actor,
        action="person.merge",
        obj=keep,
        basis=decision.basis,
        changes=[f"absorbed:{absorb.public_id}", *filled, *moved],
    )
    record(
        actor=actor,
        action="person.merged_into",
        obj=absorb,
        basis=decision.basis,
        changes=[f"kept:{keep.public_id}", "merged_into"],
    )
    return MergeReport(keep=keep, absorb=absorb, moved=moved, filled=filled)


def person_relations() -> list:
    """Every relation pointing at Person from any installed model, including those declared
    with related_name="+" (Person._meta.related_objects leaves hidden foreign keys out)."""
    relations = []
    for f in Person._meta.get_fields(include_hidden=True):
        if not isinstance(f, ForeignObjectRel) or f.related_model is None:
            continue
        if f.many_to_many:
            # An explicit through model is moved through its own foreign key below.
            if f.through._meta.auto_created:
                relations.append(f)
        elif not f.related_model._meta.auto_created:
            # Foreign keys of auto-created through tables are handled with their many-to-many.
            relations.append(f)
    return relations


def _move_m2m(rel, keep: Person, absorb: Person) -> int:
    through = rel.through
    to_person = rel.field.m2m_reverse_field_name()  # the through FK pointing at Person
    to_owner = rel.field.m2m_field_name()
    rows = list(through._base_manager.filter(**{to_person: absorb}))
    if not rows:
        return 0
    existing = set(
        through._base_manager.filter(**{to_person: keep}).values_list(f"{to_owner}_id", flat=True)
    )
    for row in rows:
        if getattr(row, f"{to_owner}_id") in existing:
            row.delete()  # keep is already linked: the link survives on keep
        else:
            setattr(row, to_person, keep)
            row.save()
    return len(rows)


# --- households ------------------------------------------------------------------------------


def _validate_type_tags(tags) -> list[str]:
    tags = list(tags or [])
    unknown = set(tags) - set(Household.TypeTag.values)
    if unknown:
        raise ValidationError({"type_tags": _("不明な世帯類型です。")})
    return sorted(set(tags), key=Household.TypeTag.values.index)


@transaction.atomic
def household_create(
    *, actor, data: dict, agency: Agency | None = None, principal: Person | None = None
) -> Household:
    """Register a household with `principal`, who joins it as 本人 today. A household is always
    registered around its first member: without one it would be an empty shell nobody can find."""
    decision = require(actor, "household.create")
    if principal is None:
        raise ValidationError(
            {
                "person": _(
                    "世帯は最初の世帯員（本人）と一緒に登録してください。対象者の画面から世帯を登録できます。"
                )
            }
        )
    agency = _acting_agency(actor, agency, for_what="household.create")
    data = {k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS}
    if errors := contact_errors(data):
        raise ValidationError(errors)
    data["type_tags"] = _validate_type_tags(data.get("type_tags"))
    household = Household.objects.create(**data, registered_by_agency=agency, created_by=actor)
    record(
        actor=actor,
        action="household.create",
        obj=household,
        basis=decision.basis,
        changes=data.keys(),
    )
    if principal is not None:
        household_add_member(
            actor=actor,
            household=household,
            person=principal,
            relation=HouseholdMember.Relation.SELF,
            is_key_person=True,
        )
    return household


@transaction.atomic
def household_update(
    *, actor, household: Household, data: dict, expected_version: int
) -> Household:
    decision = require(actor, "household.update", household)
    data = {k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS}
    if errors := contact_errors(data):
        raise ValidationError(errors)
    if "type_tags" in data:
        data["type_tags"] = _validate_type_tags(data["type_tags"])
    current = Household.objects.select_for_update().get(pk=household.pk)
    if current.version != expected_version:
        raise ConflictError(current=current, your_version=expected_version, submitted=data)
    changed = [k for k, v in data.items() if _plain(getattr(current, k)) != _plain(v)]
    if not changed:
        return current
    for k in changed:
        setattr(current, k, data[k])
    current.version += 1
    current.save(update_fields=[*changed, "version", "updated_at"])
    record(
        actor=actor, action="household.update", obj=current, basis=decision.basis, changes=changed
    )
    return current


@transaction.atomic
def household_add_member(
    *,
    actor,
    household: Household,
    person: Person,
    relation: str,
    relation_note: str = "",
    is_key_person: bool = False,
    lives_together: bool = True,
    is_main_carer: bool = False,
    joined_on: dt.date | None = None,
) -> HouseholdMember:
    """Add a person the actor may see to a household the actor may change."""
    decision = require(actor, "household.add_member", household)
    require(actor, "person.view", person)
    if person.merged_into_id:
        raise ValidationError({"person": _("統合済みの記録は世帯に追加できません。")})
    if relation not in HouseholdMember.Relation.values:
        raise ValidationError({"relation": _("続柄を選んでください。")})
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("世帯に加わった日が未来の日付です。")})
    if person.birth_date and joined_on < person.birth_date:
        raise ValidationError(
            {
                "joined_on": _("世帯に加わった日が生年月日(%(date)s)より前になっています。")
                % {"date": jpdates.format_date(person.birth_date)}
            }
        )
    Household.objects.select_for_update().filter(pk=household.pk).first()
    if HouseholdMember.objects.current().filter(household=household, person=person).exists():
        raise ValidationError({"person": _("この方は既にこの世帯の世帯員です。")})
    member = HouseholdMember.objects.create(
        household=household,
        person=person,
        relation=relation,
        relation_note=relation_note,
        is_key_person=is_key_person,
        lives_together=lives_together,
        is_main_carer=is_main_carer,
        joined_on=joined_on,
    )
    record(
        actor=actor,
        action="household.add_member",
        obj=household,
        basis=decision.basis,
        changes=[f"person:{person.public_id}", "relation"],
    )
    return member


@transaction.atomic
def household_member_leave(
    *, actor, member: HouseholdMember, left_on: dt.date | None = None, reason: str = ""
) -> HouseholdMember:
    """End a membership (転出, 死亡, 世帯分離 …). The row stays as history."""
    decision = require(actor, "household.member_leave", member.household)
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError({"left_on": _("この世帯員は既に世帯を離れています。")})
    left_on = left_on or timezone.localdate()
    if member.joined_on and left_on < member.joined_on:
        raise ValidationError({"left_on": _("世帯を離れた日が、加わった日より前になっています。")})
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": _("世帯を離れた日が未来の日付です。")})
    member.left_on = left_on
    member.left_reason = reason[:100]
    member.save(update_fields=["left_on", "left_reason"])
    record(
        actor=actor,
        action="household.member_leave",
        obj=member.household,
        basis=decision.basis,
        changes=[f"person:{member.person.public_id}", "left_on"],
    )
    return member


# --- consent -------------------------------------------------------------------------------


def sniff_document(upload) -> tuple[str, str]:
    """(content type, suffix) of a scanned consent form: PDF, JPEG or PNG by content, within
    settings.UPLOAD_MAX_BYTES (agencies.uploads); ValidationError on "document" otherwise."""
    kind = uploads.check_upload(upload, allowed=uploads.SCANS, field="document")
    return kind.content_type, kind.suffix


def _store_document(consent: Consent, upload) -> None:
    content_type, suffix = sniff_document(upload)
    consent.document.save(f"consent{suffix}", upload, save=False)
    consent.document_content_type = content_type


def _validate_consent(*, given_on, valid_until, method, proxy_name, info_kinds, agencies) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if given_on is None:
        errors["given_on"] = [_("同意日を入力してください。")]
    elif given_on > today:
        errors["given_on"] = [_("同意日が未来の日付です。")]
    if valid_until and given_on and valid_until < given_on:
        errors["valid_until"] = [_("有効期限が同意日より前になっています。")]
    if method not in Consent.Method.values:
        errors["method"] = [_("同意の方法を選んでください。")]
    if method == Consent.Method.PROXY and not (proxy_name or "").strip():
        errors["proxy_name"] = [_("代理人による同意では代理人の氏名を入力してください。")]
    if not info_kinds:
        errors["info_kinds"] = [_("共有する情報の種類を1つ以上選んでください。")]
    elif set(info_kinds) - set(InfoKind.values):
        errors["info_kinds"] = [_("不明な情報の種類です。")]
    if not agencies:
        errors["agencies"] = [_("情報を共有する機関を1つ以上選んでください。")]
    elif any(not a.active for a in agencies):
        errors["agencies"] = [_("無効になった機関は選べません。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consent_record(
    *,
    actor,
    person: Person,
    given_on: dt.date,
    method: str,
    agencies,
    info_kinds,
    valid_until: dt.date | None = None,
    explained_by=None,
    proxy_name: str = "",
    proxy_relation: str = "",
    household: Household | None = None,
    note: str = "",
    document=None,
    agency: Agency | None = None,
) -> Consent:
    """Record a consent (本人同意) of `person`: who explained it, how, when, to which agencies and
    for which kinds of information, until when. The scanned form is optional (PDF/JPEG/PNG)."""
    decision = require(actor, "consent.create", person)
    agencies = list(agencies)
    info_kinds = [k for k in InfoKind.values if k in set(info_kinds or [])] or list(
        info_kinds or []
    )
    _validate_consent(
        given_on=given_on,
        valid_until=valid_until,
        method=method,
        proxy_name=proxy_name,
        info_kinds=info_kinds,
        agencies=agencies,
    )
    care = care_agency_ids(actor)
    if agency is None:
        agency_id = (
            person.registered_by_agency_id if person.registered_by_agency_id in care else min(care)
        )
        agency = Agency.objects.get(pk=agency_id)
    elif agency.pk not in care:
        raise PolicyDenied("consent.create", deny(_("この機関として登録する権限がありません。")))
    consent = Consent(
        person=person,
        household=household,
        explained_by=explained_by or actor,
        recorded_by_agency=agency,
        given_on=given_on,
        method=method,
        proxy_name=proxy_name if method == Consent.Method.PROXY else "",
        proxy_relation=proxy_relation if method == Consent.Method.PROXY else "",
        info_kinds=info_kinds,
        valid_until=valid_until,
        note=note,
    )
    if document is not None:
        _store_document(consent, document)
    consent.save()
    consent.agencies.set(agencies)
    record(
        actor=actor,
        action="consent.create",
        obj=consent,
        basis=decision.basis,
        changes=[
            "agencies",
            "info_kinds",
            "method",
            "given_on",
            *(["document"] if document else []),
        ],
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, note: str = "") -> Consent:
    """Withdrawal takes effect at once: access that rested on this consent ends with the next
    request (the policy reads consents fresh on every request)."""
    decision = require(actor, "consent.withdraw", consent)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError({"withdrawn_note": _("この同意は既に撤回されています。")})
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawn_note = (note or "")[:200]
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_note"])
    record(
        actor=actor,
        action="consent.withdraw",
        obj=consent,
        basis=decision.basis,
        changes=["withdrawn_at"],
    )
    return consent


@transaction.atomic
def consent_attach_document(*, actor, consent: Consent, document) -> Consent:
    decision = require(actor, "consent.document", consent)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    old = consent.document.name if consent.document else ""
    _store_document(consent, document)
    consent.save(update_fields=["document", "document_content_type"])
    record(
        actor=actor,
        action="consent.update",
        obj=consent,
        basis=decision.basis,
        changes=["document"],
    )
    if old:
        storage = consent.document.storage
        transaction.on_commit(lambda: storage.delete(old))
    return consent


def consent_document_open(*, actor, consent: Consent):
    """Check, audit and open the scanned consent form for download."""
    decision = require(actor, "consent.document", consent)
    if not consent.document:
        raise Consent.DoesNotExist
    record(
        actor=actor, action="consent.document_view", obj=consent, basis=decision.basis, kind="view"
    )
    return consent.document.open("rb")


__all__ = [
    "ConflictError",
    "MergeError",
    "consent_attach_document",
    "consent_document_open",
    "consent_record",
    "consent_withdraw",
    "household_add_member",
    "household_create",
    "household_member_leave",
    "household_update",
    "person_create",
    "person_merge",
    "person_record_view",
    "person_update",
    "sniff_document",
    "validate_birth_date",
    "visible_sections",
]

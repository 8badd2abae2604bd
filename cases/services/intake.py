"""Writes of the intake side: consultations, referrals (つなぐシート) and concern slips.

Every service takes an `actor`, runs in one transaction, asks the policy, writes an audit row and
sends its signal after commit. Referral status changes follow `REFERRAL_TRANSITIONS`; each locks
the row (`select_for_update`) and then changes it with a conditional UPDATE (… WHERE status = the
status read AND version = the version read), so two coordinators accepting at the same moment
produce exactly one support case even where row locks do not exist (SQLite).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import jpdates
from agencies.choices import AgencyKind
from agencies.policy import Basis, check, require
from agencies.selectors import care_staff_of
from audit.services import record
from cases.choices import IssueCategory, Route
from cases.models import (
    CaseTeamMember,
    ConcernSlip,
    Consultation,
    ConsultationIssue,
    ConsultationOutcome,
    ConsulterKind,
    Household,
    HouseholdMember,
    Referral,
    ReferralEvent,
    ReferralOutcome,
    ReferralTrigger,
    SupportCase,
    Urgency,
)
from cases.policy.intake import consent_covers, staff_agency_ids
from cases.signals import concern_slip_status_changed, referral_status_changed
from cases.workflows import REFERRAL_WORKFLOW, SLIP_WORKFLOW

S = Referral.Status
ANSWER_BUSINESS_DAYS = 3


class IntakeConflict(Exception):
    """The record is not in a state that allows the action (someone else acted first, or the
    action never applies in this state). Views show `message`; the API answers 409."""

    def __init__(
        self, message: str, *, code: str = "conflict", current_status: str = "", options=()
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.current_status = current_status
        self.options = list(options)


# action -> (states it may start from, state it leads to, event kind): read from the workflow
# table (cases.workflows) that the HTML view, the API and the dead-end test read too.
REFERRAL_TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    action: row for action, row in REFERRAL_WORKFLOW.transitions().items() if row[1]
}
EDITABLE_STATES = frozenset({S.DRAFT, S.INFO_REQUESTED})
ASSIGNABLE_STATES = frozenset({S.SENT, S.OPENED, S.INFO_REQUESTED})


def allowed_actions(status: str) -> set[str]:
    """Actions the transition table allows from a status (policy is asked separately)."""
    actions = {a for a, (sources, _to, _kind) in REFERRAL_TRANSITIONS.items() if status in sources}
    if status in EDITABLE_STATES:
        actions.add("update")
    if status in ASSIGNABLE_STATES:
        actions.add("assign")
    return actions


# --- shared helpers ---------------------------------------------------------------------------


def _acting_agency_id(actor, *candidates) -> int | None:
    ids = staff_agency_ids(actor)
    for agency_id in candidates:
        if agency_id in ids:
            return agency_id
    return min(ids) if ids else None


def _reiwa_year(fiscal_year: int) -> int:
    era, year = jpdates.era_of(dt.date(fiscal_year, 10, 1))
    return year if era.letter == "R" else fiscal_year


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise IntakeConflict(
            _(
                "他の職員が先に更新しました。画面を開き直して、最新の内容を確認してから保存してください。"
            ),
            code="stale_version",
            current_status=getattr(obj, "status", ""),
        )


def _clean_categories(categories: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(categories or []))
    unknown = [c for c in codes if c not in IssueCategory.values]
    if unknown:
        raise ValidationError(
            {"categories": _("不明な課題の分類です: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    if not codes:
        raise ValidationError({"categories": _("課題の分類を1つ以上選んでください。")})
    return codes


def _visible(actor, obj, name: str) -> bool:
    """Linking a record to a person or household needs access to it (the persons policy)."""
    from cases.policy import persons as person_policy  # written by the persons work

    access = getattr(person_policy, name, None)
    return True if access is None else bool(access(actor, obj))


def _check_subject(actor, person, household) -> None:
    if person is not None and not _visible(actor, person, "person_access"):
        raise ValidationError({"person": _("この対象者を選ぶ権限がありません。")})
    if household is not None and not _visible(actor, household, "household_access"):
        raise ValidationError({"household": _("この世帯を選ぶ権限がありません。")})
    if household is not None and person is not None:
        if not HouseholdMember.objects.filter(household=household, person=person).exists():
            raise ValidationError({"household": _("本人はこの世帯の世帯員ではありません。")})


# --- 相談受付 ------------------------------------------------------------------------------------

CONSULTATION_FIELDS = (
    "received_at",
    "route",
    "consulter_kind",
    "consulter_note",
    "person",
    "household",
    "summary",
    "urgency",
    "response",
    "outcome",
    "minutes_spent",
    "staff_count",
    "staff",
)


# A consultation's summary is a worker's note of one conversation, printed on A4 and exported:
# longer text is a paste gone wrong.
SUMMARY_MAX_LENGTH = 10_000


def _validate_consultation(actor, data: dict) -> None:
    errors = {}
    received_at = data.get("received_at")
    if received_at is not None and received_at > timezone.now() + dt.timedelta(minutes=5):
        errors["received_at"] = _("受付日時に未来の日時は入力できません。")
    elif not jpdates.in_range(received_at):
        errors["received_at"] = jpdates.out_of_range_message()
    if data.get("route") not in Route.values:
        errors["route"] = _("相談経路を選んでください。")
    if data.get("consulter_kind") not in ConsulterKind.values:
        errors["consulter_kind"] = _("相談者の区分を選んでください。")
    if data.get("urgency") not in Urgency.values:
        errors["urgency"] = _("緊急度を選んでください。")
    if data.get("outcome") not in ConsultationOutcome.values:
        errors["outcome"] = _("対応結果を選んでください。")
    if not (data.get("summary") or "").strip():
        errors["summary"] = _("相談内容を入力してください。")
    elif len(data["summary"]) > SUMMARY_MAX_LENGTH:
        errors["summary"] = _("相談内容は%(max)s文字以内で入力してください。") % {
            "max": f"{SUMMARY_MAX_LENGTH:,}"
        }
    if (data.get("minutes_spent") or 0) < 0:
        errors["minutes_spent"] = _("対応時間は0分以上で入力してください。")
    if (data.get("staff_count") or 0) < 1:
        errors["staff_count"] = _("対応職員数は1人以上で入力してください。")
    if data.get("consulter_kind") == ConsulterKind.ANONYMOUS and data.get("person") is not None:
        errors["person"] = _("匿名の相談では本人を登録できません。")
    if errors:
        raise ValidationError(errors)
    _check_subject(actor, data.get("person"), data.get("household"))


@transaction.atomic
def consultation_create(
    *, actor, agency, categories: Iterable[str], idempotency_key: uuid.UUID | None = None, **data
) -> Consultation:
    """Record a consultation received by `agency` (the actor must work there).

    A repeated `idempotency_key` (double-clicked submit) returns the record already made.
    """
    decision = require(actor, "consultation.create", agency)
    if idempotency_key is not None:
        existing = Consultation.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.created_by_id != actor.pk:
                raise ValidationError(_("送信トークンが不正です。画面を開き直してください。"))
            return existing
    unknown = set(data) - set(CONSULTATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields: {sorted(unknown)}")
    data.setdefault("received_at", timezone.now())
    data.setdefault("urgency", Urgency.NORMAL)
    data.setdefault("staff", actor)
    data.setdefault("staff_count", 1)
    data.setdefault("minutes_spent", 0)
    codes = _clean_categories(categories)
    _validate_consultation(actor, data)
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                agency=agency, created_by=actor, idempotency_key=idempotency_key, **data
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        return Consultation.objects.get(idempotency_key=idempotency_key)
    ConsultationIssue.objects.bulk_create(
        ConsultationIssue(consultation=consultation, category=c) for c in codes
    )
    record(actor=actor, action="consultation.create", obj=consultation, basis=decision.basis)
    return consultation


@transaction.atomic
def consultation_update(
    *,
    actor,
    consultation: Consultation,
    expected_version: int | None = None,
    categories: Iterable[str] | None = None,
    **data,
) -> Consultation:
    """Change a consultation; `expected_version` (from the form) refuses a lost update."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    decision = require(actor, "consultation.update", locked)
    _check_version(locked, expected_version)
    unknown = set(data) - set(CONSULTATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown consultation fields: {sorted(unknown)}")
    changed = [f for f, v in data.items() if getattr(locked, f) != v]
    merged = {f: getattr(locked, f) for f in CONSULTATION_FIELDS} | data
    _validate_consultation(actor, merged)
    for field, value in data.items():
        setattr(locked, field, value)
    if categories is not None:
        codes = _clean_categories(categories)
        if set(codes) != set(locked.categories):
            changed.append("categories")
            locked.issues.all().delete()
            ConsultationIssue.objects.bulk_create(
                ConsultationIssue(consultation=locked, category=c) for c in codes
            )
    if not changed:
        return locked
    updated = Consultation.objects.filter(pk=locked.pk, version=locked.version).update(
        **{f: getattr(locked, f) for f in data}, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise IntakeConflict(
            _("他の職員が先に更新しました。画面を開き直してください。"), code="stale_version"
        )
    locked.refresh_from_db()
    record(
        actor=actor, action="consultation.update", obj=locked, basis=decision.basis, changes=changed
    )
    return locked


# --- つなぐシート: content ---------------------------------------------------------------------------

REFERRAL_CONTENT_FIELDS = (
    "to_agency",
    "variant",
    "person",
    "household",
    "consultation",
    "route",
    "triggers",
    "person_says",
    "done_so_far",
    "reason_note",
    "meeting_summary",
    "urgency",
    "consent",
    "accompanied",
    "accompanied_note",
)


def _validate_referral(actor, from_agency, data: dict, *, sending: bool = False) -> None:
    """Content rules; `sending` adds the rules that must hold when the sheet leaves."""
    person = data.get("person")
    if person is not None and person.is_deceased_on():
        raise ValidationError(
            {
                "person": _(
                    "亡くなった方(死亡日 %(date)s)へのつなぐシートは作成できません。"
                    "遺された家族をつなぐときは、その方を本人にしてください。"
                )
                % {"date": jpdates.format_date(person.deceased_on)}
            }
        )
    errors: dict[str, str] = {}
    to_agency = data.get("to_agency")
    if to_agency is None:
        errors["to_agency"] = _("つなぎ先の機関を選んでください。")
    elif not to_agency.active:
        errors["to_agency"] = _(
            "つなぎ先の「%(name)s」は現在無効な機関のため送付できません。別の機関を選んでください。"
        ) % {"name": to_agency.name}
    elif to_agency.pk == from_agency.pk:
        errors["to_agency"] = _("自機関あてにはつなげません。")
    elif sending and not care_staff_of(to_agency.pk).exists():
        errors["to_agency"] = _(
            "つなぎ先の「%(name)s」には回答できる職員が登録されていません。機関に確認するか、別の機関を選んでください。"
        ) % {"name": to_agency.name}
    triggers = list(data.get("triggers") or [])
    if not triggers:
        errors["triggers"] = _("つなぐ理由を1つ以上選んでください。")
    elif set(triggers) - set(ReferralTrigger.values):
        errors["triggers"] = _("不明なつなぐ理由が含まれています。")
    if data.get("urgency") not in Urgency.values:
        errors["urgency"] = _("緊急度を選んでください。")
    if data.get("route") and data["route"] not in Route.values:
        errors["route"] = _("相談経路を選んでください。")
    person, household, consent = data.get("person"), data.get("household"), data.get("consent")
    if person is None and household is None:
        errors["person"] = _("本人または世帯を選んでください。")
    variant = data.get("variant")
    if variant == Referral.Variant.WITH_CONSENT:
        if consent is None:
            errors["consent"] = _("本人同意ありの様式では、同意の記録を選んでください。")
        elif person is not None and consent.person_id != person.pk:
            errors["consent"] = _("選んだ同意は本人のものではありません。")
        elif sending and not consent.is_in_force():
            errors["consent"] = _(
                "選んだ本人同意は撤回または失効しています。同意を確認するか、同意なしの様式を使ってください。"
            )
        elif (
            sending
            and to_agency is not None
            and not consent.agencies.filter(pk=to_agency.pk).exists()
        ):
            errors["consent"] = _("本人同意の共有先に「%(name)s」が含まれていません。") % {
                "name": to_agency.name
            }
        if person is None and "person" not in errors:
            errors["person"] = _("本人同意ありの様式では本人を選んでください。")
    elif variant == Referral.Variant.WITHOUT_CONSENT:
        if consent is not None:
            errors["consent"] = _("本人同意なしの様式では同意の記録は選べません。")
        if sending and not (data.get("meeting_summary") or "").strip():
            errors["meeting_summary"] = _(
                "同意なしの様式では、支援会議用の概要を記入してください(つなぎ先に開示されるのはこの欄だけです)。"
            )
    else:
        errors["variant"] = _("様式を選んでください。")
    if data.get("accompanied") and not (data.get("accompanied_note") or "").strip():
        errors["accompanied_note"] = _("同行した場合は、同行の内容を記入してください。")
    if errors:
        raise ValidationError(errors)
    _check_subject(actor, person, household)
    consultation = data.get("consultation")
    if consultation is not None:
        require(actor, "consultation.view", consultation)


def _next_referral_number(fiscal_year: int) -> str:
    prefix = f"T-R{_reiwa_year(fiscal_year)}-"
    last = Referral.objects.filter(fiscal_year=fiscal_year, number__startswith=prefix).aggregate(
        m=Max("number")
    )["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _event(referral, *, actor, kind, from_status, to_status, note="", at=None) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        agency_id=_acting_agency_id(actor, referral.from_agency_id, referral.to_agency_id),
        note=note,
        at=at or timezone.now(),
    )


def _notify(referral, event) -> None:
    referral_id, status, event_id = referral.pk, referral.status, event.pk
    transaction.on_commit(
        lambda: referral_status_changed.send(
            sender=Referral, referral_id=referral_id, status=status, event_id=event_id
        )
    )


@transaction.atomic
def referral_create(
    *, actor, from_agency, idempotency_key: uuid.UUID | None = None, **data
) -> Referral:
    """Write a つなぐシート as a draft. The sheet number (T-R8-0001) is per fiscal year.

    A repeated `idempotency_key` (double-clicked submit) returns the sheet already made.
    """
    decision = require(actor, "referral.create", from_agency)
    if idempotency_key is not None:
        existing = Referral.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.created_by_id != actor.pk:
                raise ValidationError(_("送信トークンが不正です。画面を開き直してください。"))
            return existing
    unknown = set(data) - set(REFERRAL_CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown referral fields: {sorted(unknown)}")
    consultation = data.get("consultation")
    if consultation is not None:
        data.setdefault("person", consultation.person)
        data.setdefault("household", consultation.household)
        data.setdefault("route", consultation.route)
    data.setdefault("variant", Referral.Variant.WITH_CONSENT)
    data.setdefault("urgency", Urgency.NORMAL)
    _validate_referral(actor, from_agency, data)
    fy = jpdates.fiscal_year(timezone.localdate())
    for _attempt in range(5):
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    number=_next_referral_number(fy),
                    fiscal_year=fy,
                    from_agency=from_agency,
                    from_worker=actor,
                    created_by=actor,
                    idempotency_key=idempotency_key,
                    **data,
                )
            break
        except IntegrityError:
            if idempotency_key is not None:
                existing = Referral.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    return existing
    else:  # pragma: no cover - five number collisions in a row
        raise IntakeConflict(_("シート番号を採番できませんでした。もう一度送信してください。"))
    event = _event(
        referral, actor=actor, kind=ReferralEvent.Kind.CREATED, from_status="", to_status=S.DRAFT
    )
    record(actor=actor, action="referral.create", obj=referral, basis=decision.basis)
    del event  # a draft is not news for anyone: no signal
    return referral


@transaction.atomic
def referral_update(
    *, actor, referral: Referral, expected_version: int | None = None, **data
) -> Referral:
    """Edit the sheet: only the sender, only while it is a draft or more information is asked."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    decision = require(actor, "referral.update", locked)
    if locked.status not in EDITABLE_STATES:
        raise IntakeConflict(
            _("「%(status)s」のつなぐシートは編集できません。")
            % {"status": locked.get_status_display()},
            current_status=locked.status,
        )
    _check_version(locked, expected_version)
    unknown = set(data) - set(REFERRAL_CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown referral fields: {sorted(unknown)}")
    if (
        locked.status == S.INFO_REQUESTED
        and "to_agency" in data
        and data["to_agency"].pk != locked.to_agency_id
    ):
        raise ValidationError(
            {"to_agency": _("送付後はつなぎ先を変更できません。取り下げて新しく作成してください。")}
        )
    changed = [f for f, v in data.items() if getattr(locked, f) != v]
    merged = {f: getattr(locked, f) for f in REFERRAL_CONTENT_FIELDS} | data
    _validate_referral(actor, locked.from_agency, merged)
    if not changed:
        return locked
    updated = Referral.objects.filter(
        pk=locked.pk, version=locked.version, status=locked.status
    ).update(**data, version=F("version") + 1, updated_at=timezone.now())
    if updated != 1:  # pragma: no cover - the row lock makes this unreachable on PostgreSQL
        raise IntakeConflict(
            _("他の職員が先に更新しました。画面を開き直してください。"), code="stale_version"
        )
    locked.refresh_from_db()
    record(actor=actor, action="referral.update", obj=locked, basis=decision.basis, changes=changed)
    return locked


# --- つなぐシート: transitions -----------------------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    """The current row, locked for this transaction where the database supports row locks."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _conflict_for(locked: Referral, action: str) -> IntakeConflict:
    if locked.status in Referral.CLOSED or action in (
        "accept",
        "return",
        "request_info",
        "convert",
    ):
        message = _(
            "このつなぐシートはすでに「%(status)s」のため、この操作はできません。画面を更新して最新の状態を確認してください。"
        )
    else:
        message = _("「%(status)s」のつなぐシートには、この操作はできません。")
    return IntakeConflict(
        message % {"status": locked.get_status_display()}, current_status=locked.status
    )


def _transition(
    referral: Referral,
    *,
    actor,
    action: str,
    note: str = "",
    fields: dict | None = None,
    before_update=None,
    changes: Iterable[str] = (),
) -> Referral:
    """Guard, policy, conditional UPDATE, event, audit, signal — in the caller's transaction."""
    sources, target, kind = REFERRAL_TRANSITIONS[action]
    locked = _lock(referral)
    decision = require(actor, f"referral.{action}", locked)
    if locked.status not in sources:
        raise _conflict_for(locked, action)
    fields = dict(fields or {})
    if before_update is not None:
        fields |= before_update(locked) or {}
    now = timezone.now()
    updated = Referral.objects.filter(
        pk=locked.pk, status=locked.status, version=locked.version
    ).update(status=target, version=F("version") + 1, updated_at=now, **fields)
    if updated != 1:
        current = Referral.objects.get(pk=locked.pk)
        raise _conflict_for(current, action)
    from_status = locked.status
    locked.refresh_from_db()
    event = _event(
        locked, actor=actor, kind=kind, from_status=from_status, to_status=target, note=note, at=now
    )
    record(
        actor=actor,
        action=f"referral.{action}",
        obj=locked,
        basis=decision.basis,
        changes=["status", *fields.keys(), *changes],
    )
    # Access follows the sheet: sent → the receiving agency sees the person on its consent
    # (and the ledger records the disclosure); answered → that access ends.
    from access.services import referral_grant_sync

    referral_grant_sync(referral=locked, actor=actor)
    _notify(locked, event)
    return locked


@transaction.atomic
def referral_send(*, actor, referral: Referral) -> Referral:
    """Send a draft. The receiver should answer within 3 business days (`answer_due_on`).
    Refused when the receiving agency is inactive or the consent no longer covers it."""
    locked = _lock(referral)
    require(actor, "referral.send", locked)
    if locked.status in REFERRAL_TRANSITIONS["send"][0]:
        data = {f: getattr(locked, f) for f in REFERRAL_CONTENT_FIELDS}
        _validate_referral(actor, locked.from_agency, data, sending=True)
    now = timezone.now()
    sent = _transition(
        locked,
        actor=actor,
        action="send",
        fields={
            "sent_at": now,
            "answer_due_on": jpdates.add_business_days(now, ANSWER_BUSINESS_DAYS),
        },
    )
    return sent


@transaction.atomic
def referral_open(*, actor, referral: Referral) -> Referral:
    """The receiving agency looked at the sheet for the first time. Any later view changes
    nothing (and calling it again is harmless)."""
    locked = _lock(referral)
    require(actor, "referral.open", locked)
    if locked.status != S.SENT:
        return locked
    return _transition(
        locked,
        actor=actor,
        action="open",
        fields={"opened_at": timezone.now(), "opened_by_id": actor.pk},
    )


def consent_lapsed_message() -> str:
    return _(
        "本人同意が撤回されたか有効期限が切れているため、同意ありのつなぐシートとしては受理できません。"
        "「差し戻す」か「支援会議の検討事案として扱う」を選んでください。"
    )


@transaction.atomic
def referral_accept(*, actor, referral: Referral, note: str = "") -> SupportCase:
    """Accept the sheet: link the household's open support case, or open a new one through
    `cases.services.support.case_create` (number per fiscal year, R8-0001; the receiving
    多機関協働 body coordinates and leads; the sending agency joins the team as つなぎ元).

    A with-consent sheet whose consent lapsed in flight cannot be accepted as such: the receiver
    returns it or treats it as 支援会議 material (`referral_convert_to_meeting`).
    """
    locked = _lock(referral)
    require(actor, "referral.accept", locked)
    if (
        locked.status in REFERRAL_TRANSITIONS["accept"][0]
        and locked.with_consent
        and not consent_covers(locked.consent, locked)
    ):
        raise IntakeConflict(
            consent_lapsed_message(),
            code="consent_lapsed",
            current_status=locked.status,
            options=["return", "convert"],
        )
    created: dict = {}

    def attach_case(current: Referral) -> dict:
        case, is_new = _case_for(current, actor=actor)
        created["case"], created["new"] = case, is_new
        extra = {
            "case_id": case.pk,
            "answered_at": timezone.now(),
            "answered_by_id": actor.pk,
            "outcome": ReferralOutcome.MULTIAGENCY,
        }
        if current.opened_at is None:
            extra |= {"opened_at": timezone.now(), "opened_by_id": actor.pk}
        return extra

    accepted = _transition(
        locked, actor=actor, action="accept", note=note, before_update=attach_case
    )
    case = created["case"]
    if not created["new"]:
        record(
            actor=actor,
            action="case.link_referral",
            obj=case,
            basis=Basis.RECEIVING_AGENCY,
            changes=["referrals"],
        )
    del accepted
    return case


@transaction.atomic
def referral_accept_own(
    *,
    actor,
    referral: Referral,
    categories: Iterable[str],
    note: str = "",
    handed_over: bool = False,
) -> Consultation:
    """Accept the sheet into the receiving agency's own work (受理・自機関で対応): any care-role
    staff of the receiving agency may. A consultation record of the receiving agency is made
    from the sheet (route 関係機関から; the person and household only when the consent covers
    this agency — a without-consent sheet carries its 支援会議用の概要 only), the outcome is
    coded (自機関で対応, or 同行して引継ぎ when the sender came along to hand over) and the
    sender is told through the referral signal.
    """
    locked = _lock(referral)
    decision = require(actor, "referral.accept_own", locked)
    if locked.status not in REFERRAL_TRANSITIONS["accept_own"][0]:
        raise _conflict_for(locked, "accept_own")
    codes = _clean_categories(categories)
    covered = locked.with_consent and consent_covers(locked.consent, locked)
    summary = (
        (locked.person_says or locked.reason_note) if covered else locked.meeting_summary
    ) or "、".join(locked.trigger_labels())
    heading = _("つなぐシート %(number)s(%(agency)s)より") % {
        "number": locked.number,
        "agency": locked.from_agency.name,
    }
    now = timezone.now()
    consultation = Consultation.objects.create(
        agency=locked.to_agency,
        staff=actor,
        created_by=actor,
        received_at=now,
        route=Route.AGENCY,
        consulter_kind=ConsulterKind.AGENCY,
        consulter_note=locked.from_agency.name[:100],
        person=locked.person if covered else None,
        household=locked.household if covered else None,
        summary=f"{heading}\n{summary}",
        urgency=locked.urgency,
        response=(note or "").strip(),
        outcome=ConsultationOutcome.OWN,
    )
    ConsultationIssue.objects.bulk_create(
        ConsultationIssue(consultation=consultation, category=c) for c in codes
    )
    record(actor=actor, action="consultation.create", obj=consultation, basis=decision.basis)
    outcome = ReferralOutcome.HANDED_OVER if handed_over else ReferralOutcome.OWN
    fields = {
        "handled_consultation_id": consultation.pk,
        "outcome": outcome,
        "answered_at": now,
        "answered_by_id": actor.pk,
    }
    if locked.opened_at is None:
        fields |= {"opened_at": now, "opened_by_id": actor.pk}
    _transition(
        locked,
        actor=actor,
        action="accept_own",
        note=str(ReferralOutcome(outcome).label) + (f"\n{note.strip()}" if note.strip() else ""),
        fields=fields,
    )
    return consultation


def _household_for(referral: Referral, *, actor) -> Household:
    if referral.household_id:
        return referral.household
    link = (
        HouseholdMember.objects.current()
        .filter(person_id=referral.person_id)
        .select_related("household")
        .order_by("-is_key_person", "pk")
        .first()
    )
    if link is not None:
        return link.household
    person = referral.person
    household = Household.objects.create(
        address=person.address,
        postal_code=person.postal_code,
        area=person.area,
        registered_by_agency=referral.to_agency,
        created_by=actor,
    )
    HouseholdMember.objects.create(
        household=household,
        person=person,
        relation=HouseholdMember.Relation.SELF,
        is_key_person=True,
        joined_on=timezone.localdate(),
    )
    record(actor=actor, action="household.create", obj=household, changes=["members"])
    return household


def _case_for(referral: Referral, *, actor) -> tuple[SupportCase, bool]:
    """The household's open support case (the receiving and sending agencies join its team),
    or a new one opened by the support work's `case_create` (number per fiscal year)."""
    from cases.services.support import case_create

    household = _household_for(referral, actor=actor)
    case = (
        SupportCase.objects.open().filter(household=household).order_by("opened_on", "pk").first()
    )
    if case is None:
        case = case_create(
            actor=actor,
            household=household,
            coordinating_agency=referral.to_agency,
            principal=referral.person,
            persons=[referral.person] if referral.person_id else [],
            coordinator=referral.assignee if referral.assignee_id else actor,
            summary="、".join(referral.trigger_labels())[:200],
            referral=referral,
        )
        return case, True
    if referral.person_id:
        case.persons.add(referral.person_id)
    on_team = set(
        CaseTeamMember.objects.current().filter(case=case).values_list("agency_id", flat=True)
    )
    today = timezone.localdate()
    for agency_id, user_id, role in (
        (referral.to_agency_id, (referral.assignee_id or actor.pk), "coordinator"),
        (referral.from_agency_id, referral.from_worker_id, "support"),
    ):
        if agency_id not in on_team and agency_id not in (
            case.lead_agency_id,
            case.coordinating_agency_id,
        ):
            member = CaseTeamMember.objects.create(
                case=case,
                agency_id=agency_id,
                user_id=user_id,
                role=role,
                joined_on=today,
                added_by=actor,
                duties=_("つなぎ元") if role == "support" else "",
            )
            record(actor=actor, action="team.create", obj=member, basis="receiving_agency")
    return case, False


def _required(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def referral_return(*, actor, referral: Referral, reason: str, next_step: str) -> Referral:
    """Send the sheet back (差し戻し): a reason and a suggested next step are required."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("差し戻しの理由を入力してください。")
    if not (next_step or "").strip():
        errors["next_step"] = _("今後の対応の提案(どこに・どうつなぐか)を入力してください。")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    return _transition(
        referral,
        actor=actor,
        action="return",
        note=reason.strip(),
        fields={
            "return_reason": reason.strip(),
            "return_next_step": next_step.strip(),
            "outcome": ReferralOutcome.RETURNED,
            "answered_at": now,
            "answered_by_id": actor.pk,
        },
    )


@transaction.atomic
def referral_request_info(*, actor, referral: Referral, question: str) -> Referral:
    """Ask the sender for more information; the sheet goes back to the sender for editing."""
    question = _required(
        "question", question, _("依頼する内容(確認したいこと)を入力してください。")
    )
    return _transition(
        referral,
        actor=actor,
        action="request_info",
        note=question,
        fields={"info_question": question, "info_answer": ""},
    )


@transaction.atomic
def referral_answer_info(
    *, actor, referral: Referral, answer: str, meeting_summary: str | None = None
) -> Referral:
    """The sender answers the question and the sheet is sent again (a new 3-day deadline).
    `meeting_summary`: the 支援会議用の概要 written with the answer (a sheet the receiver treated
    as 支援会議 material needs one to be sent again)."""
    answer = _required("answer", answer, _("回答を入力してください。"))
    locked = _lock(referral)
    require(actor, "referral.answer_info", locked)
    fields = {}
    if meeting_summary is not None and meeting_summary.strip():
        fields["meeting_summary"] = meeting_summary.strip()
    if locked.status == S.INFO_REQUESTED:
        data = {f: getattr(locked, f) for f in REFERRAL_CONTENT_FIELDS}
        _validate_referral(actor, locked.from_agency, {**data, **fields}, sending=True)
    now = timezone.now()
    return _transition(
        locked,
        actor=actor,
        action="answer_info",
        note=answer,
        fields={
            **fields,
            "info_answer": answer,
            "sent_at": now,
            "answer_due_on": jpdates.add_business_days(now, ANSWER_BUSINESS_DAYS),
        },
    )


@transaction.atomic
def referral_withdraw(*, actor, referral: Referral, reason: str) -> Referral:
    """The sender takes the sheet back before it is answered."""
    reason = _required("reason", reason, _("取り下げの理由を入力してください。"))
    return _transition(
        referral,
        actor=actor,
        action="withdraw",
        note=reason,
        fields={"withdrawn_at": timezone.now(), "withdraw_reason": reason},
    )


@transaction.atomic
def referral_convert_to_meeting(*, actor, referral: Referral, note: str = "") -> Referral:
    """Treat the sheet as 支援会議 material (used when the consent lapsed in flight): it becomes
    the without-consent variant and goes back to the sender, who writes the 支援会議用の概要 —
    from then on the receiver sees only that summary."""
    question = _(
        "本人同意が確認できないため、支援会議の検討事案として扱います。支援会議用の概要を記入して再送付してください。"
    )
    if note.strip():
        question = f"{question}\n{note.strip()}"
    return _transition(
        referral,
        actor=actor,
        action="convert",
        note=question,
        fields={
            "variant": Referral.Variant.WITHOUT_CONSENT,
            "consent": None,
            "info_question": question,
            "info_answer": "",
        },
    )


@transaction.atomic
def referral_assign(*, actor, referral: Referral, assignee) -> Referral:
    """Name the receiving agency's staff member who handles the sheet (no status change)."""
    locked = _lock(referral)
    decision = require(actor, "referral.assign", locked)
    if locked.status not in ASSIGNABLE_STATES:
        raise _conflict_for(locked, "assign")
    if assignee is None or locked.to_agency_id not in staff_agency_ids(assignee):
        raise ValidationError({"assignee": _("担当者は受理機関の職員から選んでください。")})
    updated = Referral.objects.filter(
        pk=locked.pk, status=locked.status, version=locked.version
    ).update(assignee=assignee, version=F("version") + 1, updated_at=timezone.now())
    if updated != 1:  # pragma: no cover - guarded by the row lock
        raise _conflict_for(Referral.objects.get(pk=locked.pk), "assign")
    locked.refresh_from_db()
    event = _event(
        locked,
        actor=actor,
        kind=ReferralEvent.Kind.ASSIGNED,
        from_status=locked.status,
        to_status=locked.status,
        note=str(assignee),
    )
    record(
        actor=actor,
        action="referral.assign",
        obj=locked,
        basis=decision.basis,
        changes=["assignee"],
    )
    _notify(locked, event)
    return locked


def referral_record_view(*, actor, referral: Referral, basis: str, via: str = "html") -> Referral:
    """A view of the sheet: audited; the receiver's first view records 確認 (opened)."""
    record(
        actor=actor,
        action="referral.view",
        obj=referral,
        basis=basis,
        changes=[via] if via != "html" else [],
    )
    if referral.status == S.SENT and referral.to_agency_id in staff_agency_ids(actor):
        return referral_open(actor=actor, referral=referral)
    return referral


# --- 気づきシート ----------------------------------------------------------------------------------

# status -> statuses it may move to, read from the slip workflow table (cases.workflows).
SLIP_TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(step.target for step in SLIP_WORKFLOW.steps_from(state))
    for state in SLIP_WORKFLOW.states
}


def concern_slip_destinations():
    """Where a resident can send a slip: the 社協 and the 地域包括支援センター (active ones)."""
    from agencies.models import Agency

    return (
        Agency.objects.active()
        .filter(kind__in=[AgencyKind.SHAKYO, AgencyKind.HOUKATSU])
        .select_related("area")
    )


@transaction.atomic
def concern_slip_submit(
    *,
    actor,
    to_agency,
    subject_description: str,
    noticed: str,
    location: str = "",
    area=None,
    urgency: str = Urgency.NORMAL,
    idempotency_key: uuid.UUID | None = None,
) -> ConcernSlip:
    """A resident passes on a concern. A repeated `idempotency_key` returns the slip already made."""
    decision = require(actor, "concern_slip.create")
    if idempotency_key is not None:
        existing = ConcernSlip.objects.filter(
            idempotency_key=idempotency_key, submitted_by=actor
        ).first()
        if existing is not None:
            return existing
    errors = {}
    if to_agency is None or not concern_slip_destinations().filter(pk=to_agency.pk).exists():
        errors["to_agency"] = _(
            "届け先は社会福祉協議会または地域包括支援センターから選んでください。"
        )
    if not (subject_description or "").strip():
        errors["subject_description"] = _("気になる方・世帯について記入してください。")
    if not (noticed or "").strip():
        errors["noticed"] = _("気づいたことを記入してください。")
    if urgency not in Urgency.values:
        errors["urgency"] = _("緊急度を選んでください。")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            slip = ConcernSlip.objects.create(
                submitted_by=actor,
                to_agency=to_agency,
                subject_description=subject_description.strip(),
                noticed=noticed.strip(),
                location=location.strip(),
                area=area,
                urgency=urgency,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        return ConcernSlip.objects.get(idempotency_key=idempotency_key)
    record(actor=actor, action="concern_slip.create", obj=slip, basis=decision.basis)
    _notify_slip(slip)
    return slip


def _notify_slip(slip: ConcernSlip) -> None:
    slip_id, status = slip.pk, slip.status
    transaction.on_commit(
        lambda: concern_slip_status_changed.send(sender=ConcernSlip, slip_id=slip_id, status=status)
    )


@transaction.atomic
def concern_slip_set_status(
    *, actor, slip: ConcernSlip, status: str, note: str = "", expected_version: int | None = None
) -> ConcernSlip:
    """Receiving agency staff move the slip on (受付 → 対応中 → 対応終了) and keep an internal
    note; the resident sees only the status label."""
    locked = ConcernSlip.objects.select_for_update().get(pk=slip.pk)
    decision = require(actor, "concern_slip.handle", locked)
    _check_version(locked, expected_version)
    changes = []
    if status != locked.status:
        if status not in SLIP_TRANSITIONS.get(locked.status, frozenset()):
            raise IntakeConflict(
                _("「%(from)s」から「%(to)s」には変更できません。")
                % {
                    "from": locked.get_status_display(),
                    "to": ConcernSlip.Status(status).label
                    if status in ConcernSlip.Status.values
                    else status,
                },
                current_status=locked.status,
            )
        now = timezone.now()
        if locked.received_at is None:
            locked.received_at = now
        if status == ConcernSlip.Status.CLOSED:
            locked.closed_at = now
        locked.status = status
        changes += ["status", "received_at", "closed_at"]
    if note.strip():
        locked.handling_note = _with_memo_entry(locked.handling_note, actor, note.strip())
        changes.append("handling_note")
    if not changes:
        return locked
    locked.handled_by = actor
    locked.version = F("version") + 1
    locked.save(update_fields=[*dict.fromkeys(changes), "handled_by", "version", "updated_at"])
    locked.refresh_from_db()
    record(
        actor=actor, action="concern_slip.update", obj=locked, basis=decision.basis, changes=changes
    )
    if "status" in changes:
        _notify_slip(locked)
    return locked


def _with_memo_entry(memo: str, actor, text: str, *, at=None) -> str:
    """The 対応メモ with a line added: [令和8年12月8日 09:19 若葉 さくら] text. The stamp is stored
    text, so it is written in 和暦 whatever the writer's 西暦 setting (older lines keep the ISO
    stamps they were written with)."""
    stamp = jpdates.format_local_datetime(timezone.localtime(at), seireki=False)
    entry = f"[{stamp} {actor.display_name or actor.username}] {text}"
    return f"{memo}\n{entry}".strip()


def _slip_moves_on(locked: ConcernSlip, *, actor, fields: dict, note: str) -> ConcernSlip:
    """Record where the slip went on and move it to 対応中 (the resident sees only that)."""
    now = timezone.now()
    changes = list(fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.received_at is None:
        locked.received_at = now
        changes.append("received_at")
    if locked.status in (ConcernSlip.Status.SUBMITTED, ConcernSlip.Status.RECEIVED):
        locked.status = ConcernSlip.Status.HANDLING
        changes.append("status")
    locked.handling_note = _with_memo_entry(locked.handling_note, actor, note, at=now)
    locked.handled_by = actor
    locked.version = F("version") + 1
    locked.save(update_fields=[*changes, "handling_note", "handled_by", "version", "updated_at"])
    locked.refresh_from_db()
    if "status" in changes:
        _notify_slip(locked)
    return locked


@transaction.atomic
def concern_slip_to_consultation(
    *, actor, slip: ConcernSlip, categories: Iterable[str], person=None, household=None
) -> Consultation:
    """Turn the slip into a consultation of the receiving agency: the route (民生委員 or 地域住民),
    the description, what was noticed, the place and the urgency are carried over; the slip goes
    to 対応中. `person` / `household` link records the staff member may see."""
    locked = ConcernSlip.objects.select_for_update().get(pk=slip.pk)
    decision = require(actor, "concern_slip.handle", locked)
    if locked.status == ConcernSlip.Status.CLOSED or locked.consultation_id:
        raise IntakeConflict(
            _("この気づきシートはすでに相談受付にしたか、対応を終了しています。"),
            current_status=locked.status,
        )
    from agencies.choices import Role

    resident_is_minsei = Role.RESIDENT in locked.submitted_by.roles()
    summary = "\n".join(
        part
        for part in (
            _("気づきシート(%(date)s 提出)より")
            % {"date": jpdates.format_date(locked.submitted_at, seireki=False)},
            _("気になる方・世帯: %(text)s") % {"text": locked.subject_description},
            _("場所: %(text)s") % {"text": locked.location} if locked.location else "",
            _("気づいたこと: %(text)s") % {"text": locked.noticed},
        )
        if part
    )
    consultation = consultation_create(
        actor=actor,
        agency=locked.to_agency,
        categories=categories,
        route=Route.MINSEI if resident_is_minsei else Route.RESIDENT,
        consulter_kind=ConsulterKind.NEIGHBOUR,
        consulter_note=str(_("気づきシート")),
        person=person,
        household=household,
        summary=summary,
        urgency=locked.urgency,
        outcome=ConsultationOutcome.OWN,
        received_at=locked.submitted_at,
    )
    _slip_moves_on(
        locked,
        actor=actor,
        fields={"consultation": consultation, "person": person},
        note=str(_("相談受付にしました。")),
    )
    record(
        actor=actor,
        action="concern_slip.update",
        obj=locked,
        basis=decision.basis,
        changes=["consultation", "status"],
    )
    return consultation


@transaction.atomic
def concern_slip_link(*, actor, slip: ConcernSlip, person=None, case=None) -> ConcernSlip:
    """Link the slip to a person or support case already known (nothing is retyped); the slip
    goes to 対応中 and is closed for the resident when the linked case closes."""
    locked = ConcernSlip.objects.select_for_update().get(pk=slip.pk)
    decision = require(actor, "concern_slip.handle", locked)
    if person is None and case is None:
        raise ValidationError({"person": _("結びつける本人または支援ケースを選んでください。")})
    if locked.status == ConcernSlip.Status.CLOSED:
        raise IntakeConflict(
            _("対応を終了した気づきシートは結びつけられません。"), current_status=locked.status
        )
    if person is not None and not _visible(actor, person, "person_access"):
        raise ValidationError({"person": _("この対象者を選ぶ権限がありません。")})
    if case is not None and not check(actor, "case.view", case):
        raise ValidationError({"case": _("この支援ケースを選ぶ権限がありません。")})
    fields = {}
    if person is not None:
        fields["person"] = person
    if case is not None:
        fields["case"] = case
        if person is None and case.principal_id:
            fields["person"] = case.principal
    locked = _slip_moves_on(
        locked, actor=actor, fields=fields, note=str(_("既存の記録に結びつけました。"))
    )
    record(
        actor=actor,
        action="concern_slip.update",
        obj=locked,
        basis=decision.basis,
        changes=sorted(fields),
    )
    return locked


def concern_slips_close_for_case(*, case, actor) -> int:
    """A linked case closed: its slips reach 対応終了 for the resident (status label only)."""
    closed = 0
    for slip in ConcernSlip.objects.filter(case=case).exclude(status=ConcernSlip.Status.CLOSED):
        ConcernSlip.objects.filter(pk=slip.pk).update(
            status=ConcernSlip.Status.CLOSED,
            closed_at=timezone.now(),
            version=F("version") + 1,
        )
        slip.refresh_from_db()
        record(actor=actor, action="concern_slip.update", obj=slip, changes=["status"])
        _notify_slip(slip)
        closed += 1
    return closed

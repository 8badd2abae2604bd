"""Who may do what with consultations, referrals (つなぐシート) and concern slips (気づきシート).

The rules (least access; only care roles count as agency staff, never the resident or admin role):

Consultations (相談受付)
    Visible to and editable by the professional staff of the agency that recorded it — nobody
    else. The admin role grants no access to consultation contents: reports read aggregates
    through their own selectors, and an admin who also works at the agency sees it through that
    membership. Recording requires a professional role at the receiving agency.

Referrals (つなぐシート)
    * The sending agency's staff see the whole sheet and every status change (the timeline); the
      sender's staff edit drafts and sheets waiting for more information, send, answer and
      withdraw.
    * The receiving agency's staff see the header (number, agencies, dates, triggers, urgency,
      status) of every sheet sent to it, never a draft — so it can triage.
    * Personal sections (the person, the household, the narrative) are shown to the receiver
      only on a basis:
        - with-consent variant: the consent is in force (not withdrawn, not expired), belongs to
          the referred person and names the receiving agency; then the consent's information
          kinds decide the sections: 基本情報 → person and narrative, 世帯 → household.
          Withdrawal ends access at once.
        - without-consent variant: the receiver sees only the 支援会議用の概要 the sender chose to
          write. Fuller access comes through a 支援会議 of which the user is a pledged member:
          the meetings app registers that basis with `register_referral_access`.
    * Every receiving agency can answer (no dead ends): any care-role staff member of the
      receiving agency (相談員, 推進員, CSW, 参加支援員, 係長) may accept the sheet into the agency's
      own work (a consultation record of its own), return it with a proposed next step, ask for
      more, assign it to a colleague or treat it as 支援会議 material. Accepting it as a
      多機関協働 support case is for the coordinator of a receiving agency that runs 多機関協働. Opening is recorded for any care-role staff of the receiving agency.

Concern slips (気づきシート)
    A resident sees only their own slips, and of the handling only the status label. Professional
    staff of the receiving agency see the slips addressed to it and handle them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agencies.choices import Role
from agencies.policy import DENY, Basis, Decision, allow, is_professional, rule
from cases.choices import InfoKind
from cases.policy.persons import care_agency_ids


def staff_agency_ids(user) -> set[int]:
    """Agencies where the user holds a care role today (相談員, 推進員, CSW, 参加支援員, 係長):
    the same set as the persons policy — neither the admin nor the resident role counts."""
    return care_agency_ids(user)


def is_resident(user) -> bool:
    return Role.RESIDENT in user.roles()


# --- consultations ---------------------------------------------------------------------------


@rule("consultation.create", "referral.create")
def _record_at_agency(user, agency) -> Decision:
    """`agency` is the recording/sending agency (None: may the user record anywhere at all)."""
    ids = staff_agency_ids(user)
    if agency is None:
        return allow(Basis.SAME_AGENCY) if ids else DENY
    return allow(Basis.SAME_AGENCY) if agency.pk in ids else DENY


@rule("consultation.list", "consultation.export", "referral.list")
def _professional_list(user, obj) -> Decision:
    # Lists are filtered by the selectors to what the user may see.
    return allow(Basis.SAME_AGENCY) if staff_agency_ids(user) else DENY


@rule("consultation.view", "consultation.update", "consultation.print")
def _consultation_agency(user, consultation) -> Decision:
    if consultation is None:
        return DENY
    return allow(Basis.SAME_AGENCY) if consultation.agency_id in staff_agency_ids(user) else DENY


# --- referrals -------------------------------------------------------------------------------


def _is_sender(user, referral) -> bool:
    return referral.from_agency_id in staff_agency_ids(user)


def _is_receiver(user, referral) -> bool:
    return referral.status != "draft" and referral.to_agency_id in staff_agency_ids(user)


@rule("referral.view", "referral.print")
def _referral_view(user, referral) -> Decision:
    """The header: sender and receiver (never a draft for the receiver)."""
    if referral is None:
        return DENY
    if _is_sender(user, referral):
        return allow(Basis.SENDING_AGENCY)
    if _is_receiver(user, referral):
        return allow(Basis.RECEIVING_AGENCY)
    return DENY


@rule("referral.update", "referral.send", "referral.withdraw", "referral.answer_info")
def _referral_sender_acts(user, referral) -> Decision:
    if referral is not None and _is_sender(user, referral):
        return allow(Basis.SENDING_AGENCY)
    return DENY


@rule("referral.open")
def _referral_open(user, referral) -> Decision:
    if referral is not None and _is_receiver(user, referral):
        return allow(Basis.RECEIVING_AGENCY)
    return DENY


@rule("referral.accept")
def _referral_accept(user, referral) -> Decision:
    """Accepting as a support case opens (or joins) a 多機関協働 case: the receiving agency's
    coordinator (相談支援包括化推進員: the role that opens cases), at an agency that runs 多機関協働."""
    if (
        referral is not None
        and _is_receiver(user, referral)
        and Role.COORDINATOR in user.roles_at(referral.to_agency_id)
        and "multiagency" in (referral.to_agency.programmes or [])
    ):
        return allow(Basis.RECEIVING_AGENCY)
    return DENY


@rule(
    "referral.accept_own",
    "referral.return",
    "referral.request_info",
    "referral.assign",
    "referral.convert",
)
def _referral_receiver_answers(user, referral) -> Decision:
    """Any care-role staff of the receiving agency answers the sheet."""
    if referral is not None and _is_receiver(user, referral):
        return allow(Basis.RECEIVING_AGENCY)
    return DENY


@rule("referral.inbox")
def _referral_inbox(user, obj) -> Decision:
    return allow(Basis.RECEIVING_AGENCY) if staff_agency_ids(user) else DENY


# Sections of a referral that carry personal data.
SECTION_PERSON = "person"  # 氏名・生年月日・住所・電話
SECTION_HOUSEHOLD = "household"  # 世帯員
SECTION_NARRATIVE = "narrative"  # 本人の訴え・これまでの対応・理由の補足
SECTION_MEETING = "meeting_summary"  # 支援会議用の概要 (written for sharing)
ALL_SECTIONS = frozenset({SECTION_PERSON, SECTION_HOUSEHOLD, SECTION_NARRATIVE, SECTION_MEETING})


@dataclass(frozen=True)
class SectionAccess:
    sections: frozenset[str]
    basis: str = ""

    def __contains__(self, section: str) -> bool:
        return section in self.sections

    @property
    def personal(self) -> bool:
        return bool(self.sections - {SECTION_MEETING})

    @property
    def basis_label(self) -> str:
        return Basis.label(self.basis) if self.basis else ""


NO_SECTIONS = SectionAccess(frozenset())
# Extra bases for a receiver (the meetings app adds 支援会議 membership). Each takes
# (user, referral) and returns a SectionAccess or None.
_EXTENSIONS: list[Callable] = []


def register_referral_access(fn: Callable) -> Callable:
    if fn not in _EXTENSIONS:
        _EXTENSIONS.append(fn)
    return fn


def consent_covers(consent, referral) -> bool:
    """The consent is in force now, is the referred person's, and names the receiving agency."""
    if consent is None or not consent.is_in_force():
        return False
    if referral.person_id is not None and consent.person_id != referral.person_id:
        return False
    return consent.agencies.filter(pk=referral.to_agency_id).exists()


def referral_sections(user, referral) -> SectionAccess:
    """Which sections of the sheet this user may read, and on what basis."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SECTIONS
    if _is_sender(user, referral):
        return SectionAccess(ALL_SECTIONS, Basis.SENDING_AGENCY)
    if not _is_receiver(user, referral):
        return NO_SECTIONS
    granted: set[str] = {SECTION_MEETING}
    basis = Basis.RECEIVING_AGENCY
    if referral.with_consent and consent_covers(referral.consent, referral):
        kinds = set(referral.consent.info_kinds or [])
        if InfoKind.BASIC in kinds:
            granted |= {SECTION_PERSON, SECTION_NARRATIVE}
        if InfoKind.HOUSEHOLD in kinds:
            granted.add(SECTION_HOUSEHOLD)
        basis = Basis.CONSENT
    for extension in _EXTENSIONS:
        extra = extension(user, referral)
        if extra and extra.sections - granted:
            granted |= set(extra.sections)
            basis = extra.basis or basis
    return SectionAccess(frozenset(granted), basis)


# --- concern slips ---------------------------------------------------------------------------


@rule("concern_slip.create", "concern_slip.list_own")
def _resident_slips(user, obj) -> Decision:
    return allow(Basis.SELF) if is_resident(user) else DENY


@rule("concern_slip.list_received")
def _slips_received(user, obj) -> Decision:
    return allow(Basis.RECEIVING_AGENCY) if staff_agency_ids(user) else DENY


@rule("concern_slip.view")
def _slip_view(user, slip) -> Decision:
    if slip is None:
        return DENY
    if slip.to_agency_id in staff_agency_ids(user):
        return allow(Basis.RECEIVING_AGENCY)
    if slip.submitted_by_id == user.pk:
        return allow(Basis.SELF)
    return DENY


@rule("concern_slip.handle")
def _slip_handle(user, slip) -> Decision:
    if slip is not None and slip.to_agency_id in staff_agency_ids(user) and is_professional(user):
        return allow(Basis.RECEIVING_AGENCY)
    return DENY


@rule("concern_slip.list")
def _slip_list(user, obj) -> Decision:
    """API list: a resident's own slips, or the slips addressed to the user's agencies."""
    if staff_agency_ids(user):
        return allow(Basis.RECEIVING_AGENCY)
    return allow(Basis.SELF) if is_resident(user) else DENY

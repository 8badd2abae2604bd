"""Who may do what with meeting bodies, meetings and their papers — and on what basis.

The legal core (DOMAIN §4):
- 支援会議 (Social Welfare Act art. 106-6): members bear a statutory duty of confidentiality, so
  papers and minutes open to a member of *that* body with a pledge for the current fiscal year,
  and only for what the agenda item covers. No pledge, no material — not even for an admin.
- 重層的支援会議: needs the person's consent; minutes of an item go to the case team of the
  item's case (and to the secretariat of the 多機関協働 body that convened it).
- Supervisors and coordinators of the convening agency manage bodies, agendas and minutes.
Rules register with agencies.policy (imported by MeetingsConfig.ready).
"""

from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import Role
from agencies.compiled import DAY, CompiledOnce
from agencies.jpdates import fiscal_year
from agencies.policy import DENY, Basis, Decision, allow, deny, is_admin, is_professional, rule

from .choices import BodyKind, MeetingStatus

# Bases specific to meetings (stored in audit rows; labels shown in the UI).
SECRETARIAT = "meeting_secretariat"
CONVENOR = "meeting_convenor"
Basis.LABELS.setdefault(SECRETARIAT, _("重層的支援会議の事務局(本人同意)"))
Basis.LABELS.setdefault(CONVENOR, _("会議の開催機関"))
ROLE_OWNER = "meeting_role_owner"
Basis.LABELS.setdefault(ROLE_OWNER, _("会議で割り当てられた担当者"))

# What the meeting screens print after 閲覧の根拠.
UI_BASIS_LABELS = {
    Basis.SHIEN_KAIGI: _("支援会議の構成員(守秘義務誓約済)"),
    Basis.CASE_TEAM: _("本人同意・支援チーム"),
    SECRETARIAT: _("本人同意・重層的支援会議の事務局"),
    Basis.MEETING_MEMBER: _("会議の構成員"),
    CONVENOR: _("会議の開催機関"),
    Basis.ADMIN: _("管理者権限"),
}

MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.COORDINATOR})

NO_PLEDGE = _(
    "今年度の守秘義務の誓約が登録されていないため、支援会議の資料・議事録は開けません。"
    "会議の事務局に誓約書を提出してください。"
)
NOT_MEMBER = _("この会議体の構成員ではないため、資料・議事録は開けません。")
NOT_TEAM = _("この議題のケースの支援チームではないため、資料・議事録は開けません。")


def ui_basis(decision: Decision) -> str:
    return str(UI_BASIS_LABELS.get(decision.basis, decision.basis_label))


# --- per-request caches on the user object (one query each, whatever the page shows) ----------


def _seats(user) -> dict[int, bool]:
    """{body_id: has current pledge} for the user's current seats on any body. The same read
    keeps each body's kind and basis (cache "seat_bodies") for meetings.access, which needs them
    on every page that decides on persons: one query for both."""
    cache = user.__dict__.setdefault("_meeting_cache", {})
    if "seats" not in cache:
        today = timezone.localdate()
        seats: dict[int, bool] = {}
        bodies: dict[int, tuple] = {}
        for body_id, has_pledge, *body in _SEATS.rows(user.pk, today, fiscal_year(today)):
            seats[body_id] = seats.get(body_id, False) or has_pledge
            bodies[body_id] = SeatBody(*body)
        cache["seats"] = seats
        cache["seat_bodies"] = bodies
    return cache["seats"]


class SeatBody(NamedTuple):
    """What meetings.access and the case policy read of a seat's body (its basis may be unset)."""

    kind: str
    basis_id: int | None
    consent_required: bool | None
    lookback_days: int | None
    sections: list | None
    restricts_material: bool | None


SEAT_BODY_COLUMNS = (
    "body__kind",
    "body__basis_id",
    "body__basis__consent_required",
    "body__basis__lookback_days",
    "body__basis__sections",
    "body__basis__restricts_material",
)


def _seat_rows(user_id, on, _fy):
    # `_fy` is the fiscal year the pledges' `current(on)` derives from `on`: a placeholder of
    # its own, so that the statement compiled once (agencies.compiled) takes today's.
    from django.db.models import Exists, OuterRef

    from .models import BodyMember, ConfidentialityPledge

    pledged = ConfidentialityPledge.objects.current(on).filter(member=OuterRef("pk"))
    return (
        BodyMember.objects.current(on)
        .filter(user_id=user_id)
        .annotate(pledged=Exists(pledged))
        .values_list("body_id", "pledged", *SEAT_BODY_COLUMNS)
    )


_SEATS = CompiledOnce(_seat_rows, -7_654_323, DAY, fiscal_year(DAY))


def managed_agency_ids(user) -> set[int]:
    return {m.agency_id for m in user.current_memberships() if m.role in MANAGER_ROLES}


def supervised_agency_ids(user) -> set[int]:
    return {m.agency_id for m in user.current_memberships() if m.role == Role.SUPERVISOR}


def is_manager(user, body) -> bool:
    return body.convenor_id in managed_agency_ids(user)


def is_member(user, body) -> bool:
    return body.pk in _seats(user)


def has_pledge(user, body) -> bool:
    return _seats(user).get(body.pk, False)


def on_case_team(user, case) -> bool:
    """The case team as the cases app defines it (coordinator, or a team agency with consent in
    scope): one definition for the whole system."""
    from cases.policy.support import case_access

    return case_access(user, case).can_view


# --- bodies -----------------------------------------------------------------------------------


@rule("meetingbody.list", "meetingbody.view", "agendarequest.create")
def _body_directory(user, obj) -> Decision:
    # Names, kinds, convenors and schedules of bodies are not personal data; staff need them to
    # ask for an agenda slot.
    return allow(Basis.STAFF_DIRECTORY) if is_professional(user) else DENY


@rule("meetingbody.create")
def _body_create(user, obj) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    return allow(Basis.AGENCY_SUPERVISOR) if managed_agency_ids(user) else DENY


@rule("meetingbody.manage")
def _body_manage(user, body) -> Decision:
    if body is None:
        return DENY
    if is_manager(user, body):
        return allow(CONVENOR)
    if is_admin(user):
        return allow(Basis.ADMIN)
    return DENY


@rule("meetingbody.members")
def _body_members(user, body) -> Decision:
    """The member list and pledge status (names of staff and external members)."""
    if body is None:
        return DENY
    if is_manager(user, body):
        return allow(CONVENOR)
    if is_member(user, body):
        return allow(Basis.MEETING_MEMBER)
    if is_admin(user):
        return allow(Basis.ADMIN)
    return DENY


@rule("pledge.view_document")
def _pledge_document(user, pledge) -> Decision:
    if pledge is None:
        return DENY
    if pledge.member.user_id == user.pk:
        return allow(Basis.SELF)
    if is_manager(user, pledge.member.body):
        return allow(CONVENOR)
    return allow(Basis.ADMIN) if is_admin(user) else DENY


# --- meetings ---------------------------------------------------------------------------------


@rule("meeting.view")
def _meeting_view(user, meeting) -> Decision:
    """The meeting's date, place, attendance and agenda titles (no case content)."""
    if meeting is None:
        return DENY
    body = meeting.body
    if body.kind == BodyKind.SHIEN_KAIGI:
        if has_pledge(user, body):
            return allow(Basis.SHIEN_KAIGI)
        if is_manager(user, body):
            return allow(CONVENOR)
        if is_member(user, body):
            return deny(str(NO_PLEDGE))
        return DENY
    if is_manager(user, body):
        return allow(CONVENOR)
    if is_member(user, body):
        return allow(Basis.MEETING_MEMBER)
    if is_professional(user) and any(
        item.case_id and on_case_team(user, item.case) for item in meeting.items.all()
    ):
        return allow(Basis.CASE_TEAM)
    return allow(Basis.ADMIN) if is_admin(user) else DENY


@rule("meeting.view_minutes")
def _meeting_minutes(user, meeting) -> Decision:
    """The meeting-wide minutes text: 支援会議 pledged members only; 重層 members and convenor."""
    if meeting is None:
        return DENY
    body = meeting.body
    if body.kind == BodyKind.SHIEN_KAIGI:
        if has_pledge(user, body):
            return allow(Basis.SHIEN_KAIGI)
        return deny(str(NO_PLEDGE)) if (is_member(user, body) or is_manager(user, body)) else DENY
    if is_manager(user, body):
        return allow(CONVENOR)
    if is_member(user, body):
        return allow(Basis.MEETING_MEMBER)
    return DENY


@rule("meeting.manage")
def _meeting_manage(user, meeting) -> Decision:
    """Schedule, build and fix the agenda, attendance, decisions, minutes (not approval)."""
    if meeting is None:
        return DENY
    return allow(CONVENOR) if is_manager(user, meeting.body) else DENY


@rule("meeting.approve_minutes")
def _meeting_approve(user, meeting) -> Decision:
    if meeting is None:
        return DENY
    if meeting.body.convenor_id in supervised_agency_ids(user):
        return allow(Basis.AGENCY_SUPERVISOR)
    return DENY


@rule("meeting.list")
def _meeting_list(user, obj) -> Decision:
    return allow(Basis.MEETING_MEMBER) if is_professional(user) else DENY


# --- agenda items: the papers ----------------------------------------------------------------


@rule("agendaitem.view")
def _item_view(user, item) -> Decision:
    """The item's paper, notes and decision — the personal part of a meeting."""
    if item is None:
        return DENY
    body = item.meeting.body
    if body.kind == BodyKind.SHIEN_KAIGI:
        if has_pledge(user, body):
            return allow(Basis.SHIEN_KAIGI)
        if is_member(user, body) or is_manager(user, body):
            return deny(str(NO_PLEDGE))
        # Outsiders get no reason: a reason would tell them the item exists (one answer for no).
        return DENY
    # 重層的支援会議: consent was checked when the item was added.
    if item.case_id is None:
        if is_manager(user, body):
            return allow(CONVENOR)
        if is_member(user, body):
            return allow(Basis.MEETING_MEMBER)
        return DENY
    if on_case_team(user, item.case):
        return allow(Basis.CASE_TEAM)
    if is_manager(user, body):
        return allow(SECRETARIAT)
    if is_member(user, body):
        # A member who knows the item from the agenda learns why its papers stay closed.
        return deny(str(NOT_TEAM))
    return DENY


@rule("agendaitem.answer")
def _item_answer(user, item) -> Decision:
    """A 書面開催 answer: the body's current members (on a 支援会議, with this year's pledge)."""
    if item is None:
        return DENY
    body = item.meeting.body
    if body.kind == BodyKind.SHIEN_KAIGI:
        if has_pledge(user, body):
            return allow(Basis.SHIEN_KAIGI)
        return deny(str(NO_PLEDGE)) if is_member(user, body) else DENY
    return allow(Basis.MEETING_MEMBER) if is_member(user, body) else DENY


@rule("agendaitem.edit")
def _item_edit(user, item) -> Decision:
    """Edit the paper, notes and decision of an item: the convenor's managers who may see it."""
    if item is None:
        return DENY
    seen = _item_view(user, item)
    if not seen:
        return seen
    if not is_manager(user, item.meeting.body):
        return deny(str(_("会議の事務局(開催機関の係長・推進員)のみ編集できます。")))
    return seen


# --- role assignments (役割分担) -----------------------------------------------------------------


@rule("roleassignment.complete")
def _role_complete(user, role) -> Decision:
    """The named owner (while at the owner agency), or staff of the owner agency with a care
    role, mark a role done — the same people `RoleAssignment.objects.owned_by(user)` lists."""
    if role is None or not is_professional(user):
        return DENY
    from .models.meeting import CARE_ROLES

    memberships = user.current_memberships()
    if role.owner_user_id == user.pk and any(
        m.agency_id == role.owner_agency_id for m in memberships
    ):
        return allow(ROLE_OWNER)
    if any(m.agency_id == role.owner_agency_id and m.role in CARE_ROLES for m in memberships):
        return allow(Basis.SAME_AGENCY)
    if _item_view(user, role.decision.item):
        return deny(str(_("この役割の担当者、または担当機関の職員のみ完了を記録できます。")))
    return DENY  # an outsider learns nothing, not even that the role exists


@rule("roleassignment.view")
def _role_view(user, role) -> Decision:
    """A role's task and due date: its owners, and whoever may open the decision's item."""
    if role is None:
        return DENY
    owner = _role_complete(user, role)
    if owner:
        return owner
    return _item_view(user, role.decision.item)


@rule("agendarequest.view", "agendarequest.withdraw")
def _request_view(user, request) -> Decision:
    """The requester, or the body's secretariat and supervisors (pledged, for a 支援会議): they
    see a request and may withdraw it while it waits."""
    if request is None:
        return DENY
    if request.requested_by_id == user.pk:
        return allow(Basis.AUTHOR)
    if is_manager(user, request.body):
        if request.body.kind == BodyKind.SHIEN_KAIGI and not has_pledge(user, request.body):
            return deny(str(NO_PLEDGE))
        return allow(CONVENOR)
    return DENY


def meeting_is_open_for_minutes(meeting) -> bool:
    return meeting.status == MeetingStatus.HELD

"""The access policy: may this user do this to this object, and on what basis?

One entry point for HTML views, the API, exports and tasks: `check()` / `require()`. Apps add
their rules with `@rule("entity.verb")` in their own `policy.py` (imported by AppConfig.ready);
an action without a rule is denied. Deny by default: a rule returns `DENY` unless it finds a
basis, and an inactive or anonymous user is denied before any rule runs.

A denial's `reason` is shown to the user on the 403 page (agencies.errors): give a fixed,
translated sentence that helps (e.g. "no confidentiality pledge this year"), never a name, a
record's content or anything formatted from the object.
"""

import logging
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .choices import Role

logger = logging.getLogger(__name__)


class Basis:
    """Why access was granted; stored in audit rows and shown in the UI."""

    ADMIN = "admin"
    SELF = "self"
    SAME_AGENCY = "same_agency"
    AGENCY_SUPERVISOR = "agency_supervisor"
    STAFF_DIRECTORY = "staff_directory"
    AUTHOR = "author"
    RECEIVING_AGENCY = "receiving_agency"
    SENDING_AGENCY = "sending_agency"
    CASE_TEAM = "case_team"
    CONSENT = "consent"
    SHIEN_KAIGI = "shien_kaigi"
    MEETING_MEMBER = "meeting_member"

    LABELS = {
        ADMIN: _("管理者権限"),
        SELF: _("本人"),
        SAME_AGENCY: _("同じ機関の職員"),
        AGENCY_SUPERVISOR: _("機関の係長"),
        STAFF_DIRECTORY: _("職員名簿"),
        AUTHOR: _("作成者"),
        RECEIVING_AGENCY: _("受理機関"),
        SENDING_AGENCY: _("送付元機関"),
        CASE_TEAM: _("支援チーム"),
        CONSENT: _("本人同意"),
        SHIEN_KAIGI: _("支援会議(法第106条の6)"),
        MEETING_MEMBER: _("会議の構成員"),
    }

    @classmethod
    def label(cls, basis: str) -> str:
        return str(cls.LABELS.get(basis, basis))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def basis_label(self) -> str:
        return Basis.label(self.basis)


DENY = Decision(False)


def allow(basis: str) -> Decision:
    return Decision(True, basis)


def deny(reason: str = "") -> Decision:
    return Decision(False, reason=reason)


class PolicyDenied(PermissionDenied):
    """A refusal by the policy. On a record (`on_object`) without a fixed reason, the answer is
    the not-found answer (agencies.errors, agencies.api_errors): "not allowed" and "does not
    exist" must not be told apart, or the existence of a hidden record could be probed. A fixed
    reason is given only to someone who already knows the record (a member without this year's
    pledge, a reader who may not edit)."""

    def __init__(
        self,
        action: str,
        decision: Decision,
        *,
        on_object: bool = False,
        hide: bool = False,
        obj=None,
    ):
        self.action = action
        self.decision = decision
        self.on_object = on_object
        self.hide = hide
        self.obj = obj
        super().__init__(decision.reason or str(_("この操作を行う権限がありません。")))

    def hides_existence_for(self, user) -> bool:
        """Answer as not found unless the user may see the record anyway (then "you may read
        but not do this" is no secret and the 403 says so)."""
        if self.hide:
            return True
        entity = self.action.split(".", 1)[0]
        if not self.on_object or self.decision.reason or entity not in RECORD_ENTITIES:
            return False
        view = VIEW_ACTIONS.get(getattr(getattr(self.obj, "_meta", None), "label_lower", ""))
        if view is None:
            return False  # not a record (an agency to create something at, a directory row)
        if view == self.action:
            return True
        return not check(user, view, self.obj).allowed


# The read action that tells whether a refused user may see the record at all.
VIEW_ACTIONS = {
    "cases.person": "person.view",
    "cases.household": "household.view",
    "cases.consent": "consent.view",
    "cases.consultation": "consultation.view",
    "cases.referral": "referral.view",
    "cases.concernslip": "concern_slip.view",
    "cases.supportcase": "case.view",
    "cases.assessment": "case.view",
    "cases.plan": "case.view",
    "cases.planitem": "case.view",
    "cases.evaluation": "case.view",
    "cases.monitoring": "case.view",
    "cases.caseteammember": "case.view",
    "cases.activitynote": "note.view",
    "cases.noteattachment": "attachment.view",
    "meetings.agendaitem": "agendaitem.view",
    "meetings.roleassignment": "roleassignment.view",
}

# Entities whose rows are personal records: a refusal on one answers exactly like a record that
# does not exist. Directory-like things (agencies, staff, bodies, meetings' dates) keep the 403
# with its reason: their existence is no secret.
RECORD_ENTITIES = frozenset(
    {
        "person",
        "household",
        "consent",
        "consultation",
        "referral",
        "concern_slip",
        "case",
        "assessment",
        "plan",
        "evaluation",
        "monitoring",
        "note",
        "attachment",
        "agendaitem",
        "roleassignment",
        "emergency",
    }
)


Rule = Callable[..., Decision]
_RULES: dict[str, Rule] = {}


def rule(*actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in _RULES:
                raise RuntimeError(f"policy rule for {action!r} registered twice")
            _RULES[action] = fn
        return fn

    return register


def known_actions() -> list[str]:
    return sorted(_RULES)


def check(user, action: str, obj=None) -> Decision:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return DENY
    fn = _RULES.get(action)
    if fn is None:
        # A programming error, not something to tell the user: the reason is shown on the 403
        # page, so it stays empty and the log says which action lacks a rule.
        logger.warning("policy: no rule for %s", action)
        return DENY
    decision = fn(user, obj) if obj is not None else fn(user, None)
    return decision if isinstance(decision, Decision) else DENY


def can(user, action: str, obj=None) -> bool:
    return check(user, action, obj).allowed


def require(user, action: str, obj=None) -> Decision:
    decision = check(user, action, obj)
    if not decision.allowed:
        raise PolicyDenied(action, decision, on_object=obj is not None, obj=obj)
    return decision


def require_visible(user, action: str, obj) -> Decision:
    """`require` for reading a record: a refusal always answers as not found (no reason), so
    nobody learns that the record exists."""
    decision = check(user, action, obj)
    if not decision.allowed:
        raise PolicyDenied(action, DENY, on_object=True, hide=True)
    return decision


# --- shared predicates --------------------------------------------------------------------


def is_admin(user) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


def is_professional(user) -> bool:
    """Any current staff role other than the restricted resident role: enough for the staff
    directory and the names of bodies, never for case or person content — those rules ask for
    a care role (cases.policy.persons.care_agency_ids), which the admin role is not."""
    return bool(user.roles() - {Role.RESIDENT}) or user.is_superuser


def shares_agency(user, agency_ids) -> bool:
    return bool(user.agency_ids() & set(agency_ids))


# --- rules for agencies and staff ---------------------------------------------------------

# What a non-admin may change with the narrower bases below; services enforce these lists so a
# crafted form or API body cannot widen them.
AGENCY_SUPERVISOR_FIELDS = frozenset(
    {"short_name", "postal_code", "address", "phone", "fax", "email"}
)
STAFF_SELF_FIELDS = frozenset(
    {"display_name", "kana", "phone", "language", "email", "show_seireki"}
)


def editable_fields(decision: Decision, all_fields, limited) -> frozenset[str]:
    """Fields the holder of `decision` may change: all of them for an admin, else `limited`."""
    if decision.basis == Basis.ADMIN:
        return frozenset(all_fields)
    return frozenset(all_fields) & frozenset(limited)


@rule("agency.view", "area.view", "staff.list", "membership.list", "api.token")
def _directory(user, obj) -> Decision:
    # The directory of agencies and staff names is needed to address referrals; no personal data.
    return allow(Basis.STAFF_DIRECTORY) if is_professional(user) else DENY


@rule(
    "agency.create",
    "agency.set_active",
    "agency.import",
    "area.manage",
    "staff.create",
    "staff.import",
    "staff.password_setup",
    "membership.manage",
    "audit.view",
    "audit.export",
    "settings.manage",
)
def _admin_only(user, obj) -> Decision:
    return allow(Basis.ADMIN) if is_admin(user) else DENY


@rule("membership.transfer_out")
def _membership_transfer_out(user, membership) -> Decision:
    """A transfer (異動) out of an agency, with its handover: the administrator, or a supervisor
    (係長) of that agency for a colleague (not for themselves)."""
    if is_admin(user):
        return allow(Basis.ADMIN)
    if (
        membership is not None
        and membership.user_id != user.pk
        and Role.SUPERVISOR in user.roles_at(membership.agency_id)
    ):
        return allow(Basis.AGENCY_SUPERVISOR)
    return DENY


@rule("agency.update")
def _agency_update(user, agency) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    if agency is not None and Role.SUPERVISOR in user.roles_at(agency.pk):
        return allow(Basis.AGENCY_SUPERVISOR)
    return DENY


@rule("agency.view_history")
def _agency_history(user, agency) -> Decision:
    """Past memberships of an agency (who worked there when): admins and the agency's own staff."""
    if is_admin(user):
        return allow(Basis.ADMIN)
    if agency is not None and is_professional(user) and shares_agency(user, [agency.pk]):
        return allow(Basis.SAME_AGENCY)
    return DENY


@rule("staff.view")
def _staff_view(user, staff) -> Decision:
    """Contact details and membership history of a staff member."""
    if is_admin(user):
        return allow(Basis.ADMIN)
    if staff is None:
        return DENY
    if staff.pk == user.pk:
        return allow(Basis.SELF)
    if is_professional(user) and shares_agency(user, staff.agency_ids()):
        return allow(Basis.SAME_AGENCY)
    return DENY


@rule("staff.update")
def _staff_update(user, staff) -> Decision:
    if is_admin(user):
        return allow(Basis.ADMIN)
    if staff is not None and staff.pk == user.pk:
        return allow(Basis.SELF)
    return DENY


@rule("staff.set_active")
def _staff_set_active(user, staff) -> Decision:
    if not is_admin(user):
        return DENY
    if staff is not None and staff.pk == user.pk:
        # An admin who deactivates themselves may leave the city without any admin.
        return deny(str(_("自分自身のアカウントは無効にできません。")))
    return allow(Basis.ADMIN)


# --- decisions computed once per request ------------------------------------------------------
# A page asks several rules about the same record (view, update, merge, access record). Inside
# `decisions_cached()` (entered by agencies.middleware for each request) an expensive decision is
# computed once per key; outside it (tasks, tests, the shell) nothing is cached. Apps empty the
# cache when what their decisions are made of is written (`forget_cached_decisions`, connected to
# the models' save/delete signals), so a change made during the request counts at once.
_DECISIONS: ContextVar[dict | None] = ContextVar("policy_decisions", default=None)


@contextmanager
def decisions_cached():
    token = _DECISIONS.set({})
    try:
        yield
    finally:
        _DECISIONS.reset(token)


def decision_cache() -> dict | None:
    """The request's decision cache (None outside a request): for policies that decide many
    objects in one query and keep each decision under the key `cached_decision` would use."""
    return _DECISIONS.get()


def cached_decision(key: Hashable, compute: Callable):
    cache = _DECISIONS.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget_cached_decisions(**_signal_kwargs) -> None:
    cache = _DECISIONS.get()
    if cache:
        cache.clear()

"""A transfer (異動) out of an agency, with the handover of everything the worker holds there.

`pending_work(membership)` lists what the worker still answers for at the agency of that
membership: open support cases (as 担当推進員 or on the team — 主担当 included), meeting roles not
done, つなぐシート waiting for their answer, open outreach targets and the places they are 担当CSW
of. `staff_transfer()` hands every item to a successor (one for all, or one per item) with a note
and only then ends the membership the day before the transfer date. Nothing is handed over, and the
membership stays, while a single item has no successor: the message lists what remains.

From the transfer date the worker reaches nothing through the old agency: their membership there
has ended, their team rows ended the day before (so the current team shows the successor only),
the cases name the successor as 担当推進員, and the grants of their meeting roles were ended and
given to the successor (access.services). Derived case grants follow the team rows (access.sync).

Labels carry no personal content (a case number, a sheet number, a meeting date, a place's name):
the administrator performs transfers too, and sees no case content (`describe()` adds the details
only for an actor the policy lets see them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import jpdates
from agencies.choices import CARE_ROLES, Role
from agencies.coded_text import in_primary_language
from agencies.models import Membership
from agencies.policy import can, require
from audit.services import record
from cases.models import (
    CaseTeamMember,
    PlanItem,
    Referral,
    ReferralEvent,
    SupportCase,
    TeamRole,
    WorkHandover,
)

Kind = WorkHandover.Kind
# Order in which the page and the refusal message list the items.
KIND_ORDER = [Kind.CASE, Kind.ROLE, Kind.REFERRAL, Kind.OUTREACH, Kind.PLACE]
HANDOVER_RULE = "work_handover"


@dataclass
class WorkItem:
    """One thing the worker answers for at the agency. `ref` is the key a form or the API uses
    to name its successor ("case:<uuid>"); `label` is safe for anyone allowed to transfer."""

    kind: str
    ref: str
    label: str
    obj: Any
    as_what: str = ""
    detail: str = ""
    url: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


def _keeps_care_role(membership: Membership, on: date) -> bool:
    """The worker still holds a care role at the same agency on `on` (another membership, e.g.
    a role change inside the agency): then nothing needs handing over."""
    return (
        Membership.objects.current(on)
        .filter(user_id=membership.user_id, agency_id=membership.agency_id, role__in=CARE_ROLES)
        .exclude(pk=membership.pk)
        .exists()
    )


def _case_items(worker, agency_id: int, on: date) -> list[WorkItem]:
    # Rows still running on the transfer date (a row handed over ends the day before).
    rows = CaseTeamMember.objects.filter(user=worker, agency_id=agency_id).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=on), joined_on__lte=max(on, timezone.localdate())
    )
    cases = (
        SupportCase.objects.open()
        .filter(
            Q(coordinator=worker, coordinating_agency_id=agency_id)
            | Q(coordinator=worker, coordinating_agency__isnull=True, lead_agency_id=agency_id)
            | Q(pk__in=rows.values("case_id"))
        )
        .order_by("number")
    )
    roles: dict[int, list[str]] = {}
    for case_id, role in rows.values_list("case_id", "role"):
        roles.setdefault(case_id, []).append(str(TeamRole(role).label))
    items = []
    for case in cases:
        as_what = list(roles.get(case.pk, []))
        if case.coordinator_id == worker.pk:
            as_what.insert(0, _("担当推進員"))
        items.append(
            WorkItem(
                kind=Kind.CASE,
                ref=f"case:{case.public_id}",
                label=case.number,
                obj=case,
                as_what="・".join(dict.fromkeys(as_what)),
                extra={"status": case.get_status_display()},
            )
        )
    return items


def _role_items(worker, agency_id: int) -> list[WorkItem]:
    from meetings.choices import MeetingStatus
    from meetings.models import RoleAssignment

    roles = (
        RoleAssignment.objects.filter(owner_user=worker, owner_agency_id=agency_id)
        .filter(done_on__isnull=True)
        .exclude(decision__item__meeting__status=MeetingStatus.CANCELLED)
        .filter(
            Q(plan_item__isnull=True)
            | Q(plan_item__plan__case__status__in=SupportCase.OPEN_STATUSES)
        )
        .select_related("decision__item__meeting__body", "decision__item__case")
        .order_by("due_on", "pk")
    )
    items = []
    for role in roles:
        item = role.decision.item
        # Stored with the handover (WorkHandover.label): 和暦 whatever the reader's setting.
        held_on = jpdates.format_date(item.meeting.starts_at, seireki=False)
        label = f"{held_on} {item.meeting.body.name}"
        if item.case_id:
            label = f"{label}({item.case.number})"
        items.append(
            WorkItem(
                kind=Kind.ROLE,
                ref=f"role:{role.public_id}",
                label=label.strip(),
                obj=role,
                as_what=_("役割の担当者"),
                extra={"due_on": role.due_on},
            )
        )
    return items


def _referral_items(worker, agency_id: int) -> list[WorkItem]:
    S = Referral.Status
    rows = Referral.objects.filter(
        to_agency_id=agency_id,
        assignee=worker,
        status__in=[S.SENT, S.OPENED, S.INFO_REQUESTED],
    ).order_by("number")
    return [
        WorkItem(
            kind=Kind.REFERRAL,
            ref=f"referral:{r.public_id}",
            label=r.number,
            obj=r,
            as_what=_("受理機関の担当者"),
            extra={"status": r.get_status_display(), "due_on": r.answer_due_on},
        )
        for r in rows
    ]


def _outreach_items(worker, agency_id: int) -> list[WorkItem]:
    from outreach.models import OutreachTarget

    rows = (
        OutreachTarget.objects.open()
        .filter(agency_id=agency_id)
        .filter(Q(lead_worker=worker) | Q(assignees=worker))
        .distinct()
        .order_by("number")
    )
    return [
        WorkItem(
            kind=Kind.OUTREACH,
            ref=f"outreach:{t.public_id}",
            label=t.number,
            obj=t,
            as_what=_("主担当") if t.lead_worker_id == worker.pk else _("担当者"),
            extra={"status": t.get_stage_display()},
        )
        for t in rows
    ]


def _place_items(membership: Membership) -> list[WorkItem]:
    from community.models import Resource

    rows = Resource.objects.places().current().filter(csw_id=membership.user_id)
    if membership.role != Role.CSW:
        # Places the worker is 担当CSW of belong to this agency only if it operates them.
        rows = rows.filter(operating_agency_id=membership.agency_id)
    return [
        WorkItem(
            kind=Kind.PLACE,
            ref=f"place:{p.public_id}",
            label=p.name,
            obj=p,
            as_what=_("担当CSW"),
        )
        for p in rows.order_by("name")
    ]


def pending_work(membership: Membership, on: date | None = None) -> list[WorkItem]:
    """Everything the worker still answers for at the membership's agency, in `KIND_ORDER`.
    Empty when the worker keeps a care role there on `on` (default today)."""
    on = on or timezone.localdate()
    if membership.role not in CARE_ROLES or _keeps_care_role(membership, on):
        return []
    worker, agency_id = membership.user, membership.agency_id
    return [
        *_case_items(worker, agency_id, on),
        *_role_items(worker, agency_id),
        *_referral_items(worker, agency_id),
        *_outreach_items(worker, agency_id),
        *_place_items(membership),
    ]


def pending_message(items: list[WorkItem]) -> str:
    """The refusal naming what remains: 「引継ぎが済んでいない業務が3件あります: 支援ケース R8-0001、…」."""
    shown = [f"{i.kind_label} {i.label}" for i in items[:20]]
    more = len(items) - len(shown)
    text = _(
        "引継ぎが済んでいない業務が%(n)s件あります。後任者を決めてから異動を完了してください: %(items)s"
    ) % {
        "n": len(items),
        "items": "、".join(shown),
    }
    if more > 0:
        text += _("(ほか%(n)s件)") % {"n": more}
    return text


def describe(items: list[WorkItem], actor) -> list[WorkItem]:
    """Add what the actor may read to each item (a case's 主訴, a role's task, a page link);
    the administrator without a care role at the agency keeps the bare labels."""
    from cases.policy.support import visible_case_filter

    case_ids = [i.obj.pk for i in items if i.kind == Kind.CASE]
    # One query for every case on the list (the same rule as "case.view").
    visible_cases = (
        set(
            SupportCase.objects.filter(pk__in=case_ids)
            .filter(visible_case_filter(actor))
            .values_list("pk", flat=True)
        )
        if case_ids
        else set()
    )
    for item in items:
        obj = item.obj
        if item.kind == Kind.CASE:
            if obj.pk in visible_cases:
                item.detail = obj.summary
                item.url = reverse("cases:case_detail", args=[obj.public_id])
        elif item.kind == Kind.ROLE:
            if can(actor, "roleassignment.view", obj):
                item.detail, item.url = obj.task, obj.get_absolute_url()
        elif item.kind == Kind.REFERRAL:
            if can(actor, "referral.view", obj):
                item.url = reverse("cases:referral_detail", args=[obj.public_id])
        elif item.kind == Kind.OUTREACH:
            if can(actor, "outreach_target.view", obj):
                item.url = obj.get_absolute_url()
        elif item.kind == Kind.PLACE:
            item.url = obj.get_absolute_url()
    return items


# --- the transfer -------------------------------------------------------------------------------


def successors_for(membership: Membership, on: date):
    """Who may take the work over: active staff with a care role at the agency on the transfer
    date, never the worker (nor a resident or an admin-only account)."""
    from agencies.selectors import care_staff_of

    return care_staff_of(membership.agency_id, on=on).exclude(pk=membership.user_id)


@dataclass
class TransferResult:
    membership: Membership
    handed_over: list[WorkItem]


@transaction.atomic
def staff_transfer(
    *,
    actor,
    membership: Membership,
    transfer_date: date,
    successor=None,
    assignments: dict[str, Any] | None = None,
    notes: dict[str, str] | None = None,
    note: str = "",
) -> TransferResult:
    """Hand over the worker's work at the agency and end the membership the day before
    `transfer_date`, all or nothing.

    `successor` takes every item without its own entry in `assignments` (ref → user); `notes`
    (ref → text) adds to the common `note`. Refused — nothing written — while an item has no
    successor (the message lists them), for a successor who is not care staff of the agency on
    the transfer date, for a ref that is not one of the worker's items. Each successor gets one
    in-app notice naming how much was handed over. Allowed to the agency's supervisor and the
    administrator (`membership.transfer_out`)."""
    from agencies import services as agency_services

    decision = require(actor, "membership.transfer_out", membership)
    membership = Membership.objects.select_related("user", "agency").get(pk=membership.pk)
    if transfer_date <= membership.start_date:
        raise ValidationError(
            {"transfer_date": _("異動日は現在の所属の開始日より後の日付にしてください。")}
        )
    if membership.end_date is not None and membership.end_date < transfer_date - timedelta(days=1):
        raise ValidationError({"transfer_date": _("この所属は既に終了しています。")})
    worker = membership.user
    assignments = dict(assignments or {})
    notes = dict(notes or {})
    items = pending_work(membership, on=transfer_date)
    known = {i.ref for i in items}
    unknown = (set(assignments) | set(notes)) - known
    if unknown:
        raise ValidationError(
            {"assignments": _("この職員の引継ぎ対象ではない項目が指定されています。")}
        )
    allowed = set(successors_for(membership, transfer_date).values_list("pk", flat=True))
    if successor is not None and successor.pk not in allowed:
        raise ValidationError(
            {
                "successor": _(
                    "後任者は異動日に%(agency)sで相談支援の役割を持つ職員(本人以外)から選んでください。"
                )
                % {"agency": membership.agency.name}
            }
        )
    plan: list[tuple[WorkItem, Any]] = []
    missing = []
    for item in items:
        to = assignments.get(item.ref) or successor
        if to is None:
            missing.append(item)
            continue
        if to.pk not in allowed:
            raise ValidationError(
                {
                    "assignments": _(
                        "%(item)s の後任者は異動日に%(agency)sで相談支援の役割を持つ職員から選んでください。"
                    )
                    % {"item": f"{item.kind_label} {item.label}", "agency": membership.agency.name}
                }
            )
        plan.append((item, to))
    if missing:
        raise ValidationError({"assignments": pending_message(missing)})

    counts: dict[int, int] = {}
    for item, to in plan:
        text = "\n".join(t for t in (note, notes.get(item.ref, "")) if t)
        _HANDOVER[item.kind](
            item=item, worker=worker, to=to, actor=actor, on=transfer_date, note=text
        )
        if item.kind != Kind.CASE:
            WorkHandover.objects.create(
                agency=membership.agency,
                from_user=worker,
                to_user=to,
                kind=item.kind,
                object_ref=item.ref,
                label=item.label[:150],
                note=text,
                effective_on=transfer_date,
                by=actor,
            )
        counts[to.pk] = counts.get(to.pk, 0) + 1
    agency_services.membership_end_on_transfer(
        actor=actor, membership=membership, transfer_date=transfer_date
    )
    record(
        actor=actor,
        action="staff.transfer",
        obj=membership,
        basis=decision.basis,
        changes=sorted({i.kind for i, _to in plan}) or ["end_date"],
    )
    if counts:
        transaction.on_commit(
            lambda: _notify_successors(counts, agency=membership.agency, on=transfer_date)
        )
    membership.refresh_from_db()
    return TransferResult(membership=membership, handed_over=[i for i, _to in plan])


def _notify_successors(counts: dict[int, int], *, agency, on: date) -> None:
    from notifications.services import notify_now

    for user_id, n in counts.items():
        notify_now(
            recipients=[user_id],
            rule=HANDOVER_RULE,
            message_code="caseload_handover.title",
            params={"n": n, "agency": agency.name, "date": jpdates.format_date(on, seireki=False)},
            url="/",
            object_ref=f"agencies.agency:{agency.pk}:{on:%Y-%m-%d}",
            due_date=on,
        )


# --- one handover per kind (inside staff_transfer's transaction) --------------------------------


def _hand_case(*, item, worker, to, actor, on, note) -> None:
    from cases.services.support import HandoverAssignment, caseload_handover

    caseload_handover(
        actor=actor,
        from_user=worker,
        assignments=[HandoverAssignment(case=item.obj, to_user=to, note=note)],
        effective_on=on,
    )


def _hand_role(*, item, worker, to, actor, on, note) -> None:
    from access.services import grants_end, ref, role_grant_give
    from meetings.models import RoleAssignment

    role = item.obj
    # Stored in the primary language like the other reasons a grant ends (access.sync), not in
    # the language of whoever records the transfer.
    grants_end(
        source_ref=ref(role),
        actor=actor,
        reason=in_primary_language(lambda: str(_("異動による引継ぎ"))),
    )
    RoleAssignment.objects.filter(pk=role.pk, owner_user=worker).update(owner_user=to)
    role.owner_user = to
    if role.plan_item_id:
        PlanItem.objects.filter(pk=role.plan_item_id, staff=worker).update(staff=to)
    role_grant_give(assignment=role, actor=actor)
    record(actor=actor, action="roleassignment.handover", obj=role, changes=["owner_user"])


def _hand_referral(*, item, worker, to, actor, on, note) -> None:
    referral = item.obj
    Referral.objects.filter(pk=referral.pk, assignee=worker).update(
        assignee=to, version=F("version") + 1, updated_at=timezone.now()
    )
    ReferralEvent.objects.create(
        referral=referral,
        kind=ReferralEvent.Kind.ASSIGNED,
        from_status=referral.status,
        to_status=referral.status,
        actor=actor,
        note=str(_("異動による引継ぎ: %(name)s") % {"name": to}),
    )
    record(actor=actor, action="referral.assign", obj=referral, changes=["assignee"])


def _hand_outreach(*, item, worker, to, actor, on, note) -> None:
    target = item.obj
    changes = []
    if target.lead_worker_id == worker.pk:
        target.lead_worker = to
        target.save(update_fields=["lead_worker"])
        changes.append("lead_worker")
    if target.assignees.filter(pk=worker.pk).exists():
        target.assignees.remove(worker)
        target.assignees.add(to)
        changes.append("assignees")
    record(actor=actor, action="outreach.target.handover", obj=target, changes=changes)


def _hand_place(*, item, worker, to, actor, on, note) -> None:
    place = item.obj
    type(place).objects.filter(pk=place.pk, csw=worker).update(csw=to)
    record(actor=actor, action="place.handover", obj=place, changes=["csw"])


_HANDOVER = {
    Kind.CASE: _hand_case,
    Kind.ROLE: _hand_role,
    Kind.REFERRAL: _hand_referral,
    Kind.OUTREACH: _hand_outreach,
    Kind.PLACE: _hand_place,
}

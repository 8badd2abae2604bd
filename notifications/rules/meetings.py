"""Meeting rules: confidentiality pledges before a 支援会議, the agenda submission deadline, the
agenda going out to members, and the role assignments agreed at meetings.

Titles name the meeting body, its date and case numbers — never a member's or a person's name.
"""

import datetime as dt
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.jpdates import fiscal_year, format_date

from ..models import Level, ref_for
from .registry import Directory, Hit, RuleContext, Setting, register, safe_url, steps_passed

ACTIVE_MEETING = ("planned", "agenda_fixed")


def _day_start(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(), tzinfo=timezone.get_current_timezone())


def _meetings_between(first: dt.date, last: dt.date):
    from meetings.models import Meeting

    return Meeting.objects.filter(
        status__in=ACTIVE_MEETING,
        starts_at__gte=_day_start(first),
        starts_at__lt=_day_start(last + timedelta(days=1)),
    )


def convenor_staff(d: Directory, body, secretariat: set[int]) -> set[int]:
    """The convenor agency's coordinators (else supervisors) and the body's secretariat."""
    staff = d.coordinators(body.convenor_id) or d.supervisors(body.convenor_id)
    return staff | {u for u in secretariat if d.is_current(u)}


def seated(joined_on: dt.date, left_on: dt.date | None, day: dt.date) -> bool:
    """As BodyMember.objects.current(): the day of leaving already has no seat."""
    return joined_on <= day and (left_on is None or left_on > day)


def meeting_url(meeting) -> str:
    return safe_url(meeting, "meetings:meeting_detail", meeting.public_id)


def _members_url(body) -> str:
    """The body's page, whose member list shows the pledges."""
    return safe_url(None, "meetings:body_detail", body.public_id)


def _label(meeting) -> str:
    # Stored inside a parameter (not rendered per reader): the house style, without 西暦.
    return f"{meeting.body.name} {format_date(meeting.date, seireki=False)}"


@register(
    code="pledge_missing",
    area="meetings",
    label=_("支援会議の守秘義務の誓約"),
    description=_(
        "支援会議の開催N日前に、今年度の守秘義務の誓約がない構成員を本人と開催機関に知らせる。"
    ),
    threshold_label=_("開催の何日前に確認するか"),
    default_threshold=7,
    default_escalation=7,
    unit="days",
    requires=(
        "meetings.ConfidentialityPledge.fiscal_year",
        "meetings.BodyMember.user",
        "meetings.Meeting.starts_at",
    ),
)
def pledge_missing(ctx: RuleContext, setting: Setting):
    from meetings.models import BodyMember, ConfidentialityPledge

    meetings = list(
        _meetings_between(ctx.today, ctx.today + timedelta(days=setting.threshold))
        .filter(body__kind="shien_kaigi")
        .select_related("body")
        .order_by("starts_at", "pk")
    )
    if not meetings:
        return
    body_ids = {m.body_id for m in meetings}
    members = list(
        BodyMember.objects.filter(body_id__in=body_ids)
        .select_related("agency")
        .only(
            "id",
            "body_id",
            "user_id",
            "role",
            "joined_on",
            "left_on",
            "title",
            "external_organisation",
            "agency__name",
            "agency__short_name",
        )
    )
    years = {fiscal_year(m.date) for m in meetings}
    pledges = defaultdict(list)
    for member_id, fy, signed_on in ConfidentialityPledge.objects.filter(
        member_id__in=[m.pk for m in members], fiscal_year__in=years, revoked_at__isnull=True
    ).values_list("member_id", "fiscal_year", "signed_on"):
        pledges[member_id].append((fy, signed_on))
    d = ctx.directory
    for meeting in meetings:
        day, fy = meeting.date, fiscal_year(meeting.date)
        present = [
            m
            for m in members
            if m.body_id == meeting.body_id and seated(m.joined_on, m.left_on, day)
        ]
        secretariat = {m.user_id for m in present if m.role == "secretariat" and m.user_id}
        convenor = convenor_staff(d, meeting.body, secretariat)
        for member in present:
            if any(y == fy and signed <= day for y, signed in pledges[member.pk]):
                continue
            recipients = set(convenor)
            if member.user_id and d.is_current(member.user_id):
                recipients.add(member.user_id)
            if not recipients:
                continue
            org = (
                member.agency.short_name or member.agency.name
                if member.agency_id
                else member.external_organisation
            )
            yield Hit(
                object_ref=ref_for("meetings.bodymember", member.pk),
                due_date=day,
                step=0,
                recipients=recipients,
                subject=_label(meeting),
                title="pledge_missing.title",
                params={"meeting": _label(meeting), "org": org or "—", "title": member.title},
                body=("pledge_missing.body",),
                # The body's member list (where the pledge is recorded): the unpledged member
                # may not open the meeting itself.
                url=_members_url(meeting.body),
                agency_id=meeting.body.convenor_id,
                level=Level.NORMAL,
            )


@register(
    code="agenda_submission",
    area="meetings",
    label=_("議題の提出期限"),
    description=_(
        "重層的支援会議の議題提出期限のN日前から、プラン・評価の提出待ちケースを持つ推進員に知らせる。"
    ),
    threshold_label=_("提出期限の何日前に知らせるか"),
    default_threshold=3,
    default_escalation=7,
    unit="days",
    requires=(
        "meetings.MeetingBody.submission_deadline_days",
        "cases.Plan.status",
        "cases.Evaluation.status",
    ),
)
def agenda_submission(ctx: RuleContext, setting: Setting):
    from cases.models import Evaluation, Plan, SupportCase

    meetings = [
        m
        for m in _meetings_between(ctx.today, ctx.today + timedelta(days=setting.threshold + 62))
        .filter(status="planned", body__kind="juso_kaigi")
        .select_related("body")
        .order_by("starts_at", "pk")
        if ctx.today <= m.submission_deadline <= ctx.today + timedelta(days=setting.threshold)
    ]
    if not meetings:
        return
    convenors = {m.body.convenor_id for m in meetings}
    waiting = (
        SupportCase.objects.filter(status__in=["planning", "replan", "evaluation"])
        .filter(
            Q(coordinating_agency_id__in=convenors)
            | Q(coordinating_agency__isnull=True, lead_agency_id__in=convenors)
        )
        .annotate(
            plan_in=Exists(Plan.objects.filter(case=OuterRef("pk"), status="submitted")),
            evaluation_in=Exists(Evaluation.objects.filter(case=OuterRef("pk"), status="ready")),
        )
        .filter(plan_in=False, evaluation_in=False)
        .values_list("number", "coordinator_id", "coordinating_agency_id", "lead_agency_id")
        .order_by("number")
    )
    d = ctx.directory
    per_agency: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for number, coordinator, coord_agency, lead in waiting:
        agency = coord_agency or lead
        owners = {coordinator} if d.is_current(coordinator) else d.coordinators(agency)
        for uid in owners:
            per_agency[agency][uid].append(number)
    for meeting in meetings:
        deadline = meeting.submission_deadline
        for uid, numbers in sorted(per_agency.get(meeting.body.convenor_id, {}).items()):
            yield Hit(
                object_ref=f"{ref_for('meetings.meeting', meeting.pk)}:user:{uid}",
                due_date=deadline,
                step=0,
                recipients={uid},
                subject=_label(meeting),
                title="agenda_submission.title",
                params={
                    "meeting": _label(meeting),
                    "date": deadline.strftime("%Y-%m-%d"),
                    "count": len(numbers),
                    "numbers": numbers[:20],
                },
                body=("agenda_submission.body",),
                url=meeting_url(meeting),
                agency_id=meeting.body.convenor_id,
            )


@register(
    code="agenda_distribution",
    area="meetings",
    label=_("会議資料の事前配布"),
    description=_("議題が確定した会議の開催N日前に、構成員へ議題・資料の確認を知らせる。"),
    threshold_label=_("開催の何日前に知らせるか"),
    default_threshold=3,
    default_escalation=7,
    unit="days",
    requires=("meetings.Meeting.agenda_fixed_at", "meetings.BodyMember.user"),
)
def agenda_distribution(ctx: RuleContext, setting: Setting):
    from meetings.models import BodyMember

    meetings = list(
        _meetings_between(ctx.today, ctx.today + timedelta(days=setting.threshold))
        .filter(status="agenda_fixed")
        .select_related("body")
        .annotate(item_count=Count("items"))
        .order_by("starts_at", "pk")
    )
    if not meetings:
        return
    seats = list(
        BodyMember.objects.filter(
            body_id__in={m.body_id for m in meetings}, user__isnull=False
        ).values_list("body_id", "user_id", "joined_on", "left_on")
    )
    d = ctx.directory
    for meeting in meetings:
        day = meeting.date
        recipients = {
            uid
            for body_id, uid, joined, left in seats
            if body_id == meeting.body_id and seated(joined, left, day) and d.is_current(uid)
        }
        if not recipients:
            continue
        yield Hit(
            object_ref=ref_for("meetings.meeting", meeting.pk),
            due_date=day,
            step=0,
            recipients=recipients,
            subject=_label(meeting),
            title="agenda_distribution.title",
            params={"meeting": _label(meeting), "count": meeting.item_count},
            url=meeting_url(meeting),
            agency_id=meeting.body.convenor_id,
        )


@register(
    code="role_assignment_due",
    area="meetings",
    label=_("会議で決めた役割分担の期限"),
    description=_(
        "会議の決定で割り当てられた役割の期限N日前に担当者へ、過ぎたら担当者、さらに経過すると担当機関の係長へ。"
    ),
    threshold_label=_("期限の何日前に知らせるか"),
    default_threshold=3,
    default_escalation=7,
    unit="days",
    requires=(
        "meetings.RoleAssignment.due_on",
        "meetings.RoleAssignment.done_on",
        "meetings.RoleAssignment.plan_item",
    ),
)
def role_assignment_due(ctx: RuleContext, setting: Setting):
    from meetings.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(
            # A role that became a plan item is followed by the plan's monitoring instead.
            plan_item__isnull=True,
            done_on__isnull=True,
            due_on__isnull=False,
            due_on__lte=ctx.today + timedelta(days=setting.threshold),
        )
        .exclude(decision__item__meeting__status="cancelled")
        .select_related("decision__item__case", "decision__item__meeting__body")
        .order_by("pk")
    )
    d = ctx.directory
    for role in rows.iterator(chunk_size=2000):
        due = role.due_on
        item = role.decision.item
        meeting = item.meeting
        owner = (
            (
                {role.owner_user_id}
                if d.is_current(role.owner_user_id, role.owner_agency_id)
                else set()
            )
            or d.coordinators(role.owner_agency_id)
            or d.supervisors(role.owner_agency_id)
        )
        if ctx.today <= due:
            steps = [0]
        else:
            steps = range(
                1, 2 + steps_passed(ctx.today, due + timedelta(days=1), setting.escalation, 1)
            )
        subject = item.case.number if item.case_id else _label(meeting)
        for step in steps:
            recipients = (d.supervisors(role.owner_agency_id) or owner) if step == 2 else owner
            if not recipients:
                continue
            yield Hit(
                object_ref=ref_for("meetings.roleassignment", role.pk),
                due_date=due,
                step=step,
                recipients=recipients,
                subject=subject,
                title="role_assignment_due.approaching"
                if step == 0
                else "role_assignment_due.overdue",
                params={
                    "subject": subject,
                    "date": due.strftime("%Y-%m-%d"),
                    "meeting": _label(meeting),
                },
                body=("role_assignment_due.body",),
                # The role's own page: the owner's list, where it is marked done.
                url=safe_url(role) or meeting_url(meeting),
                agency_id=role.owner_agency_id,
                level=Level.URGENT if step == 2 else Level.NORMAL,
            )

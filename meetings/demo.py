"""Demo meetings: two bodies of each kind, twelve months of monthly meetings with agendas,
attendance, minutes and decisions, and pledges (one member without a current pledge, to show the
gating). Past meetings that approved the demo cases' plans or decided their evaluations are
recorded as history (the cases' own transitions were written by the cases demo); submitted plans
and ready evaluations wait in the queue of the next 重層的支援会議."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from agencies.jpdates import fiscal_year, format_date

from . import services
from .choices import AgendaKind, AttendanceStatus, BodyKind, DecisionKind, MeetingStatus, Recurrence
from .models import AgendaItem, Attendance, Decision, Meeting, RoleAssignment

BODIES = [
    # name, kind, designated_from, convenor, actor, week, weekday, time, members, external
    (
        "重層的支援会議(定例)",
        BodyKind.JUSO_KAIGI,
        "new",
        "fukushi-soudan",
        "kakaricho",
        3,
        2,
        dt.time(14, 0),
        [
            "kakaricho",
            "suishin1",
            "suishin2",
            "houkatsu-n1",
            "jiritsu1",
            "kikan1",
            "seikatsu1",
            "hoken1",
        ],
        [("地域 代表", "北部地区民生委員児童委員協議会")],
    ),
    (
        "重層的支援会議(社協・圏域)",
        BodyKind.JUSO_KAIGI,
        "new",
        "shakyo",
        "shakyo-kakari",
        2,
        1,
        dt.time(10, 0),
        ["shakyo-kakari", "suishin2", "csw-north", "csw-south", "sanka1", "sanka2"],
        [],
    ),
    (
        "支援会議(支援調整会議)",
        BodyKind.SHIEN_KAIGI,
        "shien_chosei",
        "fukushi-soudan",
        "kakaricho",
        4,
        3,
        dt.time(15, 0),
        ["kakaricho", "suishin1", "jiritsu1", "seikatsu1", "hoken1", "kyoiku1"],
        [("水道 一", "みどり市水道部 料金係")],
    ),
    (
        "支援会議(地域ケア会議・北部)",
        BodyKind.SHIEN_KAIGI,
        "chiiki_care",
        "fukushi-soudan",
        "kakaricho",
        1,
        4,
        dt.time(13, 30),
        ["kakaricho", "suishin1", "houkatsu-n1", "houkatsu-nsv", "koureishougai1", "csw-north"],
        [("青葉 居宅", "居宅介護支援事業所 あおば")],
    ),
]
# This member's pledge for the current fiscal year is missing: they see no 支援会議 material.
UNPLEDGED = ("支援会議(支援調整会議)", "kyoiku1")

SHIEN_TOPICS = [
    (
        "北部 高齢の親と無職の子の世帯(郵便物の滞留)",
        "新聞・郵便物がたまっている。水道料金の滞納が3か月。",
    ),
    ("中部 ごみが増えている単身世帯", "近隣から臭いの相談。本人は支援を拒否。"),
    ("南部 子どもの欠席が続く世帯", "学校から連絡。保護者と連絡がつかない。"),
    ("北部 認知症が疑われる高齢者の単身世帯", "買い物で支払いができない場面が続く。"),
]
GAP_TOPICS = [
    "夜間に相談できる居場所が少ない",
    "移動手段のない高齢者の通院",
    "中高年のひきこもりの就労体験先",
]


def _seed_bodies(ctx, today):
    agencies, users = ctx["agencies"], ctx["users"]
    bodies = []
    for (
        name,
        kind,
        designated,
        convenor,
        actor_name,
        week,
        weekday,
        at,
        members,
        externals,
    ) in BODIES:
        actor = users[actor_name]
        body = services.body_create(
            actor=actor,
            name=name,
            kind=kind,
            designated_from=designated,
            convenor=agencies[convenor],
            recurrence=Recurrence.MONTHLY_WEEKDAY,
            recur_week=week,
            recur_weekday=weekday,
            default_start_time=at,
            default_duration_minutes=90,
            default_place="みどり市役所 本庁舎 3階 第1会議室",
            submission_deadline_days=7,
            purpose=(
                "プランの適切性の協議、終結時の評価、社会資源の不足の把握"
                if kind == BodyKind.JUSO_KAIGI
                else "本人同意のない気になる事例の情報共有、見守りと支援方針の理解、緊急時の対応"
            ),
        )
        joined = today - dt.timedelta(days=400)
        for username in members:
            member = services.member_add(
                body=body,
                actor=actor,
                user=users[username],
                joined_on=joined,
                role="chair" if username == actor_name else "member",
            )
            if kind == BodyKind.SHIEN_KAIGI and (name, username) != UNPLEDGED:
                services.pledge_record(
                    member=member,
                    actor=actor,
                    signed_on=max(joined, dt.date(fiscal_year(today), 4, 1)),
                )
        for ext_name, org in externals:
            member = services.member_add(
                body=body,
                actor=actor,
                external_name=ext_name,
                external_organisation=org,
                joined_on=joined,
            )
            if kind == BodyKind.SHIEN_KAIGI:
                services.pledge_record(
                    member=member,
                    actor=actor,
                    signed_on=max(joined, dt.date(fiscal_year(today), 4, 1)),
                )
        bodies.append((body, actor))
    return bodies


def _history_item(
    meeting,
    *,
    kind,
    title,
    actor,
    order,
    case=None,
    subject=None,
    household=None,
    persons=(),
    decision=DecisionKind.SHARED,
    text="",
    notes="",
    roles=(),
    transition="",
):
    """A past item with its decision (history: the case transitions were already recorded)."""
    item = _history_item_row(
        meeting,
        kind=kind,
        title=title,
        actor=actor,
        order=order,
        case=case,
        subject=subject,
        household=household,
        notes=notes,
    )
    if subject is not None and case is not None:
        link_demo_decisions(case=case, decided_on=subject.meeting_on, ref=item.ref)
    return _history_decision(
        item,
        meeting,
        actor=actor,
        persons=persons,
        decision=decision,
        text=text,
        roles=roles,
        transition=transition,
        subject=subject,
    )


def _nearest(past, day):
    """The held meeting a demo decision of `day` belongs to (each decision to one meeting)."""
    if not past or day is None:
        return None
    return min(past, key=lambda meeting: abs((meeting.date - day).days))


def link_demo_decisions(*, case, decided_on, ref: str) -> int:
    """The demo cases' decisions were written before their meetings existed: point them at the
    agenda item that decided them."""
    from cases.demo.support import DEMO_MEETING_PENDING
    from cases.models import CaseTransition

    return CaseTransition.objects.filter(
        case=case, via_item=DEMO_MEETING_PENDING, decided_on=decided_on
    ).update(via_item=ref)


def _history_item_row(
    meeting, *, kind, title, actor, order, case=None, subject=None, household=None, notes=""
):
    return AgendaItem.objects.create(
        meeting=meeting,
        order=order,
        time_box_minutes=15 if kind != AgendaKind.PLAN_APPROVAL else 20,
        kind=kind,
        title=title,
        case=case,
        household=household or (case.household if case else None),
        added_by=actor,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        notes=notes,
    )


def _history_decision(item, meeting, *, actor, persons, decision, text, roles, transition, subject):
    case = item.case
    covered = list(persons) or (list(case.persons.all()) if case is not None else [])
    if covered:
        item.persons.set(covered)
    item.paper = services.build_paper(item)
    item.paper_generated_at = meeting.starts_at - dt.timedelta(days=7)
    item.save(update_fields=["paper", "paper_generated_at"])
    d = Decision.objects.create(
        item=item,
        kind=decision,
        text=text,
        decided_on=meeting.date,
        recorded_by=actor,
        transition=transition,
        recorded_at=meeting.starts_at + dt.timedelta(hours=2),
    )
    # As the services do: roles of a plan approval are rows of that plan; other roles are tasks,
    # done by now when their due date is more than a week past.
    today = timezone.localdate()
    in_plan = subject is not None and subject._meta.model_name == "plan"
    for agency, task, due in roles:
        plan_item = None
        if in_plan:
            from django.db.models import Max

            last = subject.items.aggregate(m=Max("order"))["m"] or 0
            plan_item = subject.items.create(
                order=last + 1,
                issue="会議で決めた役割分担",
                goal=task,
                action=task,
                agency=agency,
                due_on=due,
                via_item=item.ref,
                via_label=f"{meeting.body.name} {format_date(meeting.date, seireki=False)}",
            )
        done = plan_item is None and due is not None and due < today - dt.timedelta(days=7)
        RoleAssignment.objects.create(
            decision=d,
            owner_agency=agency,
            task=task,
            due_on=due,
            plan_item=plan_item,
            done_on=due if done else None,
            done_by=actor if done else None,
        )
    return item


def _close_meeting(meeting, actor, rng):
    """Attendance, minutes and approval of a past meeting (history)."""
    for member in meeting.body.members.current(meeting.date):
        roll = rng.random()
        status = (
            AttendanceStatus.PRESENT
            if roll > 0.15
            else (AttendanceStatus.ABSENT if roll > 0.05 else AttendanceStatus.PROXY)
        )
        Attendance.objects.create(
            meeting=meeting,
            member=member,
            status=status,
            proxy_name="同課 職員" if status == AttendanceStatus.PROXY else "",
        )
    held = meeting.starts_at + dt.timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.MINUTES_APPROVED,
        agenda_fixed_at=meeting.starts_at - dt.timedelta(days=6),
        agenda_fixed_by=actor,
        held_at=held,
        # Approved three days on, or by now for a meeting of the last three days.
        minutes_approved_at=min(held + dt.timedelta(days=3), timezone.now()),
        minutes_approved_by=actor,
        minutes=f"出席者により{meeting.items.count()}件を協議した。決定事項と役割分担は各議題のとおり。",
    )


def seed(ctx: dict) -> None:
    from cases.models import Evaluation, Plan

    rng = ctx["rng"]
    today = timezone.localdate()
    bodies = _seed_bodies(ctx, today)
    convenor = ctx["agencies"]["fukushi-soudan"]
    plans = list(
        Plan.objects.filter(
            status__in=["approved", "superseded"], meeting_on__isnull=False
        ).select_related("case")
    )
    evaluations = list(
        Evaluation.objects.filter(status="decided", meeting_on__isnull=False).select_related("case")
    )
    households = (
        list(ctx.get("households", {}).values())
        if isinstance(ctx.get("households"), dict)
        else list(ctx.get("households") or [])
    )
    all_meetings = {}
    for body, actor in bodies:
        created = services.meetings_generate(
            body=body, actor=actor, count=12, after=today - dt.timedelta(days=366)
        )
        created = [m for m in created if m.date < today]
        created += services.meetings_generate(body=body, actor=actor, count=2, after=today)
        all_meetings[body.pk] = created
        past = [m for m in created if m.date < today]
        topic = 0
        for meeting in created:
            if meeting.date >= today:
                continue
            order = 1
            if body.kind == BodyKind.JUSO_KAIGI and body.convenor_id == convenor.pk:
                # Plans approved and evaluations decided by the demo cases, at the meeting of their month.
                for plan in [p for p in plans if _nearest(past, p.meeting_on) is meeting]:
                    _history_item(
                        meeting,
                        kind=AgendaKind.PLAN_APPROVAL,
                        title=f"{plan.case.number} プランの協議(第{plan.number}版)",
                        actor=actor,
                        order=order,
                        case=plan.case,
                        subject=plan,
                        decision=DecisionKind.PLAN_APPROVED,
                        text="プランのとおり支援を開始する。",
                        transition="plan_approve",
                        roles=[
                            (
                                plan.case.lead_agency,
                                "初回の役割分担に基づく訪問",
                                meeting.date + dt.timedelta(days=14),
                            )
                        ],
                    )
                    order += 1
                for ev in [e for e in evaluations if _nearest(past, e.meeting_on) is meeting]:
                    kind = {
                        "close": DecisionKind.CLOSURE_APPROVED,
                        "continue": DecisionKind.CONTINUE,
                        "replan": DecisionKind.REPLAN,
                        "hand_back": DecisionKind.HAND_BACK,
                    }.get(ev.decision, DecisionKind.CONTINUE)
                    _history_item(
                        meeting,
                        kind=AgendaKind.EVALUATION,
                        title=f"{ev.case.number} 評価・終結の協議(第{ev.number}回)",
                        actor=actor,
                        order=order,
                        case=ev.case,
                        subject=ev,
                        decision=kind,
                        transition="evaluation_decide",
                    )
                    order += 1
            if body.kind == BodyKind.JUSO_KAIGI and rng.random() < 0.35:
                gap = GAP_TOPICS[topic % len(GAP_TOPICS)]
                topic += 1
                item = _history_item(
                    meeting,
                    kind=AgendaKind.RESOURCE_GAP,
                    title=gap,
                    actor=actor,
                    order=order,
                    decision=DecisionKind.RESOURCE_GAP,
                    text="地域課題として地域づくりで検討する。",
                )
                from community.models import CommunityIssue

                CommunityIssue.objects.create(
                    title=gap,
                    description="重層的支援会議で複数の事例から把握。",
                    raised_from=item,
                    raised_on=meeting.date,
                    raised_by=actor,
                    owner_agency=body.convenor,
                )
                order += 1
            if body.kind == BodyKind.SHIEN_KAIGI:
                title, description = SHIEN_TOPICS[topic % len(SHIEN_TOPICS)]
                topic += 1
                household = households[topic % len(households)] if households else None
                persons = []
                if household is not None:
                    link = household.members.current().select_related("person").first()
                    persons = [link.person] if link else []
                _history_item(
                    meeting,
                    kind=AgendaKind.WORRYING_NO_CONSENT,
                    title=title,
                    actor=actor,
                    order=order,
                    household=household,
                    persons=persons,
                    decision=DecisionKind.WATCH,
                    notes=description,
                    text="見守りを継続し、変化があれば地区担当CSWへ連絡する。",
                    roles=[
                        (
                            ctx["agencies"]["shakyo"],
                            "地区担当CSWによる見守り",
                            meeting.date + dt.timedelta(days=30),
                        )
                    ],
                )
                order += 1
            if order == 1:
                _history_item(
                    meeting,
                    kind=AgendaKind.INFO_SHARING,
                    title="各機関からの状況報告",
                    actor=actor,
                    order=1,
                    decision=DecisionKind.SHARED,
                    text="各機関の対応状況を共有した。",
                )
            _close_meeting(meeting, actor, rng)
    # What waits for the next meetings: requests, and the queue of plans and evaluations.
    users = ctx["users"]
    shien_body = next(b for b, _a in bodies if b.kind == BodyKind.SHIEN_KAIGI)
    household = households[0] if households else None
    req = services.agenda_request_create(
        body=shien_body,
        actor=users["jiritsu1"],
        kind=AgendaKind.WORRYING_NO_CONSENT,
        title="中部 家賃滞納が続く若年単身世帯",
        description="本人は相談に来ない。大家から連絡あり。",
        household=household,
        persons=[household.members.current().first().person]
        if household is not None and household.members.exists()
        else (),
    )
    juso_body, juso_actor = bodies[0]
    services.agenda_request_create(
        body=juso_body,
        actor=users["houkatsu-n1"],
        kind=AgendaKind.RESOURCE_GAP,
        title="買い物支援の担い手が足りない",
        description="北部で同様の相談が3件。",
    )
    _written_meeting(juso_body, juso_actor, today)
    ctx["meeting_bodies"] = [b for b, _a in bodies]
    ctx["meeting_requests"] = [req]


def _written_meeting(body, actor, today) -> None:
    """A 書面開催 three days ago: every member answered in writing, then it closed and decided."""
    from .choices import MeetingFormat
    from .written import written_answer_record

    starts = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=3), dt.time(17, 0)))
    meeting = services.meeting_schedule(
        body=body, actor=actor, starts_at=starts, format=MeetingFormat.WRITTEN
    )
    item = services.agenda_item_add(
        meeting=meeting,
        actor=actor,
        kind=AgendaKind.INFO_SHARING,
        title="年末年始の閉庁期間中の連絡体制(書面開催)",
    )
    meeting.refresh_from_db()
    services.agenda_fix(meeting=meeting, actor=actor, expected_version=meeting.version)
    for n, member in enumerate(body.members.current().select_related("user")):
        answer, comment = (
            ("agree", "") if n % 3 else ("comment", "緊急時の連絡先を一覧にしてほしい")
        )
        if member.user_id:
            written_answer_record(item=item, actor=member.user, answer=answer, comment=comment)
        else:
            written_answer_record(
                item=item, actor=actor, answer=answer, comment=comment, member=member
            )
    meeting.refresh_from_db()
    services.meeting_mark_held(meeting=meeting, actor=actor)
    services.item_record_decision(
        item=item,
        actor=actor,
        kind=DecisionKind.SHARED,
        text="書面による全構成員の回答を踏まえ、閉庁期間中の連絡体制を確認した。",
    )

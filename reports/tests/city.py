"""A fixture city built through the services, with known answers for fiscal year 2026 as of
2027-02-28 (EXPECTED). Every date is set by travelling the clock, as if staff had entered each
record on the day.

Edge cases: a person who moves between two households in the year (m), a merged duplicate
(d2 into d1), a case closed in FY2025 and re-opened in FY2026 (c0, later handed back), a death
(x, case c2), a case transferred to another lead agency (c3), records just outside the year.
"""

import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

import time_machine

from agencies.choices import AgencyKind, OperatorType, Programme, Role
from agencies.tests.factories import AgencyFactory, staff
from cases.choices import ClosureReason
from cases.services import intake as i
from cases.services import persons as ps
from cases.services import support as s
from cases.tests.factories import MEETING_ITEM, ConsentFactory, plan_items_for
from meetings import services as ms
from meetings.choices import BodyKind

FY = 2026
AS_OF = dt.date(2027, 2, 28)
JST = dt.timezone(dt.timedelta(hours=9))


@contextmanager
def on(day: dt.date, hour: int = 10):
    with time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=JST), tick=False):
        yield


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=JST)


D = dt.date


def build_city():
    c = SimpleNamespace()
    with on(D(2025, 4, 1)):
        c.body = AgencyFactory(
            name="福祉相談課",
            kind=AgencyKind.CITY_SECTION,
            operator_type=OperatorType.MUNICIPAL,
            programmes=[Programme.CONSULTATION.value, Programme.MULTIAGENCY.value],
        )
        c.houkatsu = AgencyFactory(name="北部地域包括支援センター", kind=AgencyKind.HOUKATSU)
        c.shakyo = AgencyFactory(name="社会福祉協議会", kind=AgencyKind.SHAKYO)
        c.coordinator = staff(c.body, Role.COORDINATOR)
        c.supervisor = staff(c.body, Role.SUPERVISOR)
        c.worker = staff(c.houkatsu, Role.CASEWORKER)
        c.csw = staff(c.shakyo, Role.CSW)
        c.resident = staff(c.houkatsu, Role.RESIDENT)
        c.admin = staff(c.body, Role.ADMIN)

    def person(actor, family, given, birth=1960, agency=None):
        return ps.person_create(
            actor=actor,
            data={"family_name": family, "given_name": given, "birth_date": D(birth, 5, 1)},
            agency=agency,
        )

    def household(actor, principal, **kw):
        return ps.household_create(
            actor=actor, data={"address": "みどり市1-1"}, principal=principal
        )

    def consult(actor, agency, day, *, route, categories, person=None, household=None, **kw):
        kw.setdefault("consulter_kind", "self" if person else "anonymous")
        kw.setdefault("outcome", "own")
        return i.consultation_create(
            actor=actor,
            agency=agency,
            categories=categories,
            received_at=_at(day),
            route=route,
            person=person,
            household=household,
            summary="相談内容",
            **kw,
        )

    # --- people and households (registered in FY2025) ---------------------------------------
    with on(D(2025, 9, 1)):
        c.a1 = person(c.worker, "青木", "一郎", 1972)
        c.a2 = person(c.worker, "青木", "花子", 1942)
        c.h1 = household(c.worker, c.a1)
        ps.household_add_member(actor=c.worker, household=c.h1, person=c.a2, relation="parent")
        c.m = person(c.worker, "松本", "美咲", 1990)
        c.h2 = household(c.worker, c.m)
        c.x = person(c.worker, "小林", "健", 1938)
        c.h5 = household(c.worker, c.x)
        c.d1 = person(c.csw, "土屋", "大輔", 1980)
        c.h4 = household(c.csw, c.d1)
        c.d2 = person(c.csw, "土屋", "大輔", 1980)  # the same man registered twice
        c.p0 = person(c.coordinator, "大野", "昇", 1950)
        c.h0 = household(c.coordinator, c.p0)
        c.q0 = person(c.coordinator, "岡田", "涼", 1955)
        c.h00 = household(c.coordinator, c.q0)
        c.spouse = person(c.worker, "松本", "翔", 1988)

    # m moves from h2 to a new household h3 (with her partner) on 2026-09-01.
    with on(D(2026, 9, 1)):
        link = c.h2.members.get(person=c.m)
        ps.household_member_leave(
            actor=c.worker, member=link, left_on=D(2026, 8, 31), reason="転居"
        )
        c.h3 = household(c.worker, c.spouse)
        ps.household_add_member(actor=c.worker, household=c.h3, person=c.m, relation="spouse")

    # --- consultations ------------------------------------------------------------------------
    with on(D(2026, 3, 20)):  # FY2025: not counted
        consult(
            c.worker,
            c.houkatsu,
            D(2026, 3, 20),
            route="phone",
            categories=["8050"],
            person=c.a1,
            household=c.h1,
        )
    with on(D(2026, 5, 10)):
        consult(
            c.worker,
            c.houkatsu,
            D(2026, 5, 10),
            route="phone",
            categories=["8050", "kaigo"],
            person=c.a1,
            household=c.h1,
        )
    with on(D(2026, 5, 20)):
        consult(
            c.worker,
            c.houkatsu,
            D(2026, 5, 20),
            route="agency",
            categories=["kaigo", "ninchisho"],
            person=c.x,
            household=c.h5,
            outcome="multiagency",
        )
    with on(D(2026, 6, 1)):
        consult(
            c.worker,
            c.houkatsu,
            D(2026, 6, 1),
            route="minsei",
            categories=["8050"],
            person=c.a1,
            household=c.h1,
            outcome="multiagency",
        )
    with on(D(2026, 7, 1)):  # no household recorded: counts for h2 (her household that day)
        consult(
            c.worker,
            c.houkatsu,
            D(2026, 7, 1),
            route="raisho",
            categories=["hikikomori"],
            person=c.m,
        )
    with on(D(2026, 9, 15)):
        consult(
            c.worker,
            c.houkatsu,
            D(2026, 9, 15),
            route="ibasho",
            categories=["koritsu"],
            outcome="info",
        )
    with on(D(2026, 10, 1)):  # after the move: counts for h3
        consult(
            c.worker, c.houkatsu, D(2026, 10, 1), route="phone", categories=["shuro"], person=c.m
        )
    with on(D(2026, 11, 1)):
        c.k_d1 = consult(
            c.csw,
            c.shakyo,
            D(2026, 11, 1),
            route="resident",
            categories=["konkyu"],
            person=c.d1,
            household=c.h4,
            outcome="other_agency",
        )
    with on(D(2026, 12, 1)):
        consult(c.csw, c.shakyo, D(2026, 12, 1), route="phone", categories=["konkyu"], person=c.d2)
    with on(D(2027, 1, 15)):  # the duplicate is found and merged
        ps.person_merge(keep=c.d1, absorb=c.d2, actor=c.csw, reason="同一人物")
    with on(D(2027, 3, 10)):  # after the as-of date
        consult(
            c.worker,
            c.houkatsu,
            D(2027, 3, 10),
            route="phone",
            categories=["8050"],
            person=c.a1,
            household=c.h1,
        )

    # --- concern slips --------------------------------------------------------------------------
    for day in (D(2026, 6, 10), D(2027, 1, 5), D(2027, 3, 5)):
        with on(day):
            i.concern_slip_submit(
                actor=c.resident,
                to_agency=c.houkatsu,
                subject_description="角の家の方",
                noticed="新聞がたまっている",
            )

    # --- consents (so the sheets can be accepted) ----------------------------------------------
    with on(D(2026, 2, 1)):
        for p in (c.a1, c.x, c.m):
            ps.consent_record(
                actor=c.worker,
                person=p,
                given_on=D(2026, 2, 1),
                valid_until=D(2027, 12, 31),
                method="written",
                agencies=[c.houkatsu, c.body],
                info_kinds=["basic", "household", "history"],
                explained_by=c.worker,
            )

    def sheet(day, **data):
        with on(day):
            data.setdefault("triggers", ["complex"])
            data.setdefault("person_says", "困っている")
            data.setdefault("done_so_far", "相談を受けた")
            consent = (
                data["person"].consents.order_by("-pk").first() if data.get("person") else None
            )
            r = i.referral_create(
                actor=c.worker,
                from_agency=c.houkatsu,
                to_agency=c.body,
                variant="with_consent",
                consent=consent,
                **data,
            )
            return i.referral_send(actor=c.worker, referral=r)

    # R2: x (sent 5/25, accepted 5/26: 1 day) -> case c2, closed by death 6/30
    r2 = sheet(D(2026, 5, 25), person=c.x, household=c.h5, route="agency")
    with on(D(2026, 5, 26)):
        c.c2 = i.referral_accept(actor=c.coordinator, referral=r2)
    with on(D(2026, 7, 2)):
        s.case_close_exceptional(
            case=c.c2,
            actor=c.coordinator,
            reason=ClosureReason.DIED,
            closed_on=D(2026, 6, 30),
            note="逝去",
        )
    # R1: a1 (sent 6/2, accepted 6/5: 3 days) -> case c1, closed 2027-01-20 (connected)
    r1 = sheet(D(2026, 6, 2), person=c.a1, household=c.h1, route="minsei")
    with on(D(2026, 6, 5)):
        c.c1 = i.referral_accept(actor=c.coordinator, referral=r1)
    # R3: m (sent 7/2, returned 7/9: 7 days)
    r3 = sheet(D(2026, 7, 2), person=c.m, household=c.h2, route="raisho")
    with on(D(2026, 7, 9)):
        i.referral_return(actor=c.coordinator, referral=r3, reason="対象外", next_step="自立相談へ")
    # R5: withdrawn
    r5 = sheet(D(2026, 9, 1), person=c.a1, household=c.h1)
    with on(D(2026, 9, 3)):
        i.referral_withdraw(actor=c.worker, referral=r5, reason="重複")
    # R4: still waiting on the as-of date
    sheet(D(2027, 1, 10), person=c.m, household=c.h3, route="phone")
    # FY2025 sheet: not counted
    sheet(D(2026, 3, 2), person=c.a1, household=c.h1, route="phone")

    # --- cases ------------------------------------------------------------------------------------
    def take_through_plan(case, day):
        with on(day):
            a = s.assessment_create(case=case, actor=c.coordinator)
            s.assessment_update(
                assessment=a,
                actor=c.coordinator,
                lock_version=a.lock_version,
                data={"view": "整理が必要", "wishes": "家で暮らしたい"},
            )
            plan = s.plan_create(case=case, actor=c.coordinator)
            s.plan_update(
                plan=plan,
                actor=c.coordinator,
                lock_version=plan.lock_version,
                data={
                    "overall_goal": "安心して暮らす",
                    "period_start": day,
                    "period_end": day + dt.timedelta(days=180),
                },
                items=plan_items_for([c.body]),
            )
            ConsentFactory(person=case.principal, agencies=[c.body])
            s.plan_submit(plan=plan, actor=c.coordinator)
            s.plan_approve(plan=plan, actor=c.supervisor, decided_on=day, via_item=MEETING_ITEM)
        case.refresh_from_db()

    def evaluate(case, day, decision, lead, reason=None):
        with on(day):
            ev = s.evaluation_create(case=case, actor=c.coordinator)
            items = [
                {"id": it.pk, "achievement": "achieved", "note": "ok"} for it in ev.items.all()
            ]
            s.evaluation_update(
                evaluation=ev,
                actor=c.coordinator,
                lock_version=ev.lock_version,
                data={
                    "overall": "見通しがついた",
                    "proposed_decision": decision,
                    "proposed_lead_agency": lead,
                },
                items=items,
            )
            s.evaluation_ready(evaluation=ev, actor=c.coordinator)
            s.evaluation_decide(
                evaluation=ev,
                actor=c.supervisor,
                decided_on=day,
                decision=decision,
                lead_agency=lead,
                closure_reason=reason,
                via_item=MEETING_ITEM,
            )
        case.refresh_from_db()

    # c0: opened FY2025, closed FY2025, re-opened FY2026, handed back 2026-11-30
    with on(D(2025, 10, 1)):
        c.c0 = s.case_create(
            actor=c.coordinator,
            household=c.h0,
            coordinating_agency=c.body,
            principal=c.p0,
            persons=[c.p0],
        )
    take_through_plan(c.c0, D(2025, 11, 1))
    evaluate(c.c0, D(2026, 2, 15), "close", c.houkatsu, ClosureReason.STABLE)
    with on(D(2026, 4, 20)):
        s.case_reopen(case=c.c0, actor=c.coordinator, reason="再び困りごと")
    take_through_plan(c.c0, D(2026, 5, 15))
    evaluate(c.c0, D(2026, 11, 30), "hand_back", c.houkatsu)
    # c00: opened FY2025, still open (carried over)
    with on(D(2025, 12, 1)):
        c.c00 = s.case_create(
            actor=c.coordinator,
            household=c.h00,
            coordinating_agency=c.body,
            principal=c.q0,
            persons=[c.q0],
        )
    # c1: plan approved 2026-07-01, closed 2027-01-20 (他制度につながった)
    take_through_plan(c.c1, D(2026, 7, 1))
    evaluate(c.c1, D(2027, 1, 20), "close", c.houkatsu, ClosureReason.CONNECTED)
    # c3: m and her partner, sheet sent 10/2 and accepted 10/5 (3 days), 主担当 moved to the 社協 on 2026-11-01 (transfer)
    r6 = sheet(D(2026, 10, 2), person=c.m, household=c.h3, route="phone")
    with on(D(2026, 10, 5)):
        c.c3 = i.referral_accept(actor=c.coordinator, referral=r6)
        s.case_update(
            case=c.c3,
            actor=c.coordinator,
            summary=c.c3.summary,
            programmes=c.c3.programmes,
            persons=[c.m, c.spouse],
        )
    with on(D(2026, 11, 1)):
        s.case_set_lead_agency(case=c.c3, actor=c.coordinator, agency=c.shakyo, reason="転居")

    # --- community: places and resources -------------------------------------------------------------
    from community.services import resource_create

    with on(D(2026, 4, 2)):
        for name, kind, is_place, start, end, status in (
            ("ひだまりサロン", "salon", True, D(2024, 6, 1), None, "active"),
            ("みんな食堂", "shokudo", True, D(2026, 7, 1), None, "active"),
            ("通いの場 東", "kayoi", True, D(2025, 1, 1), D(2026, 12, 31), "closed"),
            ("農園の就労体験", "work_experience", False, D(2026, 10, 1), None, "active"),
            ("オレンジカフェ", "cafe", True, D(2027, 3, 5), None, "preparing"),
        ):
            resource_create(
                actor=c.csw,
                name=name,
                kind=kind,
                is_place=is_place,
                start_date=start,
                end_date=end,
                status=status,
            )

    # --- meetings ------------------------------------------------------------------------------------
    from meetings.tests.conftest import hold, make_body

    with on(D(2025, 4, 1)):
        c.juso = make_body(c.supervisor, c.body, BodyKind.JUSO_KAIGI, "重層的支援会議")
        c.shien = make_body(c.supervisor, c.body, BodyKind.SHIEN_KAIGI, "支援会議")

    def meeting(body, day, *, items=(), cancel=False):
        with on(day - dt.timedelta(days=14)):
            mt = ms.meeting_schedule(body=body, actor=c.supervisor, starts_at=_at(day, 14))
            for kw in items:
                ms.agenda_item_add(meeting=mt, actor=c.supervisor, **kw)
            if cancel:
                return ms.meeting_cancel(meeting=mt, actor=c.supervisor, reason="台風")
        with on(day):
            return hold(mt, c.supervisor)

    meeting(
        c.juso, D(2026, 3, 10), items=[{"kind": "info_sharing", "title": "年度末の報告"}]
    )  # FY2025
    meeting(c.juso, D(2026, 6, 17), items=[{"kind": "info_sharing", "title": "地域の状況"}])
    meeting(
        c.shien,
        D(2026, 8, 19),
        items=[
            {"kind": "worrying_no_consent", "title": "気になる世帯", "household": c.h2},
        ],
    )
    meeting(c.shien, D(2026, 12, 16), cancel=True)

    from .city_programmes import build_programmes

    build_programmes(c, on, _at)
    return c


# Known answers for FY2026 as of 2027-02-28.
EXPECTED = {
    "consultation.new.households": 6,  # h1, h2, h3 (m moved), h4 (d1 + merged d2), h5, T1's
    "consultation.new.persons": 5,  # a1, m, d1 (d2 merged into d1), x, T1 (outreach)
    "consultation.contacts": 9,
    "consultation.contacts.route.phone": 3,
    "consultation.contacts.route.minsei": 1,
    "consultation.contacts.route.raisho": 1,
    "consultation.contacts.route.ibasho": 1,
    "consultation.contacts.route.resident": 1,
    "consultation.contacts.route.agency": 1,
    "consultation.contacts.route.houmon": 1,  # the outreach target T1 after consent
    "consultation.issues": 11,
    "consultation.issues.category.8050": 2,
    "consultation.issues.category.kaigo": 2,
    "consultation.issues.category.ninchisho": 1,
    "consultation.issues.category.hikikomori": 2,
    "consultation.issues.category.koritsu": 1,
    "consultation.issues.category.shuro": 1,
    "consultation.issues.category.konkyu": 2,
    "consultation.from_community": 3,  # minsei, ibasho, resident
    "consultation.to_multiagency": 2,
    "concern_slip.received": 3,  # two from residents, one from the salon
    "referral.received": 6,
    "referral.received.route.agency": 1,
    "referral.received.route.minsei": 1,
    "referral.received.route.raisho": 1,
    "referral.received.route.phone": 2,
    "referral.received.route.none": 1,
    "referral.received.outcome.accepted": 3,
    "referral.received.outcome.returned": 1,
    "referral.received.outcome.withdrawn": 1,
    "referral.received.outcome.pending": 1,
    "referral.turnaround.days": 3.5,  # (1 + 3 + 7 + 3) / 4
    "case.accepted": 3,  # c2, c1, c3 (c0 re-opened is not new)
    "case.accepted.households": 3,
    "case.accepted.persons": 4,  # x, a1, m, her partner
    "case.carried_over": 1,  # c00 (c0 was closed on 3/31)
    "case.open": 2,  # c00, c3
    "case.closed": 2,  # c2 (death), c1
    "case.closed.reason.died": 1,
    "case.closed.reason.connected": 1,
    "case.reopened": 1,
    "case.handed_back": 1,
    "case.handed_back.share": 33.3,
    "case.handed_back.days": 425.0,  # 2025-10-01 -> 2026-11-30
    "plan.approved": 2,  # c0's second plan, c1's plan
    "meeting.held": 2,
    "meeting.held.kind.juso_kaigi": 1,
    "meeting.held.kind.shien_kaigi": 1,
    "meeting.cases_discussed": 1,
    "community.places": 2,  # the salon and the 食堂 (the 通いの場 ended 12/31, the cafe opens 3/5)
    "community.places.kind.salon": 1,
    "community.places.kind.shokudo": 1,
    "community.places.new": 1,
    "community.resources.new": 2,  # the 食堂 and the work experience
}

from .city_programmes import EXPECTED_PROGRAMMES  # noqa: E402

EXPECTED |= EXPECTED_PROGRAMMES

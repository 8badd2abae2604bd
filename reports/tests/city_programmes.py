"""The fixture city's outreach, participation and community work (FY2026 as of 2027-02-28), built
through the services on the days it happened. Called by `city.build_city` after the cases exist;
the known answers are in EXPECTED_PROGRAMMES.

Edge cases: records just outside the year on both sides, a target closed as refused and taken up
again in the same year, a target found before the year and visited in it, a man proposed two
places (one dropped, one ongoing), a young woman who joins as 担い手 and ends in 就労, tally
attributes that do not add up to the participants, an agreement that ended before the as-of date.
"""

import datetime as dt
from decimal import Decimal

from agencies.choices import AgencyKind, Programme, Role
from agencies.tests.factories import AgencyFactory, staff
from community import services_activity as sa
from community.models import Resource
from outreach import services as os_
from participation import services as ps
from participation import services_placements as pp

D = dt.date


def build_programmes(c, on, at):
    _outreach(c, on, at)
    _participation(c, on)
    _community(c, on)


def _outreach(c, on, at):
    with on(D(2025, 4, 1)):
        c.oa = AgencyFactory(
            name="アウトリーチ支援室",
            kind=AgencyKind.SHAKYO,
            programmes=[Programme.OUTREACH.value],
        )
        c.ow = staff(c.oa, Role.CASEWORKER)
        c.ow2 = staff(c.oa, Role.CASEWORKER)

    def target(day, source, **data):
        with on(day):
            return os_.target_create(
                actor=c.ow,
                agency=c.oa,
                data={
                    "source": source,
                    "worry": "姿を見かけない",
                    "approx_address": "北町",
                    "known_on": day,
                }
                | data,
            )

    def contact(t, day, kind, staff=None, outcome="met"):
        with on(day, 16):
            os_.contact_log(
                actor=c.ow,
                target=t,
                kind=kind,
                occurred_at=at(day, 11),
                staff=staff or [c.ow],
                counterpart="person" if outcome == "met" else "nobody",
                outcome=outcome,
            )

    def move(t, day, to, **kw):
        with on(day, 17):
            os_.target_move(actor=c.ow, target=t, to_stage=to, reason="経過", on=day, **kw)

    # T0: found in FY2025 (a letter then), visited by two in FY2026.
    c.t0 = target(D(2026, 2, 10), "minsei")
    contact(c.t0, D(2026, 3, 1), "letter", outcome="left_note")
    contact(c.t0, D(2026, 5, 10), "home_visit", staff=[c.ow, c.ow2])
    move(c.t0, D(2026, 5, 10), "relating")
    # T1: found through arrears; visits, つなぎ, a consultation after consent, closed as connected.
    c.t1 = target(D(2026, 4, 15), "arrears")
    contact(c.t1, D(2026, 4, 20), "postbox", outcome="left_note")
    contact(c.t1, D(2026, 6, 1), "home_visit", staff=[c.ow, c.ow2], outcome="not_home")
    contact(c.t1, D(2026, 6, 15), "home_visit")
    move(c.t1, D(2026, 6, 15), "relating")
    contact(c.t1, D(2026, 7, 1), "accompany")
    move(c.t1, D(2026, 7, 1), "connecting")
    with on(D(2026, 7, 1), 18):
        c.t1_person, _household = os_.target_register_person(
            actor=c.ow,
            target=c.t1,
            person_data={"family_name": "石田", "given_name": "守", "birth_date": D(1975, 2, 1)},
            household_data={"address": "みどり市2-2"},
            consent={
                "given_on": D(2026, 7, 1),
                "method": "written",
                "agencies": [c.oa],
                "info_kinds": ["basic"],
            },
        )
        os_.target_record_consultation(
            actor=c.ow,
            target=c.t1,
            summary="同行の後に相談",
            categories=["hikikomori"],
            received_at=at(D(2026, 7, 1), 18),
            outcome="own",
        )
    move(c.t1, D(2026, 9, 30), "closed", closure_reason="connected")
    contact(c.t1, D(2027, 3, 3), "phone")  # after the as-of date
    # T2: a neighbour's worry; refused, closed, taken up again in December.
    c.t2 = target(D(2026, 5, 1), "neighbour")
    contact(c.t2, D(2026, 5, 2), "phone", outcome="refused")
    move(c.t2, D(2026, 6, 1), "closed", closure_reason="refused", next_try_on=D(2026, 12, 1))
    move(c.t2, D(2026, 12, 5), "relating")
    contact(c.t2, D(2026, 12, 5), "home_visit")
    # T4: from the survey list, not reached yet; T3: found after the as-of date.
    c.t4 = target(D(2026, 8, 1), "survey")
    c.t3 = target(D(2027, 3, 2), "minsei")


def _participation(c, on):
    farm = Resource.objects.get(name="農園の就労体験")
    shokudo = Resource.objects.get(name="みんな食堂")
    salon = Resource.objects.get(name="ひだまりサロン")

    def assess(case, person, day):
        with on(day):
            return ps.assessment_create(case=case, person=person, actor=c.coordinator)

    def move(p, day, to, **kw):
        with on(day):
            return pp.placement_move(placement=p, actor=c.coordinator, to=to, on=day, **kw)

    # a1 (50s, 8050): assessed, two places proposed; the 食堂 dropped, the farm ongoing.
    a = assess(c.c1, c.a1, D(2026, 7, 10))
    with on(D(2026, 7, 15)):
        p1 = pp.placement_propose(assessment=a, resource=farm, actor=c.coordinator)
        p2 = pp.placement_propose(assessment=a, resource=shokudo, actor=c.coordinator)
    move(p2, D(2026, 7, 30), "ended", outcome="dropped", outcome_note="人が多くて不安")
    with on(D(2026, 7, 20)):
        gap = pp.gap_record(actor=c.coordinator, assessment=a, title="夜に通える活動の場")
        pp.gap_raise_issue(gap=gap, actor=c.coordinator)
    move(p1, D(2026, 8, 1), "trial")
    p1 = move(p1, D(2026, 9, 1), "active")
    with on(D(2026, 9, 20)):
        pp.activity_record(
            placement=p1, actor=c.coordinator, days=[D(2026, 9, 5), D(2026, 9, 12)], hours=3
        )
        pp.activity_record(placement=p1, actor=c.coordinator, days=[D(2026, 9, 19)], hours="2.5")
        pp.follow_up_record(
            placement=p1, actor=c.coordinator, target="person", kind="visit", on=D(2026, 9, 10)
        )
        pp.follow_up_record(
            placement=p1, actor=c.coordinator, target="host", kind="consult", on=D(2026, 9, 15)
        )
    # m (30s): joins the salon as 担い手 and ends in 就労; her assessment is a second version.
    assess(c.c3, c.m, D(2026, 10, 8))
    b = assess(c.c3, c.m, D(2026, 10, 10))
    with on(D(2026, 10, 10)):
        p3 = pp.placement_propose(assessment=b, resource=salon, actor=c.coordinator, role="helper")
    move(p3, D(2026, 10, 15), "trial")
    p3 = move(p3, D(2026, 10, 20), "active")
    with on(D(2026, 10, 21)):
        pp.activity_record(placement=p3, actor=c.coordinator, days=[D(2026, 10, 21)], hours=4)
    move(p3, D(2026, 10, 30), "ended", outcome="employed")


def _community(c, on):
    salon = Resource.objects.get(name="ひだまりサロン")
    shokudo = Resource.objects.get(name="みんな食堂")

    def tally(place, day, **counts):
        with on(day):
            return sa.session_record(actor=c.csw, resource=place, held_on=day, **counts)

    tally(salon, D(2026, 3, 15), age_70s=5, attr_elderly=5)  # FY2025
    tally(
        salon,
        D(2026, 5, 15),
        age_60s=4,
        age_70s=6,
        age_80plus=2,
        attr_elderly=12,
        new_participants=2,
        volunteers=2,
        volunteer_hours=Decimal("4"),
        consultations=1,
    )
    tally(
        shokudo,
        D(2026, 8, 20),
        age_under10=10,
        age_30s=4,
        age_70s=1,
        attr_child=14,
        attr_elderly=1,
        new_participants=5,
        volunteers=3,
        volunteer_hours=Decimal("9"),
        became_helpers=1,
    )
    tally(salon, D(2027, 3, 3), age_70s=3)  # after the as-of date

    # 気づき from the salon (a resident host's slip), and a consultation taken there.
    with on(D(2026, 5, 15)):
        sa.place_concern_submit(
            actor=c.resident,
            resource=salon,
            to_agency=c.houkatsu,
            subject_description="サロンに来なくなった方",
            noticed="3回続けて欠席",
        )
    with on(D(2026, 11, 2)):
        sa.place_concern_link_consultation(actor=c.csw, consultation=c.k_d1, resource=salon)

    # Volunteers.
    with on(D(2025, 6, 1)):
        v2 = sa.volunteer_register(actor=c.csw, name="北川 進", coordinator_agency=c.shakyo)
    with on(D(2026, 5, 1)):
        v1 = sa.volunteer_register(
            actor=c.csw,
            name="南 花",
            coordinator_agency=c.shakyo,
            was_supported=True,
            path_consent_on=D(2026, 5, 1),
        )
    with on(D(2026, 9, 1)):
        sa.volunteer_register(actor=c.csw, name="東 一", coordinator_agency=c.shakyo)
    for v, day, hours in (
        (v1, D(2026, 5, 15), "2.5"),
        (v1, D(2026, 8, 20), "3"),
        (v2, D(2026, 6, 1), "2"),
        (v2, D(2027, 3, 2), "2"),  # after the as-of date
    ):
        with on(day):
            sa.volunteer_log_activity(actor=c.csw, volunteer=v, done_on=day, hours=Decimal(hours))

    # Platforms and courses.
    with on(D(2025, 4, 10)):
        platform = sa.program_create(
            actor=c.csw,
            kind="platform",
            name="北部地域づくり協議体",
            organiser=c.shakyo,
            started_on=D(2025, 4, 10),
        )
    with on(D(2026, 7, 1)):
        course = sa.program_create(
            actor=c.csw,
            kind="course",
            name="傾聴講座",
            organiser=c.shakyo,
            started_on=D(2026, 7, 1),
        )
    for program, day, people, orgs in (
        (platform, D(2026, 3, 10), 15, 6),  # FY2025
        (platform, D(2026, 6, 10), 20, 8),
        (course, D(2026, 7, 15), 30, 0),
        (platform, D(2026, 11, 10), 18, 7),
    ):
        with on(day):
            sa.program_session_record(
                actor=c.csw, program=program, held_on=day, participants=people, organisations=orgs
            )

    # Agreements.
    for day, kind, ends in (
        (D(2024, 4, 1), "mimamori", None),
        (D(2025, 5, 1), "employment", D(2026, 12, 31)),
        (D(2026, 6, 1), "food_bank", None),
        (D(2027, 3, 5), "venue", None),  # after the as-of date
    ):
        with on(day):
            sa.agreement_create(
                actor=c.csw,
                partner_name=f"協定先 {kind}",
                partner_kind="company",
                kind=kind,
                our_agency=c.shakyo,
                signed_on=day,
                ends_on=ends,
            )

    # Community issues (one more came from the participation gap on 2026-07-20).
    for day, source, title in (
        (D(2025, 12, 1), "other", "空き家が増えている"),  # FY2025
        (D(2026, 6, 10), "platform", "買い物の足がない"),
    ):
        with on(day):
            sa.community_issue_raise(actor=c.csw, title=title, source=source, raised_on=day)


EXPECTED_PROGRAMMES = {
    # outreach
    "outreach.targets.new": 3,  # T1, T2, T4 (T0 in FY2025, T3 after the as-of date)
    "outreach.targets.new.source.arrears": 1,
    "outreach.targets.new.source.neighbour": 1,
    "outreach.targets.new.source.survey": 1,
    "outreach.targets.contacted": 3,  # T0, T1, T2
    "outreach.households.contacted": 3,  # T1's household, T0 and T2 one each
    "outreach.contacts": 7,
    "outreach.contacts.kind.home_visit": 4,
    "outreach.contacts.kind.postbox": 1,
    "outreach.contacts.kind.accompany": 1,
    "outreach.contacts.kind.phone": 1,
    "outreach.visits": 5,
    "outreach.visits.staff": 7,  # 2 + 2 + 1 + 1 + 1
    "outreach.targets.visited": 3,
    "outreach.stage_changes": 6,
    "outreach.stage_changes.to.relating": 3,
    "outreach.stage_changes.to.connecting": 1,
    "outreach.stage_changes.to.closed": 2,
    "outreach.closed": 2,
    "outreach.closed.reason.connected": 1,
    "outreach.closed.reason.refused": 1,
    "outreach.connected": 1,  # T1 (つなぎ and closed as connected: one person)
    "outreach.to_consultation": 1,
    "outreach.to_case": 0,
    # participation
    "participation.assessed": 2,  # a1, m (two versions: one person)
    "participation.matched": 2,
    "participation.proposals": 3,
    "participation.trials": 2,
    "participation.placed": 2,
    "participation.placements": 2,
    "participation.placements.kind.work_experience": 1,
    "participation.placements.kind.salon": 1,
    "participation.placements.role.user": 1,
    "participation.placements.role.helper": 1,
    "participation.hosts": 2,
    "participation.activity_days": 4,
    "participation.activity_hours": 12.5,
    "participation.ended": 2,
    "participation.ended.outcome.dropped": 1,
    "participation.ended.outcome.employed": 1,
    "participation.follow_ups": 2,
    "participation.follow_ups.target.person": 1,
    "participation.follow_ups.target.host": 1,
    "participation.gaps": 1,
    # community
    "community.sessions": 2,
    "community.participants": 27,
    "community.participants.age.under10": 10,
    "community.participants.age.30s": 4,
    "community.participants.age.60s": 4,
    "community.participants.age.70s": 7,
    "community.participants.age.80plus": 2,
    "community.participants.attr.elderly": 13,
    "community.participants.attr.child": 14,
    "community.participants.new": 7,
    "community.sessions.volunteers": 5,
    "community.sessions.volunteer_hours": 13.0,
    "community.sessions.became_helpers": 1,
    "community.sessions.consultations": 1,
    "community.place_concerns": 2,
    "community.place_concerns.consulted": 1,
    "community.volunteers.active": 2,
    "community.volunteers.hours": 7.5,
    "community.volunteers.new": 2,
    "community.volunteers.from_supported": 1,
    "community.programs": 2,
    "community.programs.kind.platform": 1,
    "community.programs.kind.course": 1,
    "community.program_sessions": 3,
    "community.program_sessions.participants": 68,
    "community.program_sessions.organisations": 15,
    "community.agreements": 2,
    "community.agreements.new": 1,
    "community.issues.raised": 2,
    "community.issues.raised.source.platform": 1,
    "community.issues.raised.source.participation_gap": 1,
}

"""Scale rows of the other three programmes, so the annual report's outreach, participation and
community figures (and those apps' pages) meet a city's volume: outreach targets with contacts
(and the staff on each), stage changes; participation assessments, placements with their
transitions, activity days and follow-ups; places with session tallies, volunteers and their
activities, platforms and courses with sessions, agreements and community issues.

Rows at scale 1 are in PROGRAMME_SIZES. Same rules as core.py: one seeded Random, COPY through
`bulk.Writer`, no services.
"""

import datetime as dt
from decimal import Decimal

from .core import TODAY, Ctx, at, past_date, pick_agency, staff_of

PROGRAMME_SIZES = {
    "outreach_targets": 3_000,
    "resources": 600,
    "sessions": 20_000,
    "assessments": 3_000,
    "placements": 2_000,
    "volunteers": 2_000,
    "volunteer_activities": 30_000,
    "programs": 60,
    "program_sessions": 600,
    "agreements": 100,
    "issues": 300,
}


def _n(ctx: Ctx, key: str) -> int:
    return max(1, int(PROGRAMME_SIZES[key] * ctx.scale))


def _day_after(rng, day: dt.date, most: int) -> dt.date:
    return min(TODAY, day + dt.timedelta(days=rng.randint(1, most)))


def generate_outreach(ctx: Ctx) -> None:
    from outreach.models import (
        VISIT_KINDS,
        ClosureReason,
        ContactKind,
        OutreachContact,
        OutreachTarget,
        Source,
        Stage,
        StageTransition,
    )

    rng, w = ctx.rng, ctx.writer
    staff_through = OutreachContact.staff.through
    kinds = list(ContactKind.values)
    path = [Stage.PREPARING, Stage.RELATING, Stage.VISITING, Stage.CONNECTING, Stage.CONTINUING]
    for i in range(_n(ctx, "outreach_targets")):
        agency = pick_agency(ctx, programme="outreach")
        worker = staff_of(ctx, agency)
        known = past_date(rng, years=4, recent_bias=1.5)
        target = w.add(
            OutreachTarget(
                number=f"OR-S{i:07d}",
                agency_id=agency,
                area_id=rng.choice(ctx.areas) if ctx.areas else None,
                source=rng.choice(Source.values),
                known_on=known,
                approx_address="北町の角",
                worry="姿を見かけない",
                lead_worker_id=worker,
                stage_changed_on=known,
                created_by_id=worker,
                created_at=at(known, rng),
            )
        )
        w.add(
            StageTransition(
                target_id=target.pk,
                to_stage=Stage.DISCOVERED,
                on=known,
                reason="把握",
                actor_id=worker,
                at=at(known, rng),
            )
        )
        day, stage, last_contact = known, Stage.DISCOVERED, None
        for _c in range(rng.randint(0, 20)):
            day = _day_after(rng, day, 40)
            kind = rng.choice(kinds)
            contact = w.add(
                OutreachContact(
                    target_id=target.pk,
                    kind=kind,
                    occurred_at=at(day, rng),
                    minutes=30,
                    counterpart="person",
                    outcome="met",
                    agency_id=agency,
                    author_id=worker,
                    created_at=at(day, rng),
                )
            )
            last_contact = contact.occurred_at
            for user in {worker, staff_of(ctx, agency)} if kind in VISIT_KINDS else {worker}:
                w.add(staff_through(outreachcontact_id=contact.pk, user_id=user))
        for to in path[: rng.randint(0, len(path))]:
            day = _day_after(rng, day, 60)
            w.add(
                StageTransition(
                    target_id=target.pk,
                    from_stage=stage,
                    to_stage=to,
                    on=day,
                    reason="経過",
                    actor_id=worker,
                    at=at(day, rng),
                )
            )
            stage = to
        if rng.random() < 0.3:
            day = _day_after(rng, day, 60)
            reason = rng.choice(ClosureReason.values)
            w.add(
                StageTransition(
                    target_id=target.pk,
                    from_stage=stage,
                    to_stage=Stage.CLOSED,
                    on=day,
                    reason="終結",
                    closure_reason=reason,
                    next_try_on=day + dt.timedelta(days=90)
                    if reason == ClosureReason.REFUSED
                    else None,
                    actor_id=worker,
                    at=at(day, rng),
                )
            )
            stage = Stage.CLOSED
            target.closure_reason = reason
        # Not written yet (COPY runs at the flush): the row gets its latest stage.
        target.stage, target.stage_changed_on = stage, day
        target.last_contact_at = last_contact
    w.flush()


def generate_community(ctx: Ctx) -> list[int]:
    """Resources (half of them places) with session tallies; volunteers and their activities;
    platforms and courses; agreements; issues. Returns the resource ids."""
    from community.choices import AGE_BANDS, ATTRIBUTES, ProgramKind, ResourceKind
    from community.models import (
        Agreement,
        CommunityIssue,
        Program,
        ProgramSession,
        Resource,
        Session,
        Volunteer,
        VolunteerActivity,
    )

    rng, w = ctx.rng, ctx.writer
    agency = pick_agency(ctx, programme="community")
    csw = staff_of(ctx, agency)
    place_kinds = ["salon", "shokudo", "engawa", "cafe", "kayoi", "kosodate_hiroba"]
    work_kinds = [k for k in ResourceKind.values if k not in place_kinds]
    places, resources = [], []
    for i in range(_n(ctx, "resources")):
        is_place = i % 2 == 0
        start = past_date(rng, years=10, recent_bias=1.0)
        r = w.add(
            Resource(
                name=f"資源{i:05d}",
                kana=f"しげん{i:05d}",
                kind=rng.choice(place_kinds if is_place else work_kinds),
                is_place=is_place,
                area_id=rng.choice(ctx.areas) if ctx.areas else None,
                latitude=Decimal("35.600000") + Decimal(i % 100) / 1000,
                longitude=Decimal("139.500000") + Decimal(i // 100) / 1000,
                capacity=5 + i % 10,
                interest_tags=["農作業"] if i % 3 == 0 else ["料理"],
                start_date=start,
                end_date=_day_after(rng, start, 3000) if i % 10 == 0 else None,
                status="closed" if i % 10 == 0 else "active",
                created_by_id=csw,
            )
        )
        resources.append(r.pk)
        if is_place:
            places.append(r.pk)
    bands = [f for f, _label in AGE_BANDS]
    attributes = [f for f, _label in ATTRIBUTES]
    for _s in range(_n(ctx, "sessions")):
        held = past_date(rng, years=3, recent_bias=1.0)
        counts = {f: rng.randint(0, 6) for f in bands}
        total = sum(counts.values())
        session = Session(
            resource_id=rng.choice(places),
            held_on=held,
            participants=total,
            new_participants=min(total, rng.randint(0, 2)),
            volunteers=rng.randint(1, 4),
            volunteer_hours=Decimal(rng.randint(2, 12)),
            became_helpers=min(total, rng.randint(0, 1)),
            consultations=rng.randint(0, 2),
            recorded_by_id=csw,
            recorded_at=at(held, rng),
            **counts,
            **{f: rng.randint(0, 5) for f in attributes},
        )
        w.add(session)
    volunteers = []
    for i in range(_n(ctx, "volunteers")):
        registered = past_date(rng, years=6, recent_bias=1.0)
        v = w.add(
            Volunteer(
                name=f"ボランティア{i:05d}",
                registered_on=registered,
                coordinator_agency_id=agency,
                was_supported=i % 25 == 0,
                path_consent_on=registered if i % 25 == 0 else None,
                created_by_id=csw,
            )
        )
        volunteers.append((v.pk, registered))
    for _a in range(_n(ctx, "volunteer_activities")):
        volunteer, registered = rng.choice(volunteers)
        w.add(
            VolunteerActivity(
                volunteer_id=volunteer,
                resource_id=rng.choice(places),
                done_on=_day_after(rng, registered, 2000),
                hours=Decimal(rng.randint(1, 8)),
            )
        )
    programs = []
    for i in range(_n(ctx, "programs")):
        started = past_date(rng, years=6, recent_bias=1.0)
        p = w.add(
            Program(
                kind=rng.choice(ProgramKind.values),
                name=f"協議の場・講座{i:03d}",
                organiser_id=agency,
                started_on=started,
                created_by_id=csw,
            )
        )
        programs.append((p.pk, started))
    for _s in range(_n(ctx, "program_sessions")):
        program, started = rng.choice(programs)
        held = _day_after(rng, started, 2000)
        w.add(
            ProgramSession(
                program_id=program,
                held_on=held,
                participants=rng.randint(5, 60),
                organisations=rng.randint(0, 15),
                recorded_by_id=csw,
                recorded_at=at(held, rng),
            )
        )
    for i in range(_n(ctx, "agreements")):
        signed = past_date(rng, years=8, recent_bias=1.0)
        w.add(
            Agreement(
                partner_name=f"協定先{i:04d}",
                partner_kind="company",
                kind="mimamori",
                our_agency_id=agency,
                signed_on=signed,
                ends_on=_day_after(rng, signed, 1500) if i % 4 == 0 else None,
                created_by_id=csw,
            )
        )
    for i in range(_n(ctx, "issues")):
        raised = past_date(rng, years=4, recent_bias=1.0)
        w.add(
            CommunityIssue(
                title=f"地域課題{i:04d}",
                source=rng.choice(["platform", "place", "case", "other"]),
                raised_on=raised,
                raised_by_id=csw,
                owner_agency_id=agency,
            )
        )
    w.flush()
    return resources


def generate_participation(ctx: Ctx, resources: list[int]) -> None:
    from participation.choices import FollowUpKind, Outcome, PlacementStatus
    from participation.models import (
        ActivityDay,
        FollowUp,
        ParticipationAssessment,
        Placement,
        PlacementTransition,
    )

    rng, w = ctx.rng, ctx.writer
    if not ctx.case_rows or not resources:
        return
    S = PlacementStatus
    cases = rng.sample(ctx.case_rows, min(len(ctx.case_rows), _n(ctx, "assessments")))
    assessed = []
    for case_id, _number, _household, principal, _team in cases:
        agency = pick_agency(ctx, programme="participation")
        worker = staff_of(ctx, agency)
        day = past_date(rng, years=3, recent_bias=1.0)
        a = w.add(
            ParticipationAssessment(
                case_id=case_id,
                person_id=principal,
                assessed_on=day,
                author_id=worker,
                agency_id=agency,
                interests=["farming"],
            )
        )
        assessed.append((a.pk, case_id, principal, agency, worker, day))
    pairs = set()
    for _p in range(_n(ctx, "placements")):
        a_id, case_id, person, agency, worker, day = rng.choice(assessed)
        resource = rng.choice(resources)
        if (person, resource) in pairs:
            continue
        pairs.add((person, resource))
        proposed = _day_after(rng, day, 30)
        steps = [(S.PROPOSED, proposed)]
        for status in (S.TRIAL, S.ACTIVE):
            if rng.random() < 0.7:
                steps.append((status, _day_after(rng, steps[-1][1], 30)))
        ended = rng.random() < 0.4
        if ended:
            steps.append((S.ENDED, _day_after(rng, steps[-1][1], 120)))
        started = next((d for s, d in steps if s == S.ACTIVE), None)
        placement = w.add(
            Placement(
                case_id=case_id,
                person_id=person,
                resource_id=resource,
                assessment_id=a_id,
                status=steps[-1][0],
                status_changed_on=steps[-1][1],
                proposed_on=proposed,
                started_on=started,
                ended_on=steps[-1][1] if ended else None,
                outcome=rng.choice(Outcome.values) if ended else "",
                outcome_note="理由" if ended else "",
                agency_id=agency,
                worker_id=worker,
                created_by_id=worker,
                created_at=at(proposed, rng),
            )
        )
        previous = ""
        for status, on in steps:
            w.add(
                PlacementTransition(
                    placement_id=placement.pk,
                    from_status=previous,
                    to_status=status,
                    on=on,
                    by_id=worker,
                    at=at(on, rng),
                )
            )
            previous = status
        if started:
            last = steps[-1][1] if ended else TODAY
            days = sorted(
                {_day_after(rng, started, max(1, (last - started).days)) for _d in range(20)}
            )
            for on in days:
                if on <= last:
                    w.add(
                        ActivityDay(
                            placement_id=placement.pk,
                            on=on,
                            hours=Decimal("3.0"),
                            recorded_by_id=worker,
                            recorded_at=at(on, rng),
                        )
                    )
            for _f in range(4):
                on = _day_after(rng, started, 120)
                w.add(
                    FollowUp(
                        placement_id=placement.pk,
                        target=rng.choice(["person", "host"]),
                        kind=FollowUpKind.VISIT,
                        on=on,
                        staff_id=worker,
                        created_at=at(on, rng),
                    )
                )
    w.flush()


def generate_programmes(ctx: Ctx) -> None:
    generate_outreach(ctx)
    resources = generate_community(ctx)
    generate_participation(ctx, resources)

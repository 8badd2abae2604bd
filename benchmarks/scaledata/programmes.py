"""The programmes' records at city scale: アウトリーチ targets with their contacts and stage
transitions; the shared resource catalogue (社会資源) with its 拠点・居場所, their sessions and
tallies, volunteers and platforms; 参加支援 assessments and placements with their transitions,
activity days and follow-up. Scale 1: 3,000 targets with 60,000 contacts, 2,000 resources of which
500 places with 60,000 sessions, 2,000 placements (core.SIZES).

Same rules as core.py: one rng, rows through `bulk.Writer`, no services, no audit rows. The rows
have the shape the services give them (the lead worker is an assignee, a target's first transition
is its 把握, a session's 延べ participants is the sum of its age bands, a placement's transitions
walk 提案 → 見学 → 体験 → 参加 → 終了), so the pages read them as they read real records.

The helpers of core.py are imported inside the functions: core.py imports this module for STEPS.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from agencies.choices import Role

from .names import SURNAMES, TOWNS

if TYPE_CHECKING:
    from .core import Ctx

CARE_ROLES = (Role.CSW, Role.COORDINATOR, Role.CASEWORKER, Role.SUPERVISOR)


def _workers(ctx: Ctx, agency_id: int, favourite: str) -> tuple[list[int], list[float]]:
    """Care staff of an agency, the `favourite` role several times as likely (the CSWs carry the
    outreach caseload, the 参加支援員 the placements)."""
    rows = [
        (uid, 5.0 if role == favourite else 1.0)
        for uid, role in ctx.staff_by_agency.get(agency_id, [])
        if role in CARE_ROLES or role == favourite
    ]
    if not rows:
        from .core import staff_of

        rows = [(staff_of(ctx, agency_id), 1.0)]
    return [r[0] for r in rows], [r[1] for r in rows]


def _spheres():
    """(sphere id, [district ids]) of the city."""
    from agencies.models import Area

    rows = list(
        Area.objects.filter(level__in=["sphere", "district"]).values_list(
            "pk", "level", "parent_id", "code"
        )
    )
    spheres = {pk: [] for pk, level, _parent, _code in rows if level == "sphere"}
    codes = {pk: code for pk, _level, _parent, code in rows}
    for pk, level, parent, _code in rows:
        if level == "district" and parent in spheres:
            spheres[parent].append(pk)
    return list(spheres.items()), codes


def _spread(
    rng, n: int, budget: int, alpha: float, *, least: int = 1, cap: float = 50.0
) -> list[int]:
    """`budget` rows over `n` owners, at least `least` each, long-tailed: most owners a handful,
    a few up to `cap` times the least busy."""
    counts = [least] * n
    if n:
        weights = [min(cap, rng.paretovariate(alpha)) for _ in range(n)]
        for k in rng.choices(range(n), weights=weights, k=max(0, budget - least * n)):
            counts[k] += 1
    return counts


# --- アウトリーチ -----------------------------------------------------------------------------

# source, weight, informant
SOURCES = [
    ("minsei", 30, "民生委員"),
    ("neighbour", 15, "近隣住民"),
    ("arrears", 10, "水道課(料金係)"),
    ("city_hall", 10, "国保年金課"),
    ("survey", 12, "高齢者実態把握調査"),
    ("place", 6, "ふれあいサロン 世話人"),
    ("agency", 10, "地域包括支援センター"),
    ("concern_slip", 3, "気づきシート"),
    ("family", 3, "別居の家族"),
    ("other", 1, ""),
]
WORRIES = [
    "郵便受けに新聞がたまっている。姿を見かけない。",
    "息子さんの姿を何年も見ない。夜に大声が聞こえることがある。",
    "ごみが玄関まであふれている。支援を断られた。",
    "水道料金の滞納が続いている。室内から物音はする。",
    "サロンに来なくなった。物忘れが増えたと話していた。",
    "子どもが学校を休みがち。保護者と連絡がとれない。",
    "ADLの低下。独居で買い物に行けていない様子。",
]
# Open stages and how often a target sits in each (the closed share grows with age).
OPEN_STAGES = [
    ("discovered", 2),
    ("preparing", 2),
    ("relating", 3),
    ("visiting", 3),
    ("connecting", 1),
    ("continuing", 1.5),
]
CLOSURES = [("connected", 40), ("stable", 20), ("refused", 20), ("moved", 10), ("died", 10)]
STAGE_REASONS = {
    "preparing": "民生委員・包括と情報共有",
    "relating": "手紙と置き手紙から始める",
    "visiting": "玄関先で話せるようになった",
    "connecting": "相談窓口につないだ",
    "continuing": "月1回の訪問を継続",
    "closed": "終結",
}
# Before the first visit: letters, notes and calls; after: visits, accompaniment, places.
EARLY_KINDS = [("letter", 3), ("postbox", 3), ("phone", 2), ("home_visit", 4), ("message", 1)]
LATE_KINDS = [("home_visit", 8), ("phone", 3), ("accompany", 2), ("place", 1), ("message", 1)]
MINUTES = {"letter": 15, "postbox": 10, "phone": 10, "message": 5, "place": 30}
CONTENT = {
    "letter": "社協の紹介の手紙を投函",
    "postbox": "置き手紙(連絡先入り)",
    "phone": "電話で様子をうかがった",
    "message": "メールでやりとり",
    "home_visit": "自宅を訪問",
    "accompany": "相談窓口へ同行",
    "place": "居場所で顔を合わせた",
}


def _answer(kind: str, late: bool, rng) -> tuple[str, str]:
    """(counterpart, outcome) that fit the kind of contact and how far the relation has come."""
    if kind in ("letter", "postbox"):
        return "nobody", "left_note"
    if kind in ("phone", "message"):
        return rng.choice([("person", "replied"), ("family", "replied"), ("nobody", "no_answer")])
    if kind == "home_visit" and not late:
        return rng.choices(
            [
                ("nobody", "not_home"),
                ("person", "through_door"),
                ("family", "met"),
                ("person", "refused"),
            ],
            weights=[6, 4, 2, 1],
        )[0]
    if kind == "home_visit":
        return rng.choices(
            [("person", "met"), ("person", "through_door"), ("nobody", "not_home")],
            weights=[5, 1, 1],
        )[0]
    return "person", "met"


def _professionals(kind: str, rng) -> tuple[list[str], str]:
    """Who else went on a visit: a visiting nurse on some (市貝町's survey visits), now and then a
    保健師, the 地域包括 or the 民生委員."""
    if kind not in ("home_visit", "accompany"):
        return [], ""
    u = rng.random()
    if u < 0.08:
        return ["visiting_nurse"], "訪問看護ステーション"
    if u < 0.12:
        return ["public_health_nurse"], ""
    if u < 0.15:
        return ["houkatsu"], ""
    if u < 0.17:
        return ["minsei"], ""
    return [], ""


def generate_outreach(ctx: Ctx) -> None:
    """Targets held by the agencies running 4号 (the 社協), mostly before consent: a third closed,
    the rest spread over the stages; a few linked to a person and a support case. Contacts per
    target are long-tailed (most a handful, some hundreds), one or two staff on each, a nurse on
    some visits."""
    from outreach.models import OutreachContact, OutreachTarget, StageTransition

    from .core import TODAY, at, fiscal_year, past_date

    rng, w = ctx.rng, ctx.writer
    holders = [a for a in ctx.agencies if "outreach" in (a[2] or [])]
    if not holders:
        return
    spheres = [pk for pk, _districts in _spheres()[0]] or [None]
    workers = {a[0]: _workers(ctx, a[0], Role.CSW) for a in holders}
    assignees = OutreachTarget.assignees.through
    contact_staff = OutreachContact.staff.through
    n_targets = ctx.n("outreach_targets")
    per_target = _spread(rng, n_targets, ctx.n("outreach_contacts"), 1.4)
    seq: dict[int, int] = {}
    for i in range(n_targets):
        agency = rng.choices(holders, weights=[a[3] for a in holders], k=1)[0][0]
        staff, weights = workers[agency]
        lead = rng.choices(staff, weights=weights, k=1)[0]
        known = past_date(rng, years=6, recent_bias=1.8)
        age_days = (TODAY - known).days
        closed = rng.random() < min(0.7, age_days / 1500)
        if closed:
            reached = rng.randint(1, 5)
            closure = rng.choices([c[0] for c in CLOSURES], weights=[c[1] for c in CLOSURES])[0]
            end = min(TODAY, known + dt.timedelta(days=rng.randint(40, 720)))
        else:
            reached = min(
                rng.choices(range(len(OPEN_STAGES)), weights=[s[1] for s in OPEN_STAGES])[0],
                age_days // 20,
            )
            closure = ""
            end = TODAY
        # The stages walked (an intermediate one skipped now and then), dated in order.
        path = ["discovered"] + [
            OPEN_STAGES[k][0] for k in range(1, reached + 1) if k == reached or rng.random() > 0.2
        ]
        if closed:
            path.append("closed")
        span = max(1, (end - known).days)
        days = sorted(rng.sample(range(1, span + 1), k=min(span, len(path) - 1)))
        while len(days) < len(path) - 1:
            days.append(span)
        dates = [known] + [known + dt.timedelta(days=d) for d in days]
        if not closed and len(dates) > 1:
            # An open target's last move was a while ago, not necessarily yesterday.
            dates = [known] + [known + (d - known) * 4 // 5 for d in dates[1:]]
        visiting_on = next(
            (d for s, d in zip(path, dates, strict=True) if s in ("visiting", "connecting")), None
        )
        linked = (
            not closed and path[-1] in ("connecting", "continuing") and rng.random() < 0.4
        ) or (closure == "connected" and rng.random() < 0.5)
        person, case = None, None
        if linked and ctx.case_rows:
            case, _number, _h, person, _team = rng.choice(ctx.case_rows)
        elif path[-1] == "visiting" and rng.random() < 0.05 and ctx.person_ids:
            person = rng.choice(ctx.person_ids)
        # Contacts first: the target keeps the time of the last one.
        contacts = []
        for _ in range(per_target[i]):
            when = known + dt.timedelta(days=rng.randint(0, span))
            late = visiting_on is not None and when >= visiting_on
            kinds = LATE_KINDS if late else EARLY_KINDS
            kind = rng.choices([k[0] for k in kinds], weights=[k[1] for k in kinds])[0]
            contacts.append((at(when, rng), kind, late))
        last = max((c[0] for c in contacts), default=None)
        source, _weight, informant = rng.choices(SOURCES, weights=[s[1] for s in SOURCES])[0]
        sur, sur_kana, _ = rng.choices(SURNAMES, weights=[s[2] for s in SURNAMES])[0]
        named = rng.random() < 0.6
        fy = fiscal_year(known)
        seq[fy] = seq.get(fy, 0) + 1
        target = w.add(
            OutreachTarget(
                number=f"OR-S{fy}-{seq[fy]:05d}",
                agency_id=agency,
                area_id=rng.choice(spheres),
                source=source,
                informant=informant,
                known_on=known,
                approx_name=f"{sur}さん" if named else "",
                approx_kana=f"{sur_kana}さん" if named else "",
                approx_address=f"{rng.choice(TOWNS)}{rng.randint(1, 9)}丁目付近",
                approx_age=rng.randint(25, 95) if rng.random() < 0.8 else None,
                sex=rng.choice(["男", "女", ""]),
                household_note=rng.choice(["独居", "高齢夫婦", "親と子(8050)", "ひとり親と子", ""]),
                worry=rng.choice(WORRIES),
                urgency=rng.choices(["normal", "high", "urgent"], weights=[85, 12, 3])[0],
                stage=path[-1],
                stage_changed_on=dates[-1],
                closure_reason=closure,
                next_try_on=(
                    end + dt.timedelta(days=rng.randint(60, 180))
                    if closure == "refused"
                    else (TODAY + dt.timedelta(days=rng.randint(-20, 40)) if not closed else None)
                ),
                lead_worker_id=lead,
                person_id=person,
                support_case_id=case,
                last_contact_at=last,
                created_by_id=lead,
                created_at=at(known, rng),
            )
        )
        team = [lead]
        if len(staff) > 1 and rng.random() < 0.25:
            team.append(rng.choice([s for s in staff if s != lead]))
        for uid in team:
            w.add(assignees(outreachtarget_id=target.pk, user_id=uid))
        for k, (stage, on) in enumerate(zip(path, dates, strict=True)):
            w.add(
                StageTransition(
                    target_id=target.pk,
                    from_stage=path[k - 1] if k else "",
                    to_stage=stage,
                    on=on,
                    reason=f"把握({informant or 'その他'})" if not k else STAGE_REASONS[stage],
                    closure_reason=closure if stage == "closed" else "",
                    next_try_on=target.next_try_on if stage == "closed" else None,
                    actor_id=lead,
                    at=at(on, rng),
                )
            )
        for when, kind, late in contacts:
            counterpart, outcome = _answer(kind, late, rng)
            professionals, note = _professionals(kind, rng)
            went = team[:1] if kind not in ("home_visit", "accompany") else team
            if kind in ("home_visit", "accompany") and len(went) == 1 and rng.random() < 0.3:
                went = [lead, rng.choice(staff)] if len(staff) > 1 else went
            contact = w.add(
                OutreachContact(
                    target_id=target.pk,
                    kind=kind,
                    occurred_at=when,
                    minutes=MINUTES.get(kind) or rng.choice([20, 30, 45, 60, 90]),
                    professionals=professionals,
                    professionals_note=note,
                    counterpart=counterpart,
                    outcome=outcome,
                    content=CONTENT[kind],
                    agency_id=agency,
                    author_id=lead,
                    created_at=when,
                )
            )
            for uid in dict.fromkeys(went):
                w.add(contact_staff(outreachcontact_id=contact.pk, user_id=uid))
    w.flush()


# --- 参加支援 ------------------------------------------------------------------------------------

# final status of a placement and how often
FINAL = [("proposed", 8), ("visit", 10), ("trial", 10), ("active", 25), ("ended", 47)]
OUTCOMES = [("settled", 35), ("employed", 15), ("other_activity", 20), ("dropped", 30)]
OUTCOME_NOTES = {
    "settled": "週2回通う生活が定着し、支援員の関わりを終了",
    "employed": "受け入れ先の紹介で地元の会社に雇用された",
    "other_activity": "本人の希望で別の活動に移った",
    "dropped": "体調を崩したため中断。短時間の場を探す",
}
BUS_LINES = ["北部循環", "中央線", "南部循環", "駅前線", "川辺線"]
FOLLOW_KINDS = ["visit", "consult", "phone", "adjust", "interview", "training"]
FOLLOW_TEXT = [
    "作業の様子を見学。表情がやわらかくなってきた",
    "受け入れ先と声かけの工夫を相談",
    "体調と生活リズムを電話で確認",
    "作業時間の調整を受け入れ先と行った",
    "本人と面談し、次の目標を話し合った",
    "受け入れ先の職員向けにひきこもり経験者の理解の研修",
]


def _walk(final: str, start: dt.date, limit: dt.date, rng) -> list[tuple[str, dt.date]]:
    """The statuses a placement went through and when (提案 first), ending at `final` or earlier
    when `limit` (today, or the case's closure) comes first."""
    order = ["proposed", "visit", "trial", "active"]
    if final == "ended":
        stop = rng.choices(["visit", "trial", "active"], weights=[2, 3, 5])[0]
        steps = order[: order.index(stop) + 1] + ["ended"]
    else:
        steps = order[: order.index(final) + 1]
    path, day = [], start
    for status in steps:
        if day > limit:
            break
        path.append((status, day))
        day += dt.timedelta(days=rng.randint(5, 25) if status != "active" else rng.randint(60, 300))
    return path


def generate_participation(ctx: Ctx) -> None:
    """Support cases that use 参加支援: the 参加支援 agency joins the team with the person's consent
    (so the grants step gives it the case), a current assessment (a second version now and then),
    and placements at the catalogue's resources — popular hosts and a long tail — that walk the
    transition table, with activity days while 体験/参加 and follow-up every two weeks."""
    from cases.choices import InfoKind
    from cases.models import CaseTeamMember, Consent, SupportCase
    from cases.models.support import TeamRole
    from participation.choices import Interest
    from participation.models import (
        ActivityDay,
        FollowUp,
        ParticipationAssessment,
        Placement,
        PlacementTransition,
    )

    from .core import TODAY, at, zipf_weights

    rng, w = ctx.rng, ctx.writer
    hosts = [r for r in ctx.resource_rows if r[3] in ("active", "preparing")]
    agencies = [a for a in ctx.agencies if "participation" in (a[2] or [])]
    if not hosts or not agencies or not ctx.case_rows:
        return
    workers = {a[0]: _workers(ctx, a[0], Role.PARTICIPATION_WORKER) for a in agencies}
    host_weights = zipf_weights(len(hosts), 0.8)
    facts = {
        pk: (status, opened, closed)
        for pk, status, opened, closed in SupportCase.objects.filter(
            pk__in=[c[0] for c in ctx.case_rows]
        ).values_list("pk", "status", "opened_on", "closed_on")
    }
    # Open cases and those closed in the last two years: older ones predate the programme.
    recent = TODAY - dt.timedelta(days=730)
    eligible = [c for c in ctx.case_rows if (facts[c[0]][2] or TODAY) >= recent]
    cases = rng.sample(eligible, k=min(len(eligible), ctx.n("participation_cases")))
    extra = _spread(rng, len(cases), max(0, ctx.n("placements") - len(cases)), 1.8, least=0, cap=6)
    consent_agencies = Consent.agencies.through
    interests = list(Interest.values)
    programme_ids = []
    placed: set[tuple[int, int]] = set()
    for i, (case_id, _number, household, principal, team) in enumerate(cases):
        _status, opened, closed = facts[case_id]
        agency = rng.choices(agencies, weights=[a[3] for a in agencies], k=1)[0][0]
        staff, weights = workers[agency]
        worker = rng.choices(staff, weights=weights, k=1)[0]
        limit = closed or TODAY
        start = min(limit, max(opened, recent) + dt.timedelta(days=rng.randint(10, 90)))
        programme_ids.append(case_id)
        w.add(
            CaseTeamMember(
                case_id=case_id,
                agency_id=agency,
                user_id=worker,
                role=TeamRole.PARTICIPATION,
                duties="参加支援(マッチング・定着支援)",
                joined_on=start,
                left_on=closed if closed and closed >= start else None,
            )
        )
        consent = w.add(
            Consent(
                person_id=principal,
                household_id=household,
                explained_by_id=worker,
                recorded_by_agency_id=agency,
                given_on=start,
                method=Consent.Method.WRITTEN,
                info_kinds=list(InfoKind.values),
                note="参加支援事業の利用にあたり",
                created_at=at(start, rng),
            )
        )
        for agency_id in dict.fromkeys([agency, *team[:1]]):
            w.add(consent_agencies(consent_id=consent.pk, agency_id=agency_id))
        sheet = dict(
            case_id=case_id,
            person_id=principal,
            author_id=worker,
            agency_id=agency,
            interests=rng.sample(interests, rng.randint(1, 3)),
            interests_note="人の少ない所で体を動かしたい",
            strengths="約束の時間を守る、まじめ",
            physical=rng.choice(["light", "moderate", "heavy"]),
            days=sorted(rng.sample(range(7), rng.randint(1, 5))),
            hours_from=dt.time(10),
            hours_to=dt.time(rng.choice([12, 15, 17])),
            max_hours_per_session=Decimal(rng.choice(["2.0", "3.0", "4.0"])),
            transport=rng.sample(["walk", "bicycle", "bus", "car", "escort"], rng.randint(1, 2)),
            max_travel_km=Decimal(rng.choice(["1.0", "3.0", "5.0", "10.0"])),
            bus_lines=rng.choice(BUS_LINES),
            home_lat=Decimal(f"{35.65 + rng.uniform(-0.04, 0.04):.5f}"),
            home_lng=Decimal(f"{139.55 + rng.uniform(-0.04, 0.04):.5f}"),
            withdrawal=rng.random() < 0.4,
            anxiety=rng.choices(["none", "some", "strong"], weights=[4, 4, 2])[0],
            max_cost_yen=rng.choice([0, 100, 300, 500]),
            wishes="いずれは働いて家にお金を入れたい",
            role_wish=rng.choices(["user", "helper", "either"], weights=[4, 2, 4])[0],
            wants_income=rng.random() < 0.3,
            view="短時間・少人数の場から始めるのがよい",
        )
        if rng.random() < 0.15 and (limit - start).days > 60:
            revised = start + dt.timedelta(days=rng.randint(30, (limit - start).days))
            w.add(
                ParticipationAssessment(
                    number=1,
                    assessed_on=start,
                    superseded_at=at(revised, rng),
                    created_at=at(start, rng),
                    updated_at=at(start, rng),
                    **sheet,
                )
            )
            sheet_on, number = revised, 2
        else:
            sheet_on, number = start, 1
        a = w.add(
            ParticipationAssessment(
                number=number,
                assessed_on=sheet_on,
                created_at=at(sheet_on, rng),
                updated_at=at(sheet_on, rng),
                **sheet,
            )
        )
        for j in range(1 + extra[i]):
            # One placement per person and host (a person may also head two cases).
            host = next(
                (
                    h
                    for h in rng.choices(hosts, weights=host_weights, k=5)
                    if (principal, h[0]) not in placed
                ),
                None,
            )
            if host is None:
                continue
            placed.add((principal, host[0]))
            proposed = min(limit, start + dt.timedelta(days=7 + j * rng.randint(10, 60)))
            final = (
                "ended"
                if closed
                else rng.choices([f[0] for f in FINAL], weights=[f[1] for f in FINAL])[0]
            )
            path = _walk(final, proposed, limit, rng)
            if closed and path[-1][0] != "ended":
                path.append(("ended", max(path[-1][1], closed)))
            status, changed = path[-1]
            when = dict(path)
            outcome = ""
            if status == "ended":
                outcome = rng.choices([o[0] for o in OUTCOMES], weights=[o[1] for o in OUTCOMES])[0]
            score = Decimal(f"{rng.uniform(30, 95):.1f}")
            p = w.add(
                Placement(
                    case_id=case_id,
                    person_id=principal,
                    resource_id=host[0],
                    assessment_id=a.pk,
                    role=rng.choices(["user", "helper"], weights=[3, 1])[0],
                    status=status,
                    status_changed_on=changed,
                    proposed_on=proposed,
                    started_on=when.get("active"),
                    ended_on=when.get("ended"),
                    outcome=outcome,
                    outcome_note=OUTCOME_NOTES.get(outcome, ""),
                    activity="作業の補助",
                    agency_id=agency,
                    worker_id=worker,
                    match_score=score,
                    match_reasons={
                        "resource": host[1],
                        "rank": rng.randint(1, 30),
                        "score": float(score),
                        "excluded_by_condition": False,
                        "reasons_for": [
                            {
                                "criterion": "interest",
                                "text": "関心のある活動ができる",
                                "points": 20.0,
                            }
                        ],
                        "reasons_against": [],
                        "notes": [],
                    },
                    created_by_id=worker,
                    created_at=at(proposed, rng),
                )
            )
            for k, (to, on) in enumerate(path):
                w.add(
                    PlacementTransition(
                        placement_id=p.pk,
                        from_status=path[k - 1][0] if k else "",
                        to_status=to,
                        on=on,
                        by_id=worker,
                        at=at(on, rng),
                    )
                )
            first = when.get("trial") or when.get("active")
            last = when.get("ended") or limit
            if first is not None:
                span = (last - first).days
                for d in range(0, span + 1, 7)[:26]:
                    day = first + dt.timedelta(days=d)
                    w.add(
                        ActivityDay(
                            placement_id=p.pk,
                            on=day,
                            hours=Decimal(rng.choice(["2.0", "2.5", "3.0", "4.0"])),
                            source=rng.choice(["worker", "host"]),
                            recorded_by_id=worker,
                            recorded_at=at(day, rng),
                        )
                    )
            followed = when.get("visit")
            if followed is not None:
                for turn, d in enumerate(range(3, (last - followed).days + 1, 14)):
                    if turn >= 24:
                        break
                    day = followed + dt.timedelta(days=d)
                    w.add(
                        FollowUp(
                            placement_id=p.pk,
                            target="person" if turn % 2 == 0 else "host",
                            kind=FOLLOW_KINDS[turn % 6],
                            on=day,
                            minutes=30 + 15 * (turn % 3),
                            content=FOLLOW_TEXT[turn % 6],
                            staff_id=worker,
                            created_at=at(day, rng),
                        )
                    )
    w.flush()
    # The cases now run 参加支援 too (the caseload lists cases by programme).
    SupportCase.objects.filter(pk__in=programme_ids).update(
        programmes=["multiagency", "participation"]
    )

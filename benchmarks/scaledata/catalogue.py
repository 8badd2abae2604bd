"""The shared resource catalogue (社会資源) at city scale: 拠点・居場所 with their sessions and
anonymous tallies, the other resources 参加支援 draws on with their participation profiles,
volunteers with training and hours, and the platforms, courses and events with their sessions.
Scale 1: 2,000 resources of which 500 places with 60,000 sessions (core.SIZES), on top of the
demo city's.

Same rules as core.py (one rng, `bulk.Writer`, no services); see programmes.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from agencies.choices import Role

from .names import GIVEN, SURNAMES, TOWNS
from .programmes import BUS_LINES, _spheres, _spread

if TYPE_CHECKING:
    from .core import Ctx

# --- 社会資源, 拠点・居場所, sessions, volunteers, platforms ------------------------------------------

# kind: (weight, name, kana, schedules, functions, target groups)
PLACE_KINDS = {
    "salon": (
        30,
        "ふれあいサロン",
        "ふれあいさろん",
        ["monthly_2", "monthly", "weekly"],
        ["exchange", "prevention"],
        ["elderly"],
    ),
    "kayoi": (
        25,
        "いきいき体操",
        "いきいきたいそう",
        ["weekly"],
        ["prevention", "exchange"],
        ["elderly"],
    ),
    "shokudo": (
        12,
        "子ども食堂",
        "こどもしょくどう",
        ["monthly", "monthly_2"],
        ["food", "exchange"],
        ["children", "parents"],
    ),
    "cafe": (
        10,
        "オレンジカフェ",
        "おれんじかふぇ",
        ["monthly", "weekly"],
        ["exchange", "consultation", "learning"],
        ["dementia", "elderly"],
    ),
    "engawa": (
        5,
        "まちの縁側",
        "まちのえんがわ",
        ["permanent", "weekly_several"],
        ["exchange", "consultation", "watching"],
        ["all"],
    ),
    "kosodate_hiroba": (
        8,
        "子育てひろば",
        "こそだてひろば",
        ["weekly_several", "weekly"],
        ["childcare", "consultation"],
        ["parents", "children"],
    ),
    "akiya": (
        5,
        "空き家の茶の間",
        "あきやのちゃのま",
        ["weekly"],
        ["exchange", "learning"],
        ["all"],
    ),
    "houjin_shisetsu": (
        5,
        "地域交流スペース",
        "ちいきこうりゅうすぺーす",
        ["weekly", "monthly_2"],
        ["exchange", "food"],
        ["all"],
    ),
}
OTHER_KINDS = {
    "volunteering": (30, "ボランティア活動", "ぼらんてぃあかつどう", ["role", "exchange"], ["all"]),
    "work_experience": (
        15,
        "就労体験",
        "しゅうろうたいけん",
        ["work"],
        ["youth", "working_age", "withdrawn"],
    ),
    "intermediate_work": (
        10,
        "中間的就労",
        "ちゅうかんてきしゅうろう",
        ["work", "role"],
        ["working_age", "withdrawn"],
    ),
    "agri_welfare": (
        8,
        "農福連携ファーム",
        "のうふくれんけいふぁーむ",
        ["work", "role"],
        ["disability", "withdrawn"],
    ),
    "corporate_role": (12, "地域公益活動", "ちいきこうえきかつどう", ["role", "work"], ["all"]),
    "study_support": (
        8,
        "学習支援教室",
        "がくしゅうしえんきょうしつ",
        ["study"],
        ["children", "youth"],
    ),
    "b_type": (10, "就労継続支援B型", "しゅうろうけいぞくしえんびーがた", ["work"], ["disability"]),
    "temp_housing": (
        2,
        "一時生活支援の住まい",
        "いちじせいかつしえんのすまい",
        ["consultation"],
        ["all"],
    ),
    "other": (5, "その他の社会資源", "そのたのしゃかいしげん", ["exchange"], ["all"]),
}
# Sessions a year by schedule (a permanent 縁側 opens most weekdays).
SESSIONS_A_YEAR = {
    "permanent": 240,
    "weekly_several": 100,
    "weekly": 48,
    "monthly_2": 24,
    "monthly": 12,
}
TAGS = [
    "料理",
    "園芸",
    "体操",
    "おしゃべり",
    "手芸",
    "囲碁",
    "子ども",
    "音楽",
    "農作業",
    "パソコン",
    "清掃",
    "接客",
]
OPERATORS = [("residents", 55), ("shakyo", 15), ("npo", 15), ("shafuku", 10), ("company", 5)]
DEFAULT_CENTRE = (139.55, 35.65)


def _place_tally(kind: str, size: float, rng) -> dict:
    """A session's anonymous tally: the demo's mix by kind of place, scaled by how busy it is."""
    from community.demo import _tally

    tally = _tally(kind, rng)
    if size != 1:
        tally = {f: int(v * size + rng.random()) for f, v in tally.items()}
    return tally


def generate_community(ctx: Ctx) -> None:
    """Resources (the demo's stay and are used too): places with a schedule, a CSW and years of
    sessions — a few very busy, a long tail of monthly salons — and the other resources 参加支援
    draws on, with a participation profile for most. Volunteers with training and hours at the
    places, and the platforms, courses and events with their sessions."""
    from agencies.models import Agency
    from community.models import Resource

    spheres, codes = _spheres()
    agency_by_code = dict(Agency.objects.values_list("code", "pk"))
    operating = {
        "shakyo": agency_by_code.get("shakyo"),
        "npo": agency_by_code.get("npo-ibasho"),
        "shafuku": agency_by_code.get("midori-fukushikai"),
    }
    shakyo = operating["shakyo"] or ctx.agencies[0][0]
    csws = [uid for uid, role in ctx.staff_by_agency.get(shakyo, []) if role == Role.CSW] or [
        uid for uid, _role in ctx.staff_by_agency.get(shakyo, [])
    ]
    existing = list(Resource.objects.values_list("pk", "public_id", "kind", "is_place", "status"))
    made = _resources(ctx, existing, spheres, codes, operating, csws)
    ctx.resource_rows = [(pk, str(pid), kind, status) for pk, pid, kind, _p, status in existing] + [
        (r.pk, str(r.public_id), r.kind, r.status) for r, _c, _u in made
    ]
    places = [(r, csw, until) for r, csw, until in made if r.is_place and r.status != "preparing"]
    busy = [min(20.0, ctx.rng.paretovariate(1.5)) for _ in places]
    houjin_staff = [uid for uid, _role in ctx.staff_by_agency.get(operating["shafuku"], [])]
    _sessions(ctx, places, busy, operating["shafuku"], houjin_staff)
    # Volunteers help at every running place, the busy new ones most.
    hosts = [
        (pk, 1.0)
        for pk, _pid, _kind, is_place, status in existing
        if is_place and status == "active"
    ]
    hosts += [(r.pk, busy[k]) for k, (r, _c, _u) in enumerate(places)]
    _volunteers(ctx, hosts, shakyo, operating["npo"] or shakyo, csws, spheres)
    _programs(ctx, shakyo, csws, [pk for pk, _d in spheres])


def _resources(ctx: Ctx, existing, spheres, codes, operating, csws) -> list:
    """New resources, each as (resource, its CSW, the last day it held sessions)."""
    from community.choices import PLACE_KINDS as PLACE_KIND_CODES
    from community.demo import CENTRES
    from community.models import Resource
    from participation.choices import Interest
    from participation.models import ResourceProfile
    from participation.selectors_matching import KIND_ACTIVITIES, PAID_KINDS

    from .core import TODAY, at

    rng, w = ctx.rng, ctx.writer
    n_places = ctx.n("places")
    n_other = max(0, ctx.n("resources") - n_places)
    place_kinds = list(PLACE_KINDS)
    other_kinds = list(OTHER_KINDS)
    interests = list(Interest.values)
    made = []
    for i in range(n_places + n_other):
        is_place = i < n_places
        if is_place:
            kind = rng.choices(place_kinds, weights=[PLACE_KINDS[k][0] for k in place_kinds])[0]
            _wt, label, kana, schedules, functions, targets = PLACE_KINDS[kind]
            schedule = rng.choice(schedules)
        else:
            kind = rng.choices(other_kinds, weights=[OTHER_KINDS[k][0] for k in other_kinds])[0]
            _wt, label, kana, functions, targets = OTHER_KINDS[kind]
            schedule = rng.choice(["weekly", "weekly_several", "by_arrangement", "irregular"])
        sphere, districts = rng.choice(spheres) if spheres else (None, [])
        district = rng.choice(districts) if districts else None
        lon, lat = CENTRES.get(codes.get(district), DEFAULT_CENTRE)
        op_kind = rng.choices([o[0] for o in OPERATORS], weights=[o[1] for o in OPERATORS])[0]
        if kind == "houjin_shisetsu":
            op_kind = "shafuku"
        started = dt.date(2012, 4, 1) + dt.timedelta(days=int(rng.random() ** 0.6 * 5200))
        started = min(started, TODAY - dt.timedelta(days=30))
        status = rng.choices(["active", "preparing", "paused", "closed"], weights=[85, 4, 5, 6])[0]
        ended = TODAY - dt.timedelta(days=rng.randint(30, 900)) if status == "closed" else None
        if ended is not None and ended < started:
            ended = started + dt.timedelta(days=30)
        csw = rng.choice(csws) if csws else None
        town = rng.choice(TOWNS)
        r = w.add(
            Resource(
                name=f"{town}{label} {i + 1:04d}",
                kana=f"{kana} {i + 1:04d}",
                kind=kind,
                is_place=is_place and kind in PLACE_KIND_CODES,
                operator_name=f"{town}{'町会' if op_kind == 'residents' else 'の会'}",
                operator_kind=op_kind,
                resident_run=op_kind == "residents",
                operating_agency_id=operating.get(op_kind),
                contact_name=f"{rng.choice(SURNAMES)[0]}(代表)",
                contact_phone=f"0120-{rng.randint(10, 99)}-{rng.randint(0, 9999):04d}",
                area_id=sphere,
                small_area_id=district,
                address=f"みどり市{town}{rng.randint(1, 9)}-{rng.randint(1, 20)}",
                latitude=Decimal(f"{lat + rng.uniform(-0.012, 0.012):.6f}"),
                longitude=Decimal(f"{lon + rng.uniform(-0.02, 0.02):.6f}"),
                schedule=schedule,
                schedule_note="毎週水曜 10時〜12時"
                if schedule == "weekly"
                else "第2土曜 11時〜14時",
                capacity=rng.choice([5, 10, 15, 20, 30, 40]),
                target_groups=targets,
                mixes_generations="all" in targets,
                functions=functions,
                min_age=18 if kind in ("work_experience", "intermediate_work", "b_type") else None,
                cost_yen=rng.choice([0, 0, 100, 200, 300]),
                activities="お茶とおしゃべり、季節の行事、簡単な体操や手仕事",
                interest_tags=rng.sample(TAGS, 2),
                accepts_helpers=rng.random() < 0.5,
                helper_roles="受付、配膳、片付け",
                host_experience=["withdrawal"] if rng.random() < 0.2 else [],
                csw_id=csw,
                funding_sources=rng.sample(
                    ["kyodo_bokin", "subsidy", "fees", "donation", "shakyo_grant"], 2
                ),
                start_date=started,
                end_date=ended,
                status=status,
                created_by_id=csw,
                created_at=at(started, rng),
            )
        )
        if not is_place or rng.random() < 0.3:
            base = KIND_ACTIVITIES.get(kind) or tuple(rng.sample(interests, 2))
            opens = rng.choice([9, 10, 13])
            w.add(
                ResourceProfile(
                    resource_id=r.pk,
                    activities=sorted(set(base) | {rng.choice(interests)}),
                    days=sorted(rng.sample(range(7), rng.randint(1, 5))),
                    opens=dt.time(opens),
                    closes=dt.time(opens + rng.choice([2, 3, 4])),
                    hours_per_session=Decimal(rng.choice(["2.0", "3.0", "4.0"])),
                    bus_lines="、".join(rng.sample(BUS_LINES, rng.randint(0, 2))),
                    accepts_users=rng.random() < 0.9,
                    small_group=rng.random() < 0.4,
                    paid=kind in PAID_KINDS,
                    physical=rng.choice(["light", "moderate", "moderate", "heavy"]),
                    updated_by_id=csw,
                )
            )
        until = ended or (
            TODAY - dt.timedelta(days=rng.randint(60, 200)) if status == "paused" else TODAY
        )
        made.append((r, csw, until))
    w.flush(Resource)
    w.flush(ResourceProfile)
    return made


def _sessions(ctx: Ctx, places, busy, houjin, houjin_staff) -> None:
    """Sessions of the new places: a place's share grows with its rhythm, its years
    open and how busy it is; its tally grows with how busy it is."""
    from community.choices import AGE_BANDS
    from community.models import Session

    from .core import TODAY, at

    rng, w = ctx.rng, ctx.writer
    first_day = TODAY - dt.timedelta(days=4 * 365)
    spans = [max(1, (until - max(r.start_date, first_day)).days) for r, _c, until in places]
    weights = [
        SESSIONS_A_YEAR.get(r.schedule, 6) * spans[k] / 365 * busy[k]
        for k, (r, _c, _u) in enumerate(places)
    ]
    total = sum(weights) or 1
    budget = ctx.n("sessions")
    for k, (r, csw, until) in enumerate(places):
        start = max(r.start_date, first_day)
        count = 0 if until <= start else min(spans[k], max(1, round(budget * weights[k] / total)))
        size = min(4.0, 0.6 + busy[k] / 4)
        recorder = (
            rng.choice(houjin_staff) if houjin_staff and r.operating_agency_id == houjin else csw
        )
        for j in range(count):
            day = start + dt.timedelta(days=spans[k] * j // count)
            tally = _place_tally(r.kind, size, rng)
            total_people = sum(tally[f] for f, _l in AGE_BANDS)
            volunteers = max(1, int(rng.randint(1, 5) * size))
            w.add(
                Session(
                    resource_id=r.pk,
                    held_on=day,
                    participants=total_people,
                    new_participants=min(total_people, rng.randint(0, 2)),
                    volunteers=volunteers,
                    volunteer_hours=Decimal(volunteers * rng.choice([2, 3, 4])),
                    became_helpers=1 if total_people and rng.random() < 0.03 else 0,
                    consultations=1 if rng.random() < 0.08 else 0,
                    recorded_by_id=recorder or csw,
                    recorded_at=at(day, rng),
                    **tally,
                )
            )
    w.flush(Session)


def _volunteers(ctx: Ctx, hosts, shakyo, npo, csws, spheres) -> None:
    from community.demo import SKILLS
    from community.models import Volunteer, VolunteerActivity, VolunteerTraining

    from .core import TODAY, at, past_date

    rng, w = ctx.rng, ctx.writer
    n = ctx.n("volunteers")
    if not hosts or not csws:
        return
    areas = Volunteer.areas.through
    hours_each = _spread(rng, n, ctx.n("volunteer_activities"), 1.6)
    place_ids, busy = [h[0] for h in hosts], [h[1] for h in hosts]
    for i in range(n):
        sur, sur_kana, _ = rng.choices(SURNAMES, weights=[s[2] for s in SURNAMES])[0]
        given, given_kana, _sex = rng.choice(GIVEN)
        registered = past_date(rng, years=10, recent_bias=1.2)
        supported = rng.random() < 0.01
        v = w.add(
            Volunteer(
                name=f"{sur} {given}",
                kana=f"{sur_kana} {given_kana}",
                phone=f"090-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}",
                skills=rng.sample(SKILLS, 2),
                availability=rng.choice(["平日午前", "平日午後", "土日", "月1回程度", "いつでも"]),
                registered_on=registered,
                active=rng.random() < 0.85,
                coordinator_agency_id=shakyo if rng.random() < 0.8 else npo,
                was_supported=supported,
                path_consent_on=registered if supported else None,
                path_note="以前は相談支援を受けていた。本人の希望で居場所の受付を担当。"
                if supported
                else "",
                created_by_id=rng.choice(csws),
                created_at=at(registered, rng),
            )
        )
        if spheres:
            sphere, districts = rng.choice(spheres)
            for area_id in [sphere, *districts[:1]]:
                w.add(areas(volunteer_id=v.pk, area_id=area_id))
        for kind in rng.sample(
            ["supporter", "listening", "college", "dementia", "first_aid"], rng.randint(1, 2)
        ):
            w.add(
                VolunteerTraining(
                    volunteer_id=v.pk,
                    kind=kind,
                    taken_on=min(TODAY, registered + dt.timedelta(days=rng.randint(0, 120))),
                )
            )
        home = rng.choices(place_ids, weights=busy, k=2)
        for _ in range(hours_each[i]):
            w.add(
                VolunteerActivity(
                    volunteer_id=v.pk,
                    resource_id=rng.choice(home),
                    # Not before the volunteer's registration (the model's rule).
                    done_on=max(registered, TODAY - dt.timedelta(days=rng.randint(1, 720))),
                    hours=Decimal(rng.choice([2, 3, 4])),
                    description=rng.choice(["受付", "調理・配膳", "見守り", "片付け", "送迎"]),
                )
            )
    w.flush()


def _programs(ctx: Ctx, shakyo, csws, spheres) -> None:
    from community.models import Program, ProgramSession

    from .core import TODAY

    rng, w = ctx.rng, ctx.writer
    if not csws:
        return
    kinds = [
        ("platform", "地域支え合い会議", 91),
        ("course", "サポーター養成講座", 14),
        ("awareness", "認知症サポーター養成講座", 60),
    ]
    for i in range(ctx.n("programs")):
        kind, label, every = kinds[i % len(kinds)]
        started = TODAY - dt.timedelta(days=rng.randint(60, 6 * 365))
        author = rng.choice(csws)
        p = w.add(
            Program(
                kind=kind,
                name=f"{label} 第{i + 1}期" if kind == "course" else f"{label} {i + 1:03d}",
                purpose="地域の課題を話し合い、解決の担い手をつくる。",
                area_id=rng.choice(spheres) if spheres and kind == "platform" else None,
                organiser_id=shakyo,
                members="自治会連合会\n民生委員児童委員協議会\n地域包括支援センター",
                started_on=started,
                active=kind != "course",
                created_by_id=author,
            )
        )
        sessions = 6 if kind == "course" else min(24, (TODAY - started).days // every)
        for k in range(max(1, sessions)):
            w.add(
                ProgramSession(
                    program_id=p.pk,
                    held_on=min(TODAY, started + dt.timedelta(days=k * every)),
                    title="定例会" if kind == "platform" else f"第{k + 1}回",
                    participants=rng.randint(12, 60),
                    organisations=rng.randint(1, 14),
                    minutes="各地区の居場所の状況を共有。担い手の高齢化と会場の確保が課題。",
                    recorded_by_id=author,
                )
            )
    w.flush()

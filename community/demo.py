"""Demo data for community work in みどり市 (fictional, deterministic through ctx["rng"] and
relative to today): 40 places across the three 圏域 with a year of sessions, 60 volunteers, two
platforms and a 「子ども食堂を作ろう」 course, agreements with companies, community issues that
became places (one from a case), 気づき from a 縁側 that led to a consultation, and the city's
boundaries for the area view. A 社会福祉法人 (みどり福祉会) operates some places; its staff
member "houjin1" can log their sessions."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from agencies.choices import AgencyKind, OperatorType, Role
from agencies.models import Agency, Area, Membership, User

from .choices import AGE_BANDS, ATTRIBUTES, SCHEDULE_EXPECTED_GAP_WEEKS
from .maps import import_shapes
from .models import (
    Agreement,
    CommunityIssue,
    IssueAction,
    PlaceConcern,
    Program,
    ProgramSession,
    Resource,
    Session,
    Volunteer,
    VolunteerActivity,
    VolunteerTraining,
)

DISTRICTS = [
    ("north-2", "北山地区", "きたやまちく", "north"),
    ("central-2", "本町地区", "ほんまちちく", "central"),
    ("south-2", "南台地区", "みなみだいちく", "south"),
]

# Rough centres (lon, lat) of each 小地域 in the demo boundaries (community/data/).
CENTRES = {
    "north-1": (139.525, 35.683),
    "north-2": (139.575, 35.683),
    "central-1": (139.525, 35.650),
    "central-2": (139.575, 35.650),
    "south-1": (139.525, 35.616),
    "south-2": (139.575, 35.616),
}

# name, kana, kind, operator kind, operator, district, schedule, functions, targets, mixes
# fmt: off
PLACES = [
    ("若葉ふれあいサロン", "わかばふれあいさろん", "salon", "residents", "若葉町会", "north-1", "monthly_2", ["exchange", "prevention"], ["elderly"], False),
    ("北山いきいき体操", "きたやまいきいきたいそう", "kayoi", "residents", "北山体操の会", "north-2", "weekly", ["prevention", "exchange"], ["elderly"], False),
    ("わかば子ども食堂", "わかばこどもしょくどう", "shokudo", "residents", "わかば食堂の会", "north-1", "monthly", ["food", "exchange"], ["children", "parents"], True),
    ("まちの縁側 きたやま", "まちのえんがわきたやま", "engawa", "npo", "NPO法人 まちの縁側みどり", "north-2", "permanent", ["exchange", "consultation", "watching"], ["all"], True),
    ("北部オレンジカフェ", "ほくぶおれんじかふぇ", "cafe", "shafuku", "社会福祉法人 みどり福祉会", "north-1", "monthly", ["exchange", "consultation", "learning"], ["dementia", "elderly"], False),
    ("若葉子育てひろば", "わかばこそだてひろば", "kosodate_hiroba", "npo", "NPO法人 すくすく", "north-1", "weekly_several", ["childcare", "consultation"], ["parents", "children"], False),
    ("北山空き家サロン", "きたやまあきやさろん", "akiya", "residents", "北山の家を活かす会", "north-2", "weekly", ["exchange", "learning"], ["all"], True),
    ("みどり苑 地域交流スペース", "みどりえんちいきこうりゅうすぺーす", "houjin_shisetsu", "shafuku", "社会福祉法人 みどり福祉会", "north-2", "weekly", ["exchange", "food"], ["all"], True),
    ("北部ゆうゆう麻雀", "ほくぶゆうゆうまーじゃん", "salon", "residents", "ゆうゆう会", "north-1", "weekly", ["exchange", "prevention"], ["elderly"], False),
    ("わかば学習室", "わかばがくしゅうしつ", "salon", "npo", "NPO法人 まなびや", "north-2", "weekly", ["study", "exchange"], ["children", "youth"], True),
    ("北山男の料理教室", "きたやまおとこのりょうりきょうしつ", "salon", "residents", "北山町会", "north-2", "monthly", ["food", "learning", "exchange"], ["elderly", "working_age"], False),
    ("若葉ふれあい農園", "わかばふれあいのうえん", "salon", "residents", "若葉農園クラブ", "north-1", "monthly_2", ["exchange", "work", "role"], ["all"], True),
    ("北部シニアの通いの場", "ほくぶしにあのかよいのば", "kayoi", "shakyo", "みどり市社会福祉協議会", "north-2", "weekly", ["prevention"], ["elderly"], False),
    ("駅前コミュニティカフェ", "えきまえこみゅにてぃかふぇ", "cafe", "npo", "NPO法人 まちの縁側みどり", "central-1", "weekly_several", ["exchange", "work", "role"], ["all"], True),
    ("本町ふれあいサロン", "ほんまちふれあいさろん", "salon", "residents", "本町町会", "central-2", "monthly_2", ["exchange"], ["elderly"], False),
    ("駅前みんな食堂", "えきまえみんなしょくどう", "shokudo", "residents", "駅前食堂の会", "central-1", "monthly_2", ["food", "exchange"], ["all"], True),
    ("まちの縁側 ほんまち", "まちのえんがわほんまち", "engawa", "residents", "本町縁側の会", "central-2", "permanent", ["exchange", "consultation", "watching"], ["all"], True),
    ("中部いきいき体操", "ちゅうぶいきいきたいそう", "kayoi", "residents", "中部体操の会", "central-1", "weekly", ["prevention"], ["elderly"], False),
    ("本町オレンジカフェ", "ほんまちおれんじかふぇ", "cafe", "shakyo", "みどり市社会福祉協議会", "central-2", "monthly", ["consultation", "learning"], ["dementia"], False),
    ("駅前子育てサロン", "えきまえこそだてさろん", "kosodate_hiroba", "residents", "子育てサロンの会", "central-1", "monthly_2", ["childcare", "exchange"], ["parents"], False),
    ("本町空き家カフェ", "ほんまちあきやかふぇ", "akiya", "npo", "NPO法人 まちの縁側みどり", "central-2", "weekly", ["exchange", "work"], ["all"], True),
    ("中部障がい者交流会", "ちゅうぶしょうがいしゃこうりゅうかい", "salon", "npo", "NPO法人 ともに", "central-1", "monthly", ["exchange", "role"], ["disability"], True),
    ("本町の囲碁将棋クラブ", "ほんまちのいごしょうぎくらぶ", "salon", "residents", "本町囲碁会", "central-2", "weekly", ["exchange"], ["elderly"], False),
    ("駅前ユースの居場所", "えきまえゆーすのいばしょ", "salon", "npo", "NPO法人 あしたば", "central-1", "weekly", ["exchange", "consultation", "study"], ["youth", "withdrawn"], False),
    ("中部お茶っこの会", "ちゅうぶおちゃっこのかい", "salon", "residents", "中部町会", "central-2", "odd_months", ["exchange"], ["elderly"], False),
    ("駅前多文化サロン", "えきまえたぶんかさろん", "salon", "npo", "NPO法人 にじ", "central-1", "monthly", ["exchange", "learning"], ["foreign", "all"], True),
    ("川辺ふれあいサロン", "かわべふれあいさろん", "salon", "residents", "川辺町会", "south-1", "monthly_2", ["exchange", "prevention"], ["elderly"], False),
    ("南台いきいき体操", "みなみだいいきいきたいそう", "kayoi", "residents", "南台体操の会", "south-2", "weekly", ["prevention"], ["elderly"], False),
    ("まちの縁側 かわべ", "まちのえんがわかわべ", "engawa", "npo", "NPO法人 まちの縁側みどり", "south-1", "permanent", ["exchange", "consultation", "watching"], ["all"], True),
    ("南部オレンジカフェ", "なんぶおれんじかふぇ", "cafe", "shafuku", "社会福祉法人 みどり福祉会", "south-2", "monthly", ["consultation", "learning"], ["dementia"], False),
    ("川辺子育てひろば", "かわべこそだてひろば", "kosodate_hiroba", "shakyo", "みどり市社会福祉協議会", "south-1", "weekly_several", ["childcare"], ["parents"], False),
    ("南台みんなの台所", "みなみだいみんなのだいどころ", "shokudo", "residents", "南台台所の会", "south-2", "monthly", ["food", "exchange"], ["all"], True),
    ("川辺空き家の茶の間", "かわべあきやのちゃのま", "akiya", "residents", "川辺の茶の間", "south-1", "weekly", ["exchange"], ["all"], True),
    ("みどり苑南 交流ホール", "みどりえんみなみこうりゅうほーる", "houjin_shisetsu", "shafuku", "社会福祉法人 みどり福祉会", "south-2", "monthly_2", ["exchange", "food"], ["all"], True),
    ("南部男性の居場所", "なんぶだんせいのいばしょ", "salon", "residents", "南部男の会", "south-1", "monthly", ["exchange", "role"], ["elderly", "working_age"], False),
    ("南台読み聞かせの会", "みなみだいよみきかせのかい", "salon", "residents", "南台おはなし会", "south-2", "monthly", ["learning", "childcare"], ["children"], True),
    ("川辺ひきこもり家族会", "かわべひきこもりかぞくかい", "salon", "npo", "NPO法人 あしたば", "south-1", "monthly", ["consultation", "learning"], ["withdrawn"], False),
    ("南部ふれあい農園", "なんぶふれあいのうえん", "salon", "shafuku", "社会福祉法人 みどり福祉会", "south-2", "weekly", ["work", "role", "exchange"], ["all", "withdrawn"], True),
]
# fmt: on
# The two 子ども食堂 born of the course (山形/玉村 in the seeds; fictional names here).
COURSE_SHOKUDO = [
    ("やまなみ子ども食堂", "やまなみこどもしょくどう", "north-2"),
    ("たまがわ子ども食堂", "たまがわこどもしょくどう", "south-1"),
]
SKILLS = [
    "料理",
    "配膳",
    "傾聴",
    "送迎",
    "子どもの見守り",
    "体操指導",
    "パソコン",
    "園芸",
    "将棋",
    "読み聞かせ",
    "手話",
    "事務",
]
SURNAMES = [
    "青木",
    "石田",
    "上野",
    "江口",
    "大西",
    "小川",
    "加藤",
    "木下",
    "久保",
    "小林",
    "斉藤",
    "佐野",
    "島田",
    "杉山",
    "関",
    "高木",
    "田村",
    "土屋",
    "中川",
    "西村",
]
GIVEN = ["明美", "和夫", "久美子", "勇", "節子", "健一", "直子", "博", "由美", "茂"]


def _month_days(today: dt.date, months: int):
    y, m = today.year, today.month
    for _ in range(months):
        yield y, m
        m -= 1
        if m == 0:
            y, m = y - 1, 12


def _session_days(schedule: str, start: dt.date, today: dt.date, rng) -> list[dt.date]:
    weeks = SCHEDULE_EXPECTED_GAP_WEEKS.get(schedule) or 4
    step = 7 if schedule in ("weekly", "weekly_several", "permanent") else weeks * 7
    if schedule == "monthly_2":
        step = 14
    days, d = [], max(start, today - dt.timedelta(days=364))
    d += dt.timedelta(days=rng.randrange(step))
    while d <= today:
        if rng.random() > 0.06:  # a session now and then is cancelled
            days.append(d)
        d += dt.timedelta(days=step)
    return days


def _tally(kind: str, rng) -> dict:
    base = {f: 0 for f, _l in AGE_BANDS + ATTRIBUTES}
    if kind in ("shokudo", "kosodate_hiroba"):
        base.update(
            age_under10=rng.randint(6, 20),
            age_10s=rng.randint(0, 6),
            age_30s=rng.randint(2, 8),
            age_40s=rng.randint(0, 4),
            age_70s=rng.randint(0, 4),
        )
        base["attr_child"] = base["age_under10"] + base["age_10s"] + base["age_30s"]
        base["attr_elderly"] = base["age_70s"]
    elif kind in ("engawa", "cafe", "akiya", "houjin_shisetsu"):
        for f in (
            "age_under10",
            "age_10s",
            "age_20s",
            "age_40s",
            "age_60s",
            "age_70s",
            "age_80plus",
        ):
            base[f] = rng.randint(0, 5)
        base["attr_elderly"] = base["age_70s"] + base["age_80plus"]
        base["attr_child"] = base["age_under10"]
        base["attr_youth"] = base["age_10s"] + base["age_20s"]
        base["attr_disability"] = rng.randint(0, 2)
        base["attr_other"] = base["age_40s"] + base["age_60s"]
    else:
        base.update(
            age_60s=rng.randint(0, 4), age_70s=rng.randint(3, 12), age_80plus=rng.randint(1, 6)
        )
        base["attr_elderly"] = base["age_70s"] + base["age_80plus"] + base["age_60s"]
    return base


def _session(resource, day, user, rng) -> Session:
    tally = _tally(resource.kind, rng)
    total = sum(tally[f] for f, _l in AGE_BANDS)
    volunteers = rng.randint(1, 5)
    return Session(
        resource=resource,
        held_on=day,
        participants=total,
        new_participants=min(total, rng.randint(0, 2)),
        volunteers=volunteers,
        volunteer_hours=Decimal(volunteers * rng.choice([2, 3, 4])),
        became_helpers=1 if total and rng.random() < 0.03 else 0,
        consultations=1 if rng.random() < 0.08 else 0,
        recorded_by=user,
        **tally,
    )


def seed(ctx: dict) -> None:
    rng = ctx["rng"]
    today = timezone.localdate()
    agencies, users, areas = ctx["agencies"], ctx["users"], ctx["areas"]
    for code, name, kana, parent in DISTRICTS:
        areas[code] = Area.objects.create(
            code=code,
            name=name,
            kana=kana,
            level=Area.Level.DISTRICT,
            parent=areas[parent],
            sort_order=areas[f"{parent}-1"].sort_order,
        )
    import_shapes(
        (settings.BASE_DIR / "community" / "data" / "midori_areas.geojson").read_bytes(),
        source_name="midori_areas.geojson",
    )
    houjin = Agency.objects.create(
        code="midori-fukushikai",
        name="社会福祉法人 みどり福祉会",
        kana="しゃかいふくしほうじんみどりふくしかい",
        short_name="みどり福祉会",
        kind=AgencyKind.SHAFUKU,
        operator_type=OperatorType.OTHER,
        operator="社会福祉法人 みどり福祉会",
        programmes=[],
        area=areas["south"],
        address="みどり市南台3-1",
        phone="0120-00-0900",
    )
    agencies[houjin.code] = houjin
    houjin1 = User.objects.create_user(
        username="houjin1",
        password=settings.DEMO_PASSWORD,
        display_name="福井 和也",
        kana="ふくい かずや",
        staff_number="H0001",
        email="houjin1@example.jp",
    )
    Membership.objects.create(
        user=houjin1, agency=houjin, role=Role.CASEWORKER, start_date=dt.date(2024, 4, 1)
    )
    users["houjin1"] = houjin1
    shakyo, npo = agencies["shakyo"], agencies["npo-ibasho"]
    csw_by_sphere = {
        "north": users["csw-north"],
        "central": users["suishin2"],
        "south": users["csw-south"],
    }

    # Platforms and the course
    platforms = []
    for name, sphere in (("北部 地域支え合い会議", "north"), ("南部 地域支え合い会議", "south")):
        platforms.append(
            Program.objects.create(
                kind="platform",
                name=name,
                purpose="圏域の住民・団体・事業者・専門職が地域の課題を話し合い、解決の担い手をつくる(第2層協議体)。",
                area=areas[sphere],
                organiser=shakyo,
                members="自治会連合会\n民生委員児童委員協議会\n地域包括支援センター\n社会福祉法人 みどり福祉会\nNPO法人 まちの縁側みどり\nみどり生協",
                started_on=dt.date(2024, 6, 1),
                created_by=csw_by_sphere[sphere],
            )
        )
    course = Program.objects.create(
        kind="course",
        name="子ども食堂を作ろう",
        purpose="子ども食堂の立ち上げに関心のある住民向けの連続講座(衛生、会場、食材、運営の実例)。",
        organiser=shakyo,
        members="みどり市社会福祉協議会\n市 子ども家庭支援センター\n保健センター",
        started_on=today - dt.timedelta(days=300),
        active=False,
        created_by=users["suishin2"],
    )
    awareness = Program.objects.create(
        kind="awareness",
        name="認知症サポーター養成講座",
        organiser=shakyo,
        started_on=dt.date(2024, 4, 1),
        created_by=users["csw-north"],
    )
    program_sessions = []
    for platform in platforms:
        for y, m in list(_month_days(today, 12))[::3]:
            program_sessions.append(
                ProgramSession(
                    program=platform,
                    held_on=dt.date(y, m, 15) if dt.date(y, m, 15) <= today else dt.date(y, m, 1),
                    title="定例会",
                    participants=rng.randint(14, 26),
                    organisations=rng.randint(8, 14),
                    minutes="各地区の居場所の状況を共有。担い手の高齢化と会場の確保が課題。",
                    issues_raised="買い物に行けない高齢者が増えている\n若い世代の担い手が少ない",
                    recorded_by=platform.created_by,
                )
            )
    course_days = [today - dt.timedelta(days=290), today - dt.timedelta(days=276)]
    for n, day in enumerate(course_days):
        program_sessions.append(
            ProgramSession(
                program=course,
                held_on=day,
                title=["立ち上げの実例と心構え", "衛生・食材・会場"][n],
                participants=[70, 52][n],
                organisations=[12, 9][n],
                minutes="市内外の子ども食堂運営者から実例を聞き、グループで地域の候補会場を話し合った。",
                issues_raised="会場の確保、食材の調達、衛生講習の受講",
                recorded_by=users["suishin2"],
            )
        )
    for y, m in list(_month_days(today, 12))[::2]:
        program_sessions.append(
            ProgramSession(
                program=awareness,
                held_on=dt.date(y, m, 1),
                participants=rng.randint(15, 40),
                organisations=rng.randint(1, 4),
                recorded_by=users["csw-north"],
            )
        )
    ProgramSession.objects.bulk_create(program_sessions)
    lecture = course.sessions.order_by("held_on").first()

    # Places
    resources = []
    for n, (
        name,
        kana,
        kind,
        op_kind,
        operator,
        district,
        schedule,
        functions,
        targets,
        mixes,
    ) in enumerate(PLACES):
        sphere = district.split("-")[0]
        lon, lat = CENTRES[district]
        start = dt.date(2019 + n % 6, 4 + n % 9, 1)
        if n % 13 == 5:
            start = today - dt.timedelta(days=120 + n)  # a few are new this year
        operating = {"npo": npo, "shafuku": houjin, "shakyo": shakyo}.get(op_kind)
        resources.append(
            Resource(
                name=name,
                kana=kana,
                kind=kind,
                is_place=True,
                operator_name=operator,
                operator_kind=op_kind,
                resident_run=op_kind == "residents",
                operating_agency=operating,
                contact_name=f"{SURNAMES[n % len(SURNAMES)]}(代表)",
                contact_phone=f"0120-11-{n:04d}",
                area=areas[sphere],
                small_area=areas[district],
                address=f"みどり市{areas[district].name.replace('地区', '')}{n % 5 + 1}-{n % 7 + 2}",
                latitude=Decimal(str(round(lat + rng.uniform(-0.011, 0.011), 6))),
                longitude=Decimal(str(round(lon + rng.uniform(-0.018, 0.018), 6))),
                schedule=schedule,
                schedule_note={
                    "permanent": "月〜土 10時〜16時",
                    "weekly": "毎週水曜 10時〜12時",
                }.get(schedule, "第2土曜 11時〜14時"),
                capacity=rng.choice([15, 20, 30, 40]),
                target_groups=targets,
                mixes_generations=mixes,
                functions=functions,
                cost_yen=rng.choice([0, 100, 200, 300]),
                activities="お茶とおしゃべり、季節の行事、簡単な体操や手仕事",
                interest_tags=rng.sample(
                    ["料理", "園芸", "体操", "おしゃべり", "手芸", "囲碁", "子ども", "音楽"], 2
                ),
                accepts_helpers=mixes or kind in ("shokudo", "cafe"),
                helper_roles="受付、配膳、片付け、子どもの見守り" if mixes else "",
                host_experience=["withdrawal"] if kind in ("engawa", "akiya") else [],
                csw=csw_by_sphere[sphere],
                shafuku_involvement="operates"
                if op_kind == "shafuku"
                else ("venue" if n % 7 == 3 else ""),
                shafuku_name="社会福祉法人 みどり福祉会"
                if op_kind == "shafuku" or n % 7 == 3
                else "",
                funding_sources=rng.sample(
                    ["kyodo_bokin", "subsidy", "fees", "donation", "furusato", "shakyo_grant"], 2
                ),
                start_date=start,
                status="active" if n != 24 else "paused",
                created_by=csw_by_sphere[sphere],
            )
        )
    for name, kana, district in COURSE_SHOKUDO:
        sphere = district.split("-")[0]
        lon, lat = CENTRES[district]
        resources.append(
            Resource(
                name=name,
                kana=kana,
                kind="shokudo",
                operator_name=f"{name}実行委員会",
                operator_kind="residents",
                resident_run=True,
                area=areas[sphere],
                small_area=areas[district],
                address=f"みどり市{areas[district].name.replace('地区', '')}2-8 集会所",
                latitude=Decimal(str(round(lat + 0.004, 6))),
                longitude=Decimal(str(round(lon - 0.006, 6))),
                schedule="monthly",
                schedule_note="第3土曜 11時〜14時",
                capacity=40,
                target_groups=["children", "parents"],
                mixes_generations=True,
                functions=["food", "exchange"],
                cost_yen=0,
                accepts_helpers=True,
                helper_roles="調理、配膳、学習の見守り",
                csw=csw_by_sphere[sphere],
                funding_sources=["kyodo_bokin", "donation"],
                start_date=today - dt.timedelta(days=200),
                origin_program=course,
                created_by=users["suishin2"],
            )
        )
    Resource.objects.bulk_create(resources)
    resources = list(Resource.objects.order_by("pk"))

    # A year of sessions (the paused place stopped three months ago: the reminder rule shows it)
    sessions = []
    for r in resources:
        recorder = houjin1 if r.operating_agency_id == houjin.pk else (r.csw or users["suishin2"])
        last = today - dt.timedelta(days=95) if r.status == "paused" else today
        for day in _session_days(r.schedule, r.start_date, last, rng):
            sessions.append(_session(r, day, recorder, rng))
    Session.objects.bulk_create(sessions, batch_size=1000)

    # Volunteers
    volunteers = []
    for n in range(60):
        sphere = ("north", "central", "south")[n % 3]
        volunteers.append(
            Volunteer(
                name=f"{SURNAMES[n % 20]} {GIVEN[(n * 7) % 10]}",
                kana="",
                phone=f"090-0000-{n:04d}",
                skills=rng.sample(SKILLS, 2),
                availability=rng.choice(["平日午前", "平日午後", "土日", "月1回程度", "いつでも"]),
                # A year before today at the latest: their training (the course a year back)
                # and activities (the last 330 days) come after they registered.
                registered_on=min(dt.date(2020 + n % 6, 1 + n % 12, 1), today - dt.timedelta(365)),
                active=n % 11 != 0,
                coordinator_agency=shakyo if n % 4 else npo,
                was_supported=n in (7, 31),
                path_consent_on=today - dt.timedelta(days=60) if n in (7, 31) else None,
                path_note="以前は相談支援を受けていた。本人の希望で居場所の受付を担当。"
                if n in (7, 31)
                else "",
                created_by=csw_by_sphere[sphere],
            )
        )
    Volunteer.objects.bulk_create(volunteers)
    volunteers = list(Volunteer.objects.order_by("pk"))
    for n, v in enumerate(volunteers):
        sphere = ("north", "central", "south")[n % 3]
        v.areas.set([areas[sphere], areas[f"{sphere}-{1 + n % 2}"]])
    trainings, activities = [], []
    kinds = ["supporter", "listening", "college", "dementia", "first_aid"]
    for n, v in enumerate(volunteers):
        trainings.append(
            VolunteerTraining(
                volunteer=v, kind=kinds[n % 5], taken_on=v.registered_on + dt.timedelta(days=30)
            )
        )
        if n < 12:
            trainings.append(
                VolunteerTraining(
                    volunteer=v, kind="shokudo", taken_on=lecture.held_on, program_session=lecture
                )
            )
    VolunteerTraining.objects.bulk_create(trainings)
    by_sphere = {}
    for r in resources:
        by_sphere.setdefault(r.area_id, []).append(r)
    for n, v in enumerate(volunteers):
        sphere = ("north", "central", "south")[n % 3]
        places = by_sphere[areas[sphere].pk]
        if n < 12:  # course graduates help at the two new 子ども食堂
            places = [r for r in resources if r.origin_program_id == course.pk][n % 2 : n % 2 + 1]
        for _k in range(rng.randint(2, 8)):
            activities.append(
                VolunteerActivity(
                    volunteer=v,
                    resource=rng.choice(places),
                    done_on=today - dt.timedelta(days=rng.randint(1, 330)),
                    hours=Decimal(rng.choice([2, 3, 4])),
                    description=rng.choice(["受付", "調理・配膳", "見守り", "片付け", "送迎"]),
                )
            )
    VolunteerActivity.objects.bulk_create(activities)

    # Agreements
    Agreement.objects.bulk_create(
        [
            Agreement(
                partner_name="みどり生活協同組合",
                partner_kind="coop",
                kind="mimamori",
                title="地域見守り活動に関する協定",
                our_agency=agencies["fukushi-soudan"],
                signed_on=dt.date(2023, 10, 1),
                contact_name="地域貢献担当",
                partner_does="配達時に異変(新聞・郵便物がたまる等)に気づいたら市に連絡する。",
                we_do="連絡を受けて安否確認を行い、必要な支援につなぐ。",
                created_by=users["suishin1"],
            ),
            Agreement(
                partner_name="みどり新聞販売店会",
                partner_kind="company",
                kind="mimamori",
                title="高齢者等の見守りに関する協定",
                our_agency=agencies["fukushi-soudan"],
                signed_on=dt.date(2024, 7, 1),
                partner_does="配達時の見守りと連絡。",
                we_do="連絡先の周知と研修。",
                created_by=users["suishin1"],
            ),
            Agreement(
                partner_name="フードバンクみどり",
                partner_kind="npo",
                kind="food_bank",
                our_agency=shakyo,
                signed_on=dt.date(2024, 4, 1),
                partner_does="子ども食堂・地域食堂への食品の提供。",
                we_do="食堂の情報提供と受け取りの調整。",
                created_by=users["suishin2"],
            ),
            Agreement(
                partner_name="株式会社みどり物流",
                partner_kind="company",
                kind="employment",
                title="就労体験の受け入れに関する協定",
                our_agency=shakyo,
                signed_on=today - dt.timedelta(days=150),
                ends_on=today + dt.timedelta(days=580),
                partner_does="倉庫内作業の就労体験を週2回まで受け入れる。",
                we_do="参加者の事前面談と定着までの訪問。",
                created_by=users["sanka1"],
            ),
            Agreement(
                partner_name="みどり商店会",
                partner_kind="company",
                kind="venue",
                our_agency=shakyo,
                signed_on=dt.date(2022, 4, 1),
                ends_on=dt.date(2025, 3, 31),
                partner_does="空き店舗を居場所の会場として提供(終了)。",
                we_do="運営団体の紹介。",
                created_by=users["suishin2"],
            ),
        ]
    )

    # Community issues → actions → resources (one from a platform, one from a case)
    farm = next(r for r in resources if r.name == "南部ふれあい農園")
    issue = CommunityIssue.objects.create(
        title="日中に通える場がなく、ひきこもり状態の人の行き先がない",
        description="支援会議で、50代の男性の参加先が見つからないことが話題になった。農作業なら参加したいとの希望。",
        area=areas["south"],
        source="case",
        source_case=(ctx.get("support_cases") or [None])[0],
        raised_on=today - dt.timedelta(days=240),
        raised_by=users["csw-south"],
        owner_agency=shakyo,
        status="resource_created",
    )
    IssueAction.objects.bulk_create(
        [
            IssueAction(
                issue=issue,
                title="みどり福祉会に畑の活用を相談",
                owner_agency=shakyo,
                owner=users["csw-south"],
                starts_on=today - dt.timedelta(days=230),
                due_on=today - dt.timedelta(days=200),
                done_on=today - dt.timedelta(days=205),
                created_by=users["csw-south"],
            ),
            IssueAction(
                issue=issue,
                title="受け入れ側の研修(ひきこもりの理解)",
                owner_agency=houjin,
                starts_on=today - dt.timedelta(days=200),
                due_on=today - dt.timedelta(days=170),
                done_on=today - dt.timedelta(days=175),
                created_by=users["csw-south"],
            ),
        ]
    )
    farm.origin_issue = issue
    farm.save(update_fields=["origin_issue"])
    platform_session = (
        ProgramSession.objects.filter(program=platforms[0]).order_by("held_on").first()
    )
    shopping = CommunityIssue.objects.create(
        title="買い物に行けない高齢者が増えている",
        description="北部の坂の上の地区。移動販売や買い物支援の担い手を探す。",
        area=areas["north"],
        source="platform",
        source_program_session=platform_session,
        raised_on=platform_session.held_on,
        raised_by=users["csw-north"],
        owner_agency=shakyo,
        status="examining",
    )
    IssueAction.objects.create(
        issue=shopping,
        title="みどり生協と移動販売のルートを相談",
        owner_agency=shakyo,
        owner=users["csw-north"],
        starts_on=platform_session.held_on,
        due_on=today + dt.timedelta(days=30),
        created_by=users["csw-north"],
    )

    # A 気づき from a 縁側 that led to a consultation (when the intake demo made one at the 社協)
    engawa = next(r for r in resources if r.name == "まちの縁側 きたやま")
    try:
        from cases.models import ConcernSlip, Consultation
    except ImportError:  # pragma: no cover
        return
    resident = users.get("minsei1")
    if resident is not None:
        slip = ConcernSlip.objects.create(
            submitted_by=resident,
            to_agency=shakyo,
            subject_description="縁側に毎日来ていた80代くらいの女性",
            noticed="この2週間姿が見えない。近所の方も見ていないとのこと。",
            location=engawa.name,
            area=engawa.small_area,
            submitted_at=timezone.now() - dt.timedelta(days=20),
        )
        consultation = (
            Consultation.objects.filter(agency=shakyo).exclude(place_link__isnull=False).first()
        )
        PlaceConcern.objects.create(
            resource=engawa,
            concern_slip=slip,
            consultation=consultation,
            noticed_on=today - dt.timedelta(days=20),
            created_by=resident,
            linked_at=timezone.now() - dt.timedelta(days=18) if consultation else None,
        )

"""Demo data for the outreach programme: the 社協's CSW caseload across the three 圏域 — people
found through 民生委員, neighbours, water arrears, a salon and a 気づきシート, each at a different
stage with letters, visits (some with two staff or a nurse) and one closure; a 市貝-style survey
list (older residents with low ADL) imported and mostly visited; planned visits for the coming
week; one target put to the 支援会議. Deterministic and relative to today."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import services
from .imports import import_targets
from .models import ClosureReason, ContactKind, Source, Stage

# (area, source, informant, name, address, age, household, worry, urgency, lead, stages)
# stages: [(days after known, stage, reason, closure, next try days)]
CASELOAD = [
    (
        "north",
        Source.MINSEI,
        "民生委員 北町担当",
        "北山さん(男性)",
        "北町2丁目 坂の上の平屋",
        82,
        "妻を亡くしてから独居",
        "郵便受けに新聞がたまっている。庭が荒れ、姿を見かけない。",
        "high",
        "csw-north",
        [
            (5, Stage.PREPARING, "民生委員・包括と情報共有", "", None),
            (20, Stage.RELATING, "手紙と置き手紙から始める", "", None),
            (60, Stage.VISITING, "玄関先で話せるようになった", "", None),
        ],
    ),
    (
        "north",
        Source.ARREARS,
        "水道課(料金係)",
        "",
        "北町5丁目 アパート2階",
        None,
        "40代男性と70代母の世帯らしい",
        "水道料金の滞納が半年。検針時に室内から物音はする。",
        "normal",
        "csw-north",
        [
            (10, Stage.PREPARING, "水道課と訪問の時期を調整", "", None),
            (30, Stage.RELATING, "手紙を置いた", "", None),
        ],
    ),
    (
        "central",
        Source.NEIGHBOUR,
        "隣の住民",
        "中野さん",
        "中町1丁目の角の家",
        55,
        "80代の父と50代の息子(8050)",
        "息子さんの姿を何年も見ない。夜に大声が聞こえることがある。",
        "high",
        "suishin2",
        [(3, Stage.PREPARING, "支援会議で共有する準備", "", None)],
    ),
    (
        "central",
        Source.PLACE,
        "ふれあいサロン 世話人",
        "東さん(女性)",
        "中町3丁目",
        76,
        "独居",
        "サロンに来なくなった。物忘れが増えたと本人が話していた。",
        "normal",
        "suishin2",
        [
            (7, Stage.RELATING, "サロンの世話人と一緒に声をかける", "", None),
            (25, Stage.VISITING, "自宅を訪問", "", None),
            (50, Stage.CONNECTING, "地域包括につないだ", "", None),
            (80, Stage.CLOSED, "包括の介護予防につながり安定", ClosureReason.CONNECTED, None),
        ],
    ),
    (
        "south",
        Source.CITY_HALL,
        "国保年金課",
        "川辺さん",
        "川辺地区 市営住宅",
        38,
        "ひとり親と小学生",
        "国保の手続きに何度も来られない。子どもが学校を休みがち(学校から)。",
        "high",
        "csw-south",
        [
            (4, Stage.PREPARING, "学校・子家センと情報共有", "", None),
            (18, Stage.RELATING, "メールでやりとりが始まった", "", None),
            (40, Stage.VISITING, "同行支援を開始", "", None),
            (70, Stage.CONTINUING, "月1回の訪問を継続", "", None),
        ],
    ),
    (
        "south",
        Source.AGENCY,
        "南部地域包括支援センター",
        "南田さん",
        "南町4丁目",
        68,
        "兄弟二人暮らし",
        "ごみが玄関まであふれている。支援を断られた(包括から)。",
        "normal",
        "csw-south",
        [
            (6, Stage.RELATING, "手紙から始める", "", None),
            (35, Stage.CLOSED, "今は関わりを望まないと本人から", ClosureReason.REFUSED, 60),
        ],
    ),
]

# (days after known, kind, counterpart, outcome, minutes, two staff, nurse, content)
CONTACT_PATTERN = [
    (8, ContactKind.LETTER, "nobody", "left_note", 15, False, False, "社協の紹介の手紙を投函"),
    (15, ContactKind.POSTBOX, "nobody", "left_note", 10, False, False, "置き手紙(連絡先入り)"),
    (22, ContactKind.HOME_VISIT, "nobody", "not_home", 20, True, False, "不在。メモを残した"),
    (30, ContactKind.PHONE, "family", "replied", 10, False, False, "家族から電話があった"),
    (45, ContactKind.HOME_VISIT, "person", "through_door", 30, True, False, "ドア越しに話せた"),
    (62, ContactKind.HOME_VISIT, "person", "met", 45, False, True, "看護師と訪問。体調を確認"),
    (75, ContactKind.ACCOMPANY, "person", "met", 90, False, False, "相談窓口へ同行"),
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _seed_caseload(ctx, today, shakyo, users, areas, partner):
    made = []
    for n, row in enumerate(CASELOAD):
        area, source, informant, name, address, age, household, worry, urgency, lead, stages = row
        known = today - dt.timedelta(days=100 - n * 3)
        worker = users[lead]
        target = services.target_create(
            actor=worker,
            agency=shakyo,
            data={
                "area": areas[area],
                "source": source,
                "informant": informant,
                "known_on": known,
                "approx_name": name,
                "approx_address": address,
                "approx_age": age,
                "household_note": household,
                "worry": worry,
                "urgency": urgency,
            },
            assignees=[partner] if n % 2 == 0 else [],
        )
        last_stage_day = max((s[0] for s in stages), default=0)
        for day, kind, counterpart, outcome, minutes, two, nurse, content in CONTACT_PATTERN:
            if day > last_stage_day + 5 or known + dt.timedelta(days=day) >= today:
                break
            services.contact_log(
                actor=worker,
                target=target,
                kind=kind,
                occurred_at=_at(known + dt.timedelta(days=day), 10 + n % 5),
                staff=[worker, partner] if two else [worker],
                professionals=["visiting_nurse"] if nurse else [],
                professionals_note="訪問看護ステーション" if nurse else "",
                counterpart=counterpart,
                outcome=outcome,
                minutes=minutes,
                content=content,
            )
        for day, stage, reason, closure, next_try in stages:
            services.target_move(
                actor=worker,
                target=target,
                to_stage=stage,
                reason=reason,
                on=known + dt.timedelta(days=day),
                closure_reason=closure,
                next_try_on=today + dt.timedelta(days=next_try) if next_try else None,
            )
        made.append(target)
    return made


def _survey_csv(rng, count: int) -> str:
    families = [
        "市貝",
        "杉山",
        "赤羽",
        "田野辺",
        "続谷",
        "多田羅",
        "見上",
        "椎谷",
        "刈生田",
        "竹内",
    ]
    givens = ["ハル", "トメ", "キヨ", "正一", "勝", "フミ", "清", "シズ", "茂", "ミツ"]
    places = ["大字市塙", "大字杉山", "大字赤羽", "大字田野辺", "大字続谷"]
    lines = ["氏名,生年月日,住所,圏域,世帯の状況,気になること,担当者"]
    for i in range(count):
        birth = dt.date(1936 + rng.randrange(8), 1 + rng.randrange(12), 1 + rng.randrange(28))
        lines.append(
            f"{families[i % 10]} {givens[(i * 3) % 10]},{birth.isoformat()},"
            f"{places[i % 5]}{100 + i},north,{'独居' if i % 3 else '高齢夫婦'},"
            f"ADL低下(調査票 No.{i + 1:03d}),{'csw-north' if i % 2 else 'suishin2'}"
        )
    return "\n".join(lines) + "\n"


def _seed_survey(ctx, today, shakyo, users, partner):
    """A 市貝-style list: 40 older residents with low ADL; 36 visited, 8 with a nurse."""
    rng = ctx["rng"]
    upload = SimpleUploadedFile(
        "survey.csv", _survey_csv(rng, 40).encode("utf-8"), content_type="text/csv"
    )
    report = import_targets(
        actor=users["suishin2"],
        agency=shakyo,
        file=upload,
        title="高齢者実態把握調査(80歳以上・ADL低下)",
        dry_run=False,
        known_on=today - dt.timedelta(days=90),
    )
    if not report.imported:
        raise RuntimeError(f"outreach demo survey import failed: {report.errors[:3]}")
    targets = list(shakyo.outreach_targets.filter(source=Source.SURVEY).order_by("pk"))
    for i, target in enumerate(targets[:36]):
        worker = target.lead_worker
        day = today - dt.timedelta(days=60 - i)
        services.contact_log(
            actor=worker,
            target=target,
            kind=ContactKind.HOME_VISIT,
            occurred_at=_at(day, 9 + i % 7),
            staff=[worker, partner] if i % 6 == 0 else [worker],
            professionals=["visiting_nurse"] if i < 8 else [],
            professionals_note="訪問看護センター職員" if i < 8 else "",
            counterpart="person" if i % 4 else "family",
            outcome="met" if i % 5 else "not_home",
            minutes=30,
            content="調査票に沿って生活状況を聞き取り",
        )
        services.target_move(
            actor=worker, target=target, to_stage=Stage.VISITING, on=day, reason="調査訪問"
        )
    return targets


def _seed_plans_and_visits(ctx, today, shakyo, users, made):
    csw_north, csw_south = users["csw-north"], users["csw-south"]
    for i, target in enumerate(t for t in made if t.stage != Stage.CLOSED):
        worker = target.lead_worker
        staff = [worker, csw_south] if worker == csw_north and i % 2 else [worker]
        services.visit_plan(
            actor=worker,
            target=target,
            planned_on=today + dt.timedelta(days=1 + i % 5),
            planned_time=dt.time(10 + i % 6),
            staff=staff,
            purpose="定期訪問",
        )
    first = made[0]
    services.plan_record(
        actor=csw_north,
        target=first,
        decided_on=today - dt.timedelta(days=70),
        approach="民生委員と一緒に週1回声をかける。体調が心配なときは北部包括の看護師が同行する。",
        owners=[csw_north, users["houkatsu-n1"]],
        next_review_on=today + dt.timedelta(days=20),
    )
    # The 8050 household goes to the next 支援会議 (no consent: the 支援会議 is where the outreach
    # plan is set).
    from meetings.choices import BodyKind

    bodies = [b for b in ctx.get("meeting_bodies", []) if b.kind == BodyKind.SHIEN_KAIGI]
    if bodies:
        services.target_request_agenda(
            actor=users["suishin2"],
            target=made[2],
            body=bodies[0],
            description="8050世帯。息子が長くひきこもっている可能性。近隣から大声の情報。",
        )


def _seed_slip(ctx, today, shakyo, users, areas):
    from cases.services.intake import concern_slip_submit

    slip = concern_slip_submit(
        actor=users["minsei1"],
        to_agency=shakyo,
        subject_description="70代の女性。最近引っ越してきた方",
        noticed="回覧板が止まったまま。昼間もカーテンが閉まっている。",
        location="中町6丁目",
        area=areas["central"],
    )
    return services.target_from_concern_slip(actor=users["suishin2"], slip=slip)


def seed(ctx: dict) -> None:
    users, agencies, areas = ctx["users"], ctx["agencies"], ctx["areas"]
    shakyo = agencies["shakyo"]
    today = timezone.localdate()
    partner = users["suishin2"]
    made = _seed_caseload(ctx, today, shakyo, users, areas, partner)
    survey = _seed_survey(ctx, today, shakyo, users, partner)
    _seed_plans_and_visits(ctx, today, shakyo, users, made)
    slip_target = _seed_slip(ctx, today, shakyo, users, areas)
    ctx["outreach_targets"] = [*made, *survey, slip_target]

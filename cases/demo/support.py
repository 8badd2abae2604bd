"""Demo 多機関協働 cases: ~60 cases over every status, with full sheets, plans whose items span
several agencies, monitoring, evaluations and activity notes. Deterministic (ctx["rng"]) and
relative to today; every step runs through the services at a back-dated moment, so the
transitions, audit rows and timelines look like a year of real work.

Includes the two example cases of the ministry's support-flow guide (seeds/002), re-told with
fictional names: 森田 (father 79, son 51 withdrawn for over 20 years) and 川島 (a family of four
with gambling, school refusal and a suspected disability).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.choices import ClosureReason, InfoKind
from cases.demo.intake import _at, _past
from cases.models import Consent, Household, HouseholdMember, Person, SupportCase
from cases.normalize import normalize_kana, normalize_name, normalize_phone
from cases.services import support as svc

S = SupportCase.Status
R = HouseholdMember.Relation

# (relation, sex, age, given name, kana, lives together)
# issues: (member index or None for the household, category, note)
# items: (member index or None, category, issue, goal, action, agency code, staff username or "", frequency)
TEMPLATES = [
    {
        "tag": "8050",
        "summary": "8050世帯: 高齢の母の介護と長期ひきこもりの長男",
        "members": [
            ("self", "男", 52, ("健一", "けんいち"), True),
            ("parent", "女", 82, ("トシ", "とし"), True),
        ],
        "self": 0,
        "route": "agency",
        "issues": [
            (0, "hikikomori", "15年以上自室中心の生活"),
            (1, "kaigo", "要介護2、長男が主な介護者"),
            (None, "8050", "母の年金で生計"),
        ],
        "items": [
            (
                1,
                "kaigo",
                "母の介護負担が長男に集中",
                "介護サービスを適切に利用できる",
                "ケアプランの見直しとデイサービス利用",
                "houkatsu-central",
                "houkatsu-c1",
                "月1回",
            ),
            (
                0,
                "hikikomori",
                "長男が外部とつながっていない",
                "月1回支援者と会える",
                "手紙と訪問による関係づくり",
                "shakyo",
                "csw-north",
                "月2回",
            ),
            (
                None,
                "oyanaki",
                "親なきあとの生活の見通しがない",
                "家計と将来の見通しを共有する",
                "家計相談と制度の情報提供",
                "jiritsu-soudan",
                "jiritsu1",
                "必要時",
            ),
        ],
    },
    {
        "tag": "double_care",
        "summary": "ダブルケア: 認知症の父の介護と乳児の育児",
        "members": [
            ("self", "女", 38, ("真理", "まり"), True),
            ("parent", "男", 76, ("茂", "しげる"), True),
            ("child", "女", 1, ("ひなた", "ひなた"), True),
            ("spouse", "男", 40, ("大輔", "だいすけ"), True),
        ],
        "self": 0,
        "route": "phone",
        "issues": [
            (0, "double_care", "育児と介護の両立が限界"),
            (1, "ninchisho", "夜間の徘徊"),
            (2, "kosodate", "保育所の空き待ち"),
        ],
        "items": [
            (
                1,
                "ninchisho",
                "父の認知症の進行",
                "介護保険サービスで日中の見守りを確保",
                "要介護認定の区分変更と通所介護",
                "houkatsu-north",
                "houkatsu-n1",
                "月1回",
            ),
            (
                2,
                "kosodate",
                "日中の預け先がない",
                "一時預かりを利用できる",
                "一時預かりと保育所入所の調整",
                "kosodate-hiroba",
                "kosodate1",
                "随時",
            ),
            (
                0,
                "double_care",
                "本人の疲労と孤立",
                "相談できる場を持つ",
                "ケアラーズカフェへの同行",
                "npo-ibasho",
                "sanka2",
                "月1回",
            ),
        ],
    },
    {
        "tag": "young_carer",
        "summary": "ヤングケアラー: 精神疾患の母を支える中学生",
        "members": [
            ("self", "女", 14, ("さくら", "さくら"), True),
            ("parent", "女", 42, ("恵", "めぐみ"), True),
            ("sibling", "男", 8, ("蓮", "れん"), True),
        ],
        "self": 0,
        "route": "agency",
        "issues": [
            (0, "young_carer", "家事と弟の世話で登校が不安定"),
            (1, "seishin", "うつ病で通院中"),
            (0, "futoko", "月の半分欠席"),
        ],
        "items": [
            (
                1,
                "seishin",
                "母の療養が安定しない",
                "定期的な通院と服薬が続けられる",
                "保健師の訪問と医療機関との連携",
                "hoken-center",
                "hoken1",
                "月2回",
            ),
            (
                0,
                "young_carer",
                "本人の負担が大きい",
                "家事負担を減らし登校できる",
                "家事援助の導入と学校との情報共有",
                "kodomo-katei",
                "kodomo1",
                "週1回",
            ),
            (
                0,
                "futoko",
                "学習の遅れ",
                "安心して通える場を持つ",
                "教育相談と学習支援教室の利用",
                "kyoiku-iinkai",
                "kyoiku1",
                "週1回",
            ),
        ],
    },
    {
        "tag": "single_elderly",
        "summary": "単身高齢者: ごみ屋敷と支援拒否、近隣から苦情",
        "members": [("self", "男", 74, ("昭", "あきら"), True)],
        "self": 0,
        "route": "minsei",
        "issues": [
            (0, "self_neglect", "自宅内にごみが堆積"),
            (0, "kyohi", "支援者の訪問を断る"),
            (0, "koritsu", "近隣との関係悪化"),
        ],
        "items": [
            (
                0,
                "self_neglect",
                "住環境の悪化",
                "安全に暮らせる住環境にする",
                "本人の同意を得ながら段階的な片付け",
                "shakyo",
                "csw-south",
                "月2回",
            ),
            (
                0,
                "kyohi",
                "支援の受け入れが難しい",
                "信頼できる支援者ができる",
                "民生委員と一緒の定期訪問",
                "houkatsu-south",
                "houkatsu-s1",
                "月2回",
            ),
            (
                0,
                "koritsu",
                "地域での孤立",
                "近隣との関係が和らぐ",
                "町会との話し合いの場の設定",
                "fukushi-soudan",
                "",
                "必要時",
            ),
        ],
    },
    {
        "tag": "single_parent",
        "summary": "ひとり親世帯: 家賃滞納と就労の不安定",
        "members": [
            ("self", "女", 34, ("彩", "あや"), True),
            ("child", "男", 9, ("悠真", "ゆうま"), True),
            ("child", "女", 6, ("結菜", "ゆいな"), True),
        ],
        "self": 0,
        "route": "chonai",
        "issues": [
            (0, "kakei", "家賃3か月滞納"),
            (0, "shuro", "非正規で収入が不安定"),
            (1, "kosodate", "放課後の居場所"),
        ],
        "items": [
            (
                0,
                "kakei",
                "家賃の滞納",
                "滞納を解消し住まいを維持する",
                "家計改善支援と住居確保給付金の申請",
                "jiritsu-soudan",
                "jiritsu2",
                "月2回",
            ),
            (
                0,
                "shuro",
                "収入が不安定",
                "安定した仕事に就く",
                "就労支援とハローワークへの同行",
                "saposte",
                "saposte1",
                "週1回",
            ),
            (
                1,
                "kosodate",
                "放課後の居場所がない",
                "放課後を安心して過ごせる",
                "子ども食堂と学習支援の紹介",
                "npo-ibasho",
                "sanka2",
                "週1回",
            ),
        ],
    },
    {
        "tag": "multi_issue",
        "summary": "外国籍世帯: 言葉の壁と医療費の不安",
        "members": [
            ("self", "女", 45, ("マリア", "まりあ"), True),
            ("spouse", "男", 50, ("ホセ", "ほせ"), True),
            ("child", "男", 16, ("ルイス", "るいす"), True),
        ],
        "self": 0,
        "route": "family",
        "issues": [
            (0, "gaikoku", "日本語での手続きが難しい"),
            (1, "kenko", "糖尿病の治療中断"),
            (None, "konkyu", "医療費の支払いが困難"),
        ],
        "items": [
            (
                1,
                "kenko",
                "治療の中断",
                "通院を再開する",
                "通訳を手配した受診同行",
                "hoken-center",
                "hoken1",
                "月1回",
            ),
            (
                None,
                "konkyu",
                "医療費と生活費の不足",
                "使える制度につながる",
                "高額療養費と生活福祉資金の申請支援",
                "seikatsu-fukushi",
                "seikatsu1",
                "必要時",
            ),
            (
                0,
                "gaikoku",
                "情報が届かない",
                "相談先を理解し自分で連絡できる",
                "多言語の案内と交流サロンへの参加",
                "shakyo",
                "sanka1",
                "月1回",
            ),
        ],
    },
]

FAMILY_NAMES = [
    ("小野", "おの"),
    ("谷口", "たにぐち"),
    ("大西", "おおにし"),
    ("平野", "ひらの"),
    ("杉山", "すぎやま"),
    ("千葉", "ちば"),
    ("松田", "まつだ"),
    ("内田", "うちだ"),
    ("菅原", "すがわら"),
    ("今井", "いまい"),
    ("河野", "こうの"),
    ("藤原", "ふじわら"),
    ("高木", "たかぎ"),
    ("安藤", "あんどう"),
    ("島田", "しまだ"),
    ("福田", "ふくだ"),
    ("西村", "にしむら"),
    ("岩崎", "いわさき"),
    ("堀", "ほり"),
    ("野口", "のぐち"),
]

# How many generated cases end in each status (plus the two ministry cases and the intake cases).
TARGETS = [
    (S.RECEIVED, 4),
    (S.ASSESSMENT, 6),
    (S.PLANNING, 6),
    (S.IN_MEETING, 5),
    (S.SUPPORTING, 10),
    (S.EVALUATION, 5),
    (S.REPLAN, 3),
    (S.CLOSED, 6),
    (S.HANDED_BACK, 3),
]
AREA_OF = {"houkatsu-north": "north", "houkatsu-central": "central", "houkatsu-south": "south"}
TOWNS = {"north": "若葉町", "central": "駅前", "south": "川辺町"}
NOTE_TEXTS = [
    ("visit", "自宅を訪問。本人と15分ほど玄関先で話ができた。"),
    ("phone", "関係機関に電話で状況を確認。次回の訪問日を調整。"),
    ("interview", "来所面談。困りごとを一緒に整理し、優先順位を確認した。"),
    ("accompany", "窓口へ同行し、申請手続きを支援。"),
    ("letter", "本人宛てに手紙を投函。興味のありそうなイベント情報を同封。"),
    ("meeting", "ケース検討の打合せ。役割分担を確認。"),
    ("mail_sns", "家族からメールで近況の連絡あり。"),
    ("record", "関係機関からの情報を記録。"),
]

# Decisions are made by meetings only. The demo's case histories are written before the meetings
# demo creates the 重層的支援会議 of each month; meetings.demo replaces this reference with the
# agenda item that decided (see meetings.demo.link_demo_decisions).
DEMO_MEETING_PENDING = "meetings.agendaitem:demo-pending"


def seed(ctx: dict) -> None:
    rng = ctx["rng"]
    agencies, users = ctx["agencies"], ctx["users"]
    today = timezone.localdate()
    bodies = [
        (agencies["fukushi-soudan"], users["suishin1"], users["kakaricho"]),
        (agencies["shakyo"], users["suishin2"], users["shakyo-kakari"]),
    ]
    made: list[SupportCase] = []

    made.append(_morita(ctx, today))
    made.append(_kawashima(ctx, today))
    survivor = _morita_survivor(ctx, today, made[0])

    n = 0
    for status, count in TARGETS:
        for _ in range(count):
            template = TEMPLATES[n % len(TEMPLATES)]
            body, coordinator, supervisor = bodies[n % 2]
            family = FAMILY_NAMES[n % len(FAMILY_NAMES)]
            start = today - dt.timedelta(days=_age_for(status, rng))
            household, persons = _household(ctx, body, coordinator, family, template, start)
            case = _open(coordinator, body, household, persons, template, start)
            _consent(case, persons[template["self"]], coordinator, body, template, start)
            _advance(ctx, case, template, status, start, coordinator, supervisor, n)
            made.append(case)
            n += 1

    # Accepted referrals from the intake demo: some move on to assessment.
    for i, case in enumerate(
        SupportCase.objects.filter(status=S.RECEIVED)
        .exclude(pk__in=[c.pk for c in made])
        .select_related("coordinator")
        .order_by("pk")
    ):
        if i % 2 == 0 and case.coordinator_id:
            moment = timezone.make_aware(
                dt.datetime.combine(
                    max(case.opened_on, today - dt.timedelta(days=5)), dt.time(10, 0)
                )
            )
            if moment <= timezone.now():
                with _at(moment):
                    a = svc.assessment_create(case=case, actor=case.coordinator)
                    svc.assessment_update(
                        assessment=a,
                        actor=case.coordinator,
                        lock_version=a.lock_version,
                        data={"view": "つなぐシートの情報をもとにアセスメント中。"},
                    )
    made.append(survivor)
    ctx["support_cases"] = made


def _age_for(status: str, rng) -> int:
    """How long ago a case in this status was opened (days)."""
    return {
        S.RECEIVED: rng.randint(1, 10),
        S.ASSESSMENT: rng.randint(12, 30),
        S.PLANNING: rng.randint(30, 50),
        S.IN_MEETING: rng.randint(45, 60),
        S.SUPPORTING: rng.randint(80, 200),
        S.EVALUATION: rng.randint(200, 260),
        S.REPLAN: rng.randint(220, 280),
        S.CLOSED: rng.randint(280, 420),
        S.HANDED_BACK: rng.randint(250, 380),
    }[status]


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    """`day` at `hour`, or now when that is later (today at 16:00 read at 06:20)."""
    return _past(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))))


def _person(agency, creator, family, given, sex, age, start, address, area) -> Person:
    birth = start - dt.timedelta(days=age * 365 + 100)
    p = Person(
        family_name=family[0],
        family_name_kana=family[1],
        given_name=given[0],
        given_name_kana=given[1],
        sex=sex,
        birth_date=birth,
        address=address,
        area=area,
        registered_by_agency=agency,
        created_by=creator,
        created_at=_moment(start, 9),
        phone="",
    )
    p.name_search = normalize_name(p.family_name + p.given_name)
    p.kana_search = normalize_kana(p.family_name_kana + p.given_name_kana)
    p.phone_digits = normalize_phone(p.phone)
    p.save()
    return p


def _household(ctx, agency, creator, family, template, start, address=None):
    area_code = ["north", "central", "south"][len(family[0]) % 3]
    area = ctx["areas"][area_code]
    address = (
        address
        or f"みどり市{TOWNS[area_code]}{len(family[1])}-{ord(family[0][0]) % 30 + 1}-{ord(family[1][0]) % 20 + 1}"
    )
    household = Household.objects.create(
        address=address,
        area=area,
        type_tags=[template["tag"]],
        registered_by_agency=agency,
        created_by=creator,
    )
    persons = []
    for index, (relation, sex, age, given, together) in enumerate(template["members"]):
        person = _person(agency, creator, family, given, sex, age, start, address, area)
        HouseholdMember.objects.create(
            household=household,
            person=person,
            relation=relation,
            is_key_person=index == template["self"],
            lives_together=together,
            is_main_carer=index == template["self"] and template["tag"] in ("8050", "young_carer"),
            joined_on=start,
        )
        persons.append(person)
    return household, persons


def _open(coordinator, body, household, persons, template, start) -> SupportCase:
    with _at(_moment(start, 9)):
        return svc.case_create(
            actor=coordinator,
            household=household,
            coordinating_agency=body,
            principal=persons[template["self"]],
            persons=persons,
            opened_on=start,
            summary=template["summary"],
        )


def _consent(case, person, coordinator, body, template, start) -> None:
    consent = Consent.objects.create(
        person=person,
        household=case.household,
        explained_by=coordinator,
        recorded_by_agency=body,
        given_on=start,
        method=Consent.Method.WRITTEN,
        info_kinds=[k.value for k in InfoKind],
        note="多機関協働事業の利用申込時",
    )
    codes = {item[5] for item in template["items"]}
    from agencies.models import Agency

    consent.agencies.set(
        [body.pk, *Agency.objects.filter(code__in=codes).values_list("pk", flat=True)]
    )


def _advance(ctx, case, template, target, start, coordinator, supervisor, n) -> None:
    """Walk the case through the flow up to `target`, each step at its own date."""
    agencies, users = ctx["agencies"], ctx["users"]
    persons = list(case.persons.order_by("pk"))
    by_index = {i: p for i, p in enumerate(sorted(persons, key=lambda p: p.pk))}
    today = timezone.localdate()
    if target == S.RECEIVED:
        return
    day = start + dt.timedelta(days=5)
    with _at(_moment(day)):
        svc.note_create(
            case=case,
            actor=coordinator,
            kind="interview",
            content="初回面談。世帯の状況と困りごとを聞き取った。",
            minutes=60,
            staff_count=2,
            with_whom="本人・家族",
            occurred_at=_moment(day - dt.timedelta(days=1), 14),
        )
        a = svc.assessment_create(case=case, actor=coordinator)
        svc.assessment_update(
            assessment=a,
            actor=coordinator,
            lock_version=a.lock_version,
            data=_assessment_data(template, n, by_index),
            issues=[
                {"person": by_index.get(i) if i is not None else None, "category": c, "note": note}
                for i, c, note in template["issues"]
            ],
            relations=[
                {
                    "kind": "agency",
                    "label": agencies[code].short_name,
                    "agency": agencies[code],
                    "strength": "normal" if k % 2 else "strong",
                    "note": "",
                }
                for k, code in enumerate(sorted({it[5] for it in template["items"]}))
            ]
            + [
                {
                    "kind": "community",
                    "label": "民生委員",
                    "strength": "weak",
                    "note": "見守り訪問",
                },
                {
                    "kind": "person",
                    "label": "別居の親族",
                    "strength": "stressful" if n % 3 == 0 else "weak",
                    "note": "",
                },
            ],
        )
    if target == S.ASSESSMENT:
        return
    if target == S.CLOSED and n % 6 == 5:
        reason = ClosureReason.DIED if n % 12 == 5 else ClosureReason.MOVED
        day = start + dt.timedelta(days=20)
        with _at(_moment(day)):
            svc.case_close_exceptional(
                case=case,
                actor=coordinator,
                reason=reason,
                closed_on=day,
                note="本人の死亡により終結。世帯への支援は主担当機関が継続。"
                if reason == ClosureReason.DIED
                else "市外へ転出。転出先の相談窓口へ情報提供済み。",
            )
        return
    day = start + dt.timedelta(days=14)
    with _at(_moment(day)):
        plan = svc.plan_create(case=case, actor=coordinator)
        items = []
        for order, (i, cat, issue, goal, action, code, staff, freq) in enumerate(
            template["items"], start=1
        ):
            items.append(
                {
                    "order": order,
                    "person": by_index.get(i) if i is not None else None,
                    "category": cat,
                    "issue": issue,
                    "goal": goal,
                    "action": action,
                    "agency": agencies[code],
                    "staff": users.get(staff) if staff else None,
                    "frequency": freq,
                    "due_on": start + dt.timedelta(days=180),
                }
            )
        svc.plan_update(
            plan=plan,
            actor=coordinator,
            lock_version=plan.lock_version,
            items=items,
            data={
                "wishes": "家族それぞれが無理をせず、この家で暮らし続けたい。",
                "overall_goal": "世帯の課題を整理し、各機関の役割分担のもとで生活が安定する。",
                "policy": "本人の気持ちの動きに合わせ、関係機関が同じ方針で関わる。",
                "period_start": start + dt.timedelta(days=30),
                "period_end": start + dt.timedelta(days=210),
                "next_monitoring_on": start + dt.timedelta(days=60),
                "consent_on": start + dt.timedelta(days=28),
                "consent_method": "written",
            },
        )
    if target == S.PLANNING:
        return
    day = start + dt.timedelta(days=24)
    with _at(_moment(day)):
        svc.plan_submit(plan=plan, actor=coordinator)
    if target == S.IN_MEETING:
        return
    meeting = start + dt.timedelta(days=30)
    with _at(_moment(meeting, 16)):
        svc.plan_approve(
            via_item=DEMO_MEETING_PENDING,
            plan=plan,
            actor=supervisor if n % 3 else coordinator,
            decided_on=meeting,
            with_changes="訪問の頻度を月2回に修正" if n % 4 == 0 else "",
        )
    plan.refresh_from_db()
    # monitoring every ~30 days until today (or until the evaluation)
    end = today if target == S.SUPPORTING else start + dt.timedelta(days=190)
    day = start + dt.timedelta(days=60)
    round_ = 0
    progress_cycle = ["on_track", "partial", "on_track", "stalled", "achieved"]
    while day < end and day <= today:
        with _at(_moment(day, 15)):
            for k, item in enumerate(plan.items.all()):
                next_on = day + dt.timedelta(days=30)
                svc.monitoring_record(
                    item=item,
                    actor=coordinator,
                    progress=progress_cycle[(round_ + k + n) % 5],
                    note="関係機関から聞き取り。取組は概ね計画どおり。",
                    next_on=next_on,
                    monitored_on=day,
                )
            kind, text = NOTE_TEXTS[(round_ + n) % len(NOTE_TEXTS)]
            svc.note_create(
                case=case,
                actor=coordinator,
                kind=kind,
                content=text,
                minutes=30 + 15 * (round_ % 3),
                staff_count=1 + (kind == "visit"),
                occurred_at=_moment(day - dt.timedelta(days=3), 11),
            )
        round_ += 1
        day += dt.timedelta(days=30)
    if target == S.SUPPORTING:
        if n % 4 == 1:  # some cases are overdue for monitoring
            SupportCase.objects.filter(pk=case.pk).update(
                next_monitoring_on=today - dt.timedelta(days=3)
            )
        return
    day = start + dt.timedelta(days=195)
    with _at(_moment(day)):
        ev = svc.evaluation_create(case=case, actor=coordinator)
        decision = {S.CLOSED: "close", S.HANDED_BACK: "hand_back", S.REPLAN: "replan"}.get(
            target, "close"
        )
        lead_code = (
            template.get("lead_after", template["items"][0][5])
            if decision in ("close", "hand_back")
            else None
        )
        svc.evaluation_update(
            evaluation=ev,
            actor=coordinator,
            lock_version=ev.lock_version,
            data={
                "change_note": "本人が支援者と会えるようになり、家族の負担感も軽くなった。",
                "overall": "課題が整理され、各機関の役割分担に合意できた。"
                if decision == "close"
                else "一部の課題で新たな状況が生じたため方針の見直しが必要。",
                "proposed_decision": decision,
                "proposed_lead_agency": agencies[lead_code] if lead_code else None,
            },
            items=[
                {
                    "id": it.pk,
                    "achievement": ["achieved", "partial", "not_achieved"][(k + n) % 3]
                    if decision != "close"
                    else ["achieved", "partial"][(k + n) % 2],
                    "note": "所見を記入",
                }
                for k, it in enumerate(ev.items.all())
            ],
        )
        svc.evaluation_ready(evaluation=ev, actor=coordinator)
    if target == S.EVALUATION:
        return
    meeting = start + dt.timedelta(days=205)
    with _at(_moment(meeting, 16)):
        svc.evaluation_decide(
            via_item=DEMO_MEETING_PENDING,
            evaluation=ev,
            actor=supervisor,
            decided_on=meeting,
            decision=decision,
            lead_agency=agencies[lead_code] if lead_code else None,
            closure_reason=[
                ClosureReason.ROLES_AGREED,
                ClosureReason.CONNECTED,
                ClosureReason.STABLE,
                ClosureReason.INCOME,
            ][n % 4]
            if decision == "close"
            else None,
        )
    if target == S.REPLAN:
        return


def _assessment_data(template, n, by_index) -> dict:
    principal = by_index.get(template["self"])
    return {
        "route": template["route"],
        "consulter_kind": "agency" if template["route"] in ("agency", "chonai") else "family",
        "chief_complaint": template["summary"],
        "principal": principal,
        "household_note": "世帯員それぞれに課題があり、相互に影響している。",
        "life_history": "市内で出生。転職を経て現在に至る。",
        "care_level": ["none", "support2", "care2", "care1"][n % 4],
        "cert_mental": n % 5 == 0,
        "health_note": "通院中の疾患あり。",
        "income_pension": template["tag"] in ("8050", "single_elderly"),
        "income_work": n % 2 == 0,
        "on_welfare": n % 7 == 0,
        "has_debts": n % 3 == 0,
        "has_arrears": template["tag"] == "single_parent" or n % 4 == 0,
        "economy_note": "収支の把握が不十分。",
        "housing_type": ["owned", "private_rent", "public_rent"][n % 3],
        "housing_problem": template["tag"] == "single_elderly",
        "work_status": "not_working" if n % 2 else "part_time",
        "school_status": "absent" if template["tag"] == "young_carer" else "na",
        "social_note": "近隣との交流は少ない。",
        "wishes": "今の家で家族と暮らし続けたい。",
        "strengths": "家族思い。几帳面で約束を守る。",
        "risk_level": ["medium", "high", "low", "urgent"][n % 4],
        "risk_note": "介護者の体調悪化が続くと在宅生活が難しくなる。",
        "view": "複数の課題が絡み合っており、単独の機関では対応が難しい。役割分担の整理が必要。",
    }


# --- the two ministry example cases, re-told ---------------------------------------------------------


MORITA = {
    "tag": "8050",
    "lead_after": "houkatsu-north",
    "summary": "父(79)の入院と、20年以上ひきこもる長男(51)の生活",
    "members": [
        ("self", "男", 79, ("源一", "げんいち"), True),
        ("child", "男", 51, ("和也", "かずや"), True),
    ],
    "self": 0,
    "route": "agency",
    "issues": [
        (0, "kenko", "進行性の疾患。入院治療とリハビリを勧められている"),
        (0, "oyanaki", "親亡き後の息子の生活が不安"),
        (1, "hikikomori", "20年以上ひきこもり。以前「働きたいが自信がない」と話していた"),
        (None, "8050", "経済的な不安は今はない"),
    ],
    "items": [
        (
            1,
            "hikikomori",
            "父の入院中の息子の食事",
            "入院中も食事が確保できる",
            "ヘルパーの自費利用の調整",
            "kyotaku-aoba",
            "",
            "毎日(入院中)",
        ),
        (
            1,
            "hikikomori",
            "ひきこもり状態",
            "支援者と顔を合わせられる",
            "アウトリーチ:訪問による関係づくり",
            "shakyo",
            "csw-north",
            "週1回",
        ),
        (
            1,
            "shuro",
            "就労への自信のなさ",
            "就労体験に参加する",
            "参加支援:就労体験のマッチング",
            "shakyo",
            "sanka1",
            "月2回",
        ),
        (
            0,
            "kaigo",
            "退院後の在宅療養",
            "退院後も自宅で療養できる",
            "退院前カンファレンスと在宅サービスの調整",
            "houkatsu-north",
            "houkatsu-n1",
            "月1回",
        ),
    ],
}

KAWASHIMA = {
    "tag": "multi_issue",
    "summary": "夫のギャンブル、娘の不登校、息子の障がいの疑い(四人世帯)",
    "members": [
        ("spouse", "男", 47, ("拓也", "たくや"), True),
        ("self", "女", 45, ("由美", "ゆみ"), True),
        ("child", "男", 22, ("翔太", "しょうた"), True),
        ("child", "女", 14, ("美咲", "みさき"), True),
    ],
    "self": 1,
    "route": "agency",
    "issues": [
        (0, "shuro", "飲食店の倒産後、昼間からの飲酒とパチンコ"),
        (1, "kakei", "家計を把握できず各種料金を滞納"),
        (2, "shogai", "仕事が短期間しか続かない。障がいの疑い"),
        (3, "futoko", "からかいをきっかけに不登校気味"),
        (None, "koritsu", "近隣から疎まれ地域で孤立"),
    ],
    "items": [
        (
            0,
            "shuro",
            "夫の失業とギャンブル",
            "求職活動を始める",
            "就労相談とハローワークへの同行",
            "jiritsu-soudan",
            "jiritsu1",
            "週1回",
        ),
        (
            3,
            "futoko",
            "娘の不登校と学習の遅れ",
            "学習支援に通える",
            "教育相談と学習支援教室",
            "kyoiku-iinkai",
            "kyoiku1",
            "週1回",
        ),
        (
            1,
            "kakei",
            "滞納と家計の混乱",
            "家計を見える化し滞納を解消する",
            "家計改善支援事業の利用",
            "jiritsu-soudan",
            "jiritsu2",
            "月2回",
        ),
        (
            2,
            "shogai",
            "息子の障がいの疑い",
            "相談支援につながる",
            "基幹相談支援センターでの相談",
            "kikan-soudan",
            "kikan1",
            "月1回",
        ),
        (
            2,
            "shuro",
            "息子の就労",
            "就労訓練に参加する",
            "就労訓練事業の利用",
            "saposte",
            "saposte1",
            "週2回",
        ),
        (
            None,
            "koritsu",
            "地域からの孤立",
            "地域との関係を結び直す",
            "町会・民生委員との橋渡し",
            "shakyo",
            "csw-south",
            "月1回",
        ),
    ],
}


def _morita(ctx, today) -> SupportCase:
    """Ministry example 1: the 79-year-old father's care manager connects the case; closed with
    北部包括 as 主担当 once roles were agreed."""
    agencies, users = ctx["agencies"], ctx["users"]
    body, coordinator, supervisor = agencies["shakyo"], users["suishin2"], users["shakyo-kakari"]
    start = today - dt.timedelta(days=300)
    household, persons = _household(
        ctx, body, coordinator, ("森田", "もりた"), MORITA, start, address="みどり市若葉町3-12-5"
    )
    case = _open(coordinator, body, household, persons, MORITA, start)
    _consent(case, persons[0], coordinator, body, MORITA, start)
    with _at(_moment(start, 11)):
        svc.team_add(
            case=case,
            actor=coordinator,
            agency=agencies["kyotaku-aoba"],
            role="support",
            duties="父のケアマネジャー(相談者)",
            joined_on=start,
        )
    _advance(ctx, case, MORITA, S.CLOSED, start, coordinator, supervisor, 3)
    return case


def _morita_survivor(ctx, today, morita: SupportCase) -> SupportCase:
    """Life events after 終結: the father dies (recorded on its date — his household row ends as
    死亡) and the son's own case follows the closed one (前の支援 ↔ 次の支援), with the son as 本人."""
    from cases.services.persons import person_update

    body, coordinator = ctx["agencies"]["shakyo"], ctx["users"]["suishin2"]
    morita = SupportCase.objects.get(pk=morita.pk)
    father = morita.principal
    son = morita.persons.exclude(pk=father.pk).get()
    died_on = today - dt.timedelta(days=30)
    with _at(_moment(died_on + dt.timedelta(days=2))):
        person_update(
            actor=coordinator,
            person=father,
            data={"deceased_on": died_on},
            expected_version=father.version,
        )
    opened = today - dt.timedelta(days=20)
    with _at(_moment(opened, 9)):
        return svc.case_create(
            actor=coordinator,
            household=morita.household,
            coordinating_agency=body,
            principal=son,
            persons=[son],
            opened_on=opened,
            summary="父の死去後の長男の生活(親亡き後)",
            previous_case=morita,
        )


def _kawashima(ctx, today) -> SupportCase:
    """Ministry example 2: the daughter's teacher consults; the plan spans six agencies and the
    case is in 支援実施 with monitoring."""
    agencies, users = ctx["agencies"], ctx["users"]
    body, coordinator, supervisor = (
        agencies["fukushi-soudan"],
        users["suishin1"],
        users["kakaricho"],
    )
    start = today - dt.timedelta(days=120)
    household, persons = _household(
        ctx,
        body,
        coordinator,
        ("川島", "かわしま"),
        KAWASHIMA,
        start,
        address="みどり市川辺町2-8-14",
    )
    case = _open(coordinator, body, household, persons, KAWASHIMA, start)
    _consent(case, persons[1], coordinator, body, KAWASHIMA, start)
    with _at(_moment(start, 11)):
        svc.team_add(
            case=case,
            actor=coordinator,
            agency=agencies["kyoiku-iinkai"],
            user=users["kyoiku1"],
            role="support",
            duties="娘の担任からの相談を受けた教育相談室",
            joined_on=start,
        )
    _advance(ctx, case, KAWASHIMA, S.SUPPORTING, start, coordinator, supervisor, 2)
    return case

"""Demo 参加支援: 30 resources of みどり市 with their participation profiles, ten persons on
participation cases run by the 社協 (多機関協働 body, 参加支援員 sanka1), assessments, and 20
placements across every state with activity days and follow-up.

Two stories are retold with fictional names:
- 鷹栖町's 働くきっかけ応援事業: 北野 翔太 (23), out of work and mostly at home, joins the community
  café work scheme as a helper, trial → active, and is hired by a local company after four
  months (終了・就労).
- 大潟村's 農福連携ファーム: 青木 誠 (54), twenty years withdrawn, comes to farm work after a
  支援会議 and his consent: trial, then active, with follow-up to him and to the farm; 田村 源一
  (72), a retired farmer, joins the farm as 担い手.

Resources the community demo already registered (same name) are reused, not duplicated.
Deterministic and relative to today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cases.choices import InfoKind
from cases.demo.intake import _at
from cases.demo.support import _household, _moment, _open
from cases.models import Consent, TeamRole
from cases.services import support as case_svc

from . import services as svc
from . import services_placements as ps
from .choices import Interest
from .matching import score
from .models import ResourceProfile
from .selectors import person_facts
from .selectors_matching import catalogue_queryset, resource_facts
from .tests.matching_cases import RESOURCES

CENTRE_SHIFT = (-0.05, 0.05)  # the labelled set's centre moved onto みどり市 (35.65, 139.55)
KINDS = {
    "cafe_hidamari": "cafe",
    "farm_minori": "agri_welfare",
    "books_honnowa": "intermediate_work",
    "kodomo_niko": "shokudo",
    "ninchi_yasuragi": "cafe",
    "kayoi_ikiiki": "kayoi",
    "salon_minami": "salon",
    "manabiba": "study_support",
    "aoba_b": "b_type",
    "haishoku": "volunteering",
    "midorikai_kankyo": "corporate_role",
    "logi_souko": "work_experience",
    "engawa": "engawa",
    "nekonoma": "volunteering",
    "it_support": "volunteering",
    "natsumatsuri": "volunteering",
    "kadan": "volunteering",
    "kosodate_hiroba": "kosodate_hiroba",
    "bento": "intermediate_work",
    "ennou": "agri_welfare",
    "library_repair": "volunteering",
    "furatto": "salon",
    "recycle": "intermediate_work",
    "michinoeki": "work_experience",
    "midori_sato": "corporate_role",
    "cafe_senior": "cafe",
}
PLACE_KINDS = {"cafe", "shokudo", "kayoi", "salon", "engawa", "kosodate_hiroba", "study_support"}
LABELS = dict(Interest.choices)

# persons: key, family, given, sex, age, area, interests and sheet values
PERSONS = [
    (
        "aoki",
        ("青木", "あおき"),
        ("誠", "まこと"),
        "男",
        54,
        {
            "interests": ["farming"],
            "withdrawal": True,
            "anxiety": "strong",
            "physical": "heavy",
            "days": [1, 3],
            "wishes": "人の少ない所で体を動かしたい",
            "household_needs": "80代の母は本人が外に出ることを望んでいる",
            "summary": "8050世帯: 20年以上ひきこもる長男と80代の母",
        },
    ),
    (
        "kitano",
        ("北野", "きたの"),
        ("翔太", "しょうた"),
        "男",
        23,
        {
            "interests": ["serving", "cooking"],
            "withdrawal": True,
            "anxiety": "some",
            "wants_income": True,
            "role_wish": "helper",
            "days": [0, 1, 2, 3, 4],
            "wishes": "いずれは働いて家にお金を入れたい",
            "summary": "若者: 就労が続かず自宅中心の生活",
        },
    ),
    (
        "tamura",
        ("田村", "たむら"),
        ("源一", "げんいち"),
        "男",
        72,
        {
            "interests": ["farming", "gardening"],
            "role_wish": "helper",
            "days": [1, 3, 5],
            "wishes": "農家の経験を生かして役に立ちたい",
            "summary": "単身高齢者: 妻を亡くし閉じこもりがち",
        },
    ),
    (
        "mori",
        ("森", "もり"),
        ("沙織", "さおり"),
        "女",
        38,
        {
            "interests": ["books", "office"],
            "anxiety": "strong",
            "withdrawal": True,
            "days": [2, 4],
            "wishes": "人の少ない時間から始めたい",
            "summary": "不安障害で10年離職、母と二人暮らし",
        },
    ),
    (
        "hayashi",
        ("林", "はやし"),
        ("大輝", "だいき"),
        "男",
        19,
        {
            "interests": ["music_art", "talking"],
            "withdrawal": True,
            "anxiety": "strong",
            "days": [1, 3, 5],
            "wishes": "同世代と話せる場所がほしい",
            "summary": "高校中退後の長期ひきこもり",
        },
    ),
    (
        "ishida",
        ("石田", "いしだ"),
        ("久美子", "くみこ"),
        "女",
        61,
        {
            "interests": ["elderly", "talking"],
            "role_wish": "helper",
            "days": [3],
            "wishes": "介護の経験を誰かのために使いたい",
            "summary": "介護離職後の孤立と生活不安",
        },
    ),
    (
        "okada",
        ("岡田", "おかだ"),
        ("健", "けん"),
        "男",
        45,
        {
            "interests": ["cleaning", "light_work"],
            "wants_income": True,
            "withdrawal": True,
            "days": [0, 1, 2, 3, 4],
            "wishes": "少しでも収入を得たい",
            "summary": "生活困窮: 失職と家賃滞納",
        },
    ),
    (
        "sato",
        ("佐藤", "さとう"),
        ("美咲", "みさき"),
        "女",
        33,
        {
            "interests": ["children", "talking"],
            "anxiety": "some",
            "days": [0, 1, 2, 3, 4],
            "wishes": "子どもと一緒に行ける場所",
            "summary": "ひとり親: 転入後の孤立",
        },
    ),
    (
        "nakamura",
        ("中村", "なかむら"),
        ("次郎", "じろう"),
        "男",
        67,
        {
            "interests": ["delivery", "community"],
            "role_wish": "helper",
            "days": [0, 1, 2, 3, 4],
            "wishes": "地域の役に立ちたい",
            "summary": "退職後の閉じこもり、妻の介護",
        },
    ),
    (
        "yamamoto",
        ("山本", "やまもと"),
        ("陽菜", "ひな"),
        "女",
        27,
        {
            "interests": ["animals", "cleaning"],
            "anxiety": "some",
            "days": [5, 6],
            "wishes": "動物と関われることがしたい",
            "summary": "精神疾患の療養後、社会参加の再開",
        },
    ),
]

# person key, resource key, role, path of (status, days ago), outcome, outcome note, activity
PLACEMENTS = [
    (
        "aoki",
        "farm_minori",
        "user",
        [("visit", 75), ("trial", 60), ("active", 30)],
        "",
        "",
        "畑の草取りと収穫",
    ),
    ("aoki", "ennou", "user", [], "", "", "援農(見学の相談中)"),
    (
        "kitano",
        "cafe_hidamari",
        "helper",
        [("visit", 140), ("trial", 133), ("active", 110), ("ended", 10)],
        "employed",
        "カフェの常連だった町内の食品会社に雇用された(4か月)",
        "調理補助と接客",
    ),
    (
        "kitano",
        "bento",
        "user",
        [("visit", 150), ("ended", 145)],
        "other_activity",
        "定員に空きがなくカフェの体験に切り替え",
        "弁当の盛り付け",
    ),
    (
        "tamura",
        "farm_minori",
        "helper",
        [("visit", 50), ("trial", 40), ("active", 20)],
        "",
        "",
        "若い参加者への作業の手ほどき",
    ),
    ("tamura", "kadan", "helper", [("visit", 12)], "", "", "駅前花壇の手入れ"),
    ("mori", "it_support", "user", [("visit", 40), ("trial", 25)], "", "", "データ入力"),
    ("mori", "books_honnowa", "user", [], "", "", "古本の値付け・清掃"),
    (
        "hayashi",
        "furatto",
        "user",
        [("visit", 90), ("trial", 80), ("active", 60), ("ended", 5)],
        "settled",
        "週2回通う生活が定着し、支援員の関わりを終了",
        "音楽サークル",
    ),
    ("hayashi", "manabiba", "helper", [("visit", 8)], "", "", "学習支援の補助"),
    (
        "ishida",
        "ninchi_yasuragi",
        "helper",
        [("visit", 70), ("trial", 63), ("active", 49)],
        "",
        "",
        "傾聴ボランティア",
    ),
    ("ishida", "midori_sato", "helper", [], "", "", "レクリエーション補助"),
    ("okada", "recycle", "user", [("visit", 45), ("trial", 38)], "", "", "商品の清掃・陳列"),
    (
        "okada",
        "aoba_b",
        "user",
        [("visit", 100), ("trial", 95), ("ended", 80)],
        "dropped",
        "通所の時間が長く体調を崩したため中断。短時間の場を探す",
        "軽作業",
    ),
    (
        "sato",
        "kosodate_hiroba",
        "user",
        [("visit", 30), ("trial", 25), ("active", 14)],
        "",
        "",
        "親子で参加",
    ),
    ("sato", "engawa", "user", [("visit", 6)], "", "", "昼食会"),
    (
        "nakamura",
        "haishoku",
        "helper",
        [("visit", 60), ("trial", 55), ("active", 40)],
        "",
        "",
        "配食の配達",
    ),
    (
        "nakamura",
        "natsumatsuri",
        "helper",
        [("visit", 200), ("trial", 190), ("active", 180), ("ended", 150)],
        "settled",
        "自治会の行事係として定着",
        "行事の準備",
    ),
    ("yamamoto", "nekonoma", "user", [("visit", 20), ("trial", 13)], "", "", "猫の世話・清掃"),
    ("yamamoto", "kosodate_hiroba", "helper", [], "", "", "見学の相談中"),
]


def _area(ctx, lat: float) -> object:
    if lat > 35.66:
        return ctx["areas"]["north"]
    if lat < 35.64:
        return ctx["areas"]["south"]
    return ctx["areas"]["central"]


def _resources(ctx, actor) -> dict:
    from community.models import Resource
    from community.services import resource_create

    made = {}
    for facts in RESOURCES:
        existing = Resource.objects.filter(name=facts.name).first()
        lat = round(facts.point[0] + CENTRE_SHIFT[0], 6)
        lng = round(facts.point[1] + CENTRE_SHIFT[1], 6)
        kind = KINDS.get(facts.key, "other")
        resource = existing or resource_create(
            actor=actor,
            name=facts.name,
            kind=kind,
            is_place=kind in PLACE_KINDS,
            operator_name="みどり市社会福祉協議会"
            if kind in ("volunteering", "intermediate_work")
            else "",
            area=_area(ctx, lat),
            latitude=Decimal(str(lat)),
            longitude=Decimal(str(lng)),
            capacity=facts.capacity,
            min_age=facts.min_age,
            max_age=facts.max_age,
            cost_yen=facts.cost_yen,
            interest_tags=[str(LABELS[a]).split("・")[0] for a in sorted(facts.activities)],
            accepts_helpers=facts.helper_role,
            host_experience=["withdrawal"] if facts.withdrawal_experience else [],
            activities="、".join(str(LABELS[a]) for a in sorted(facts.activities)),
            schedule_note="・".join("月火水木金土日"[d] for d in sorted(facts.days))
            + (f" {facts.opens:%H:%M}〜{facts.closes:%H:%M}" if facts.opens else ""),
        )
        ResourceProfile.objects.get_or_create(
            resource=resource,
            defaults={
                "activities": sorted(facts.activities),
                "days": sorted(facts.days),
                "opens": facts.opens,
                "closes": facts.closes,
                "hours_per_session": facts.hours_per_session,
                "bus_lines": "、".join(sorted(facts.bus_lines)),
                "accepts_users": facts.accepts_users,
                "small_group": facts.small_group,
                "paid": facts.paid,
                "physical": facts.physical,
                "updated_by": actor,
            },
        )
        made[facts.key] = resource
    return made


def _case_for(ctx, key, family, given, sex, age, values, start):
    agencies, users = ctx["agencies"], ctx["users"]
    body, coordinator, worker = agencies["shakyo"], users["suishin2"], users["sanka1"]
    template = {
        "tag": "8050" if key == "aoki" else "other",
        "summary": values["summary"],
        "members": [("self", sex, age, given, True)],
        "self": 0,
        "items": [],
    }
    if key == "aoki":
        template["members"].append(("parent", "女", 83, ("フミ", "ふみ"), True))
    household, persons = _household(ctx, body, coordinator, family, template, start)
    case = _open(coordinator, body, household, persons, template, start)
    person = persons[0]
    consent = Consent.objects.create(
        person=person,
        household=household,
        explained_by=coordinator,
        recorded_by_agency=body,
        given_on=start,
        method=Consent.Method.WRITTEN,
        info_kinds=[k.value for k in InfoKind],
        note="参加支援事業の利用にあたり",
    )
    consent.agencies.set([body])
    with _at(_moment(start, 11)):
        case_svc.case_update(
            case=case,
            actor=coordinator,
            summary=case.summary,
            programmes=["multiagency", "participation"],
            persons=persons,
        )
        case_svc.team_add(
            case=case,
            actor=coordinator,
            agency=body,
            user=worker,
            role=TeamRole.PARTICIPATION,
            duties="参加支援(マッチング・定着支援)",
            joined_on=start,
        )
        a = svc.assessment_create(case=case, person=person, actor=worker)
        data = {k: v for k, v in values.items() if k != "summary"}
        lat, lng = (
            35.65 + (len(family[0]) - 1.5) * 0.01,
            139.55 + (ord(given[0][0]) % 5 - 2) * 0.004,
        )
        data.update(home_lat=Decimal(f"{lat:.5f}"), home_lng=Decimal(f"{lng:.5f}"))
        data.setdefault("strengths", "約束の時間を守る、まじめ")
        a = svc.assessment_update(
            assessment=a, actor=worker, lock_version=a.lock_version, data=data
        )
    return case, a


def seed(ctx: dict) -> None:
    users = ctx["users"]
    worker = users["sanka1"]
    today = timezone.localdate()
    resources = _resources(ctx, worker)
    by_pk = {r.pk: r for r in catalogue_queryset()}
    assessments = {}
    for key, family, given, sex, age, values in PERSONS:
        start = today - dt.timedelta(days=220)
        _case, a = _case_for(ctx, key, family, given, sex, age, values, start)
        assessments[key] = a
    for n, (key, res_key, role, path, outcome, note, activity) in enumerate(PLACEMENTS):
        a = assessments[key]
        resource = resources[res_key]
        proposed = today - dt.timedelta(days=(path[0][1] + 7) if path else 3)
        match = score(person_facts(a), resource_facts(by_pk.get(resource.pk, resource)))
        with _at(_moment(proposed, 10)):
            p = ps.placement_propose(
                assessment=a,
                resource=resource,
                actor=worker,
                role=role,
                activity=activity,
                match=match,
                proposed_on=proposed,
            )
        for status, days_ago in path:
            on = today - dt.timedelta(days=days_ago)
            with _at(_moment(on, 15)):
                p = ps.placement_move(
                    placement=p,
                    actor=worker,
                    to=status,
                    on=on,
                    outcome=outcome if status == "ended" else "",
                    outcome_note=note if status == "ended" else "",
                )
        _activity(p, worker, path, today, n)
    ctx["participation_assessments"] = assessments


def _activity(p, worker, path, today, n) -> None:
    """Activity days twice a week while 体験/参加, and follow-up to the person and the host."""
    statuses = dict(path)
    if "trial" not in statuses:
        return
    first = today - dt.timedelta(days=statuses["trial"])
    last = today - dt.timedelta(days=statuses.get("ended", 1))
    days = [first + dt.timedelta(days=d) for d in range(0, (last - first).days + 1, 3)][:40]
    if days:
        with _at(_moment(last, 17)):
            ps.activity_record(
                placement=p,
                actor=worker,
                days=days,
                hours=Decimal("3.0") if n % 2 else Decimal("2.5"),
                source="host" if n % 3 == 0 else "worker",
            )
    # Follow-up every two weeks; the last one of a few active placements is older than 14 days
    # so the reminder has something to show.
    stale = n in (10, 16)
    step = 14
    day = first + dt.timedelta(days=3)
    end = last - dt.timedelta(days=20 if stale else 0)
    turn = 0
    while day <= end:
        with _at(_moment(day, 13)):
            ps.follow_up_record(
                placement=p,
                actor=worker,
                target="person" if turn % 2 == 0 else "host",
                kind=["visit", "consult", "phone", "adjust", "interview", "training"][turn % 6],
                on=day,
                minutes=30 + 15 * (turn % 3),
                content=[
                    "作業の様子を見学。表情がやわらかくなってきた",
                    "受け入れ先と声かけの工夫を相談",
                    "体調と生活リズムを電話で確認",
                    "作業時間の調整を受け入れ先と行った",
                    "本人と面談し、次の目標を話し合った",
                    "受け入れ先の職員向けにひきこもり経験者の理解の研修",
                ][turn % 6],
            )
        turn += 1
        day += dt.timedelta(days=step)

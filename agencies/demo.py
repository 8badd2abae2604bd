"""Demo city: みどり市 with three 日常生活圏域, ~15 agencies and ~25 staff. Fictional, deterministic."""

from datetime import date

from django.conf import settings

from .choices import AgencyKind as K
from .choices import OperatorType as O
from .choices import Programme as P
from .choices import Role as R
from .models import Agency, Area, Membership, User

AREAS = [
    ("city", "みどり市全域", "みどりしぜんいき", "city", None),
    ("north", "北部圏域", "ほくぶけんいき", "sphere", "city"),
    ("central", "中部圏域", "ちゅうぶけんいき", "sphere", "city"),
    ("south", "南部圏域", "なんぶけんいき", "sphere", "city"),
    ("north-1", "若葉地区", "わかばちく", "district", "north"),
    ("central-1", "駅前地区", "えきまえちく", "district", "central"),
    ("south-1", "川辺地区", "かわべちく", "district", "south"),
]

# code, name, kana, short, kind, operator type, operator, programmes, area
AGENCIES = [
    (
        "fukushi-soudan",
        "みどり市 福祉相談課",
        "みどりし ふくしそうだんか",
        "福祉相談課",
        K.CITY_SECTION,
        O.MUNICIPAL,
        "みどり市",
        [P.CONSULTATION, P.MULTIAGENCY],
        "city",
    ),
    (
        "koureishougai",
        "みどり市 高齢障がい課",
        "みどりし こうれいしょうがいか",
        "高齢障がい課",
        K.CITY_SECTION,
        O.MUNICIPAL,
        "みどり市",
        [P.CONSULTATION],
        "city",
    ),
    (
        "kodomo-katei",
        "みどり市 子ども家庭支援センター",
        "みどりし こどもかていしえんせんたー",
        "子家セン",
        K.KODOMO_KATEI,
        O.MUNICIPAL,
        "みどり市",
        [P.CONSULTATION, P.CHILDCARE],
        "city",
    ),
    (
        "seikatsu-fukushi",
        "みどり市 生活福祉課(福祉事務所)",
        "みどりし せいかつふくしか",
        "生活福祉課",
        K.FUKUSHI_JIMUSHO,
        O.MUNICIPAL,
        "みどり市",
        [P.CONSULTATION],
        "city",
    ),
    (
        "hoken-center",
        "みどり市 保健センター",
        "みどりし ほけんせんたー",
        "保健センター",
        K.HOKENJO,
        O.MUNICIPAL,
        "みどり市",
        [P.CONSULTATION],
        "city",
    ),
    (
        "shakyo",
        "社会福祉法人 みどり市社会福祉協議会",
        "みどりししゃかいふくしきょうぎかい",
        "社協",
        K.SHAKYO,
        O.CONTRACTED,
        "社会福祉法人 みどり市社会福祉協議会",
        [P.MULTIAGENCY, P.OUTREACH, P.PARTICIPATION, P.COMMUNITY],
        "city",
    ),
    (
        "houkatsu-north",
        "北部地域包括支援センター",
        "ほくぶちいきほうかつしえんせんたー",
        "北部包括",
        K.HOUKATSU,
        O.CONTRACTED,
        "社会福祉法人 わかば会",
        [P.CONSULTATION, P.ELDERLY],
        "north",
    ),
    (
        "houkatsu-central",
        "中部地域包括支援センター",
        "ちゅうぶちいきほうかつしえんせんたー",
        "中部包括",
        K.HOUKATSU,
        O.CONTRACTED,
        "医療法人 みどり会",
        [P.CONSULTATION, P.ELDERLY],
        "central",
    ),
    (
        "houkatsu-south",
        "南部地域包括支援センター",
        "なんぶちいきほうかつしえんせんたー",
        "南部包括",
        K.HOUKATSU,
        O.CONTRACTED,
        "社会福祉法人 かわべ福祉会",
        [P.CONSULTATION, P.ELDERLY],
        "south",
    ),
    (
        "kikan-soudan",
        "みどり市基幹相談支援センター",
        "みどりしきかんそうだんしえんせんたー",
        "基幹相談",
        K.KIKAN_SOUDAN,
        O.CONTRACTED,
        "社会福祉法人 ひだまり",
        [P.CONSULTATION, P.DISABILITY],
        "city",
    ),
    (
        "jiritsu-soudan",
        "みどり市くらし・しごと相談センター",
        "みどりしくらししごとそうだんせんたー",
        "くらし相談",
        K.KONKYU,
        O.CONTRACTED,
        "NPO法人 みちしるべ",
        [P.CONSULTATION, P.LIVELIHOOD],
        "city",
    ),
    (
        "kosodate-hiroba",
        "子育て世代包括支援センター すくすく",
        "こそだてせだいほうかつしえんせんたー すくすく",
        "すくすく",
        K.KOSODATE,
        O.CONTRACTED,
        "NPO法人 すくすくネット",
        [P.CONSULTATION, P.CHILDCARE],
        "central",
    ),
    (
        "saposte",
        "みどり地域若者サポートステーション",
        "みどりちいきわかものさぽーとすてーしょん",
        "サポステ",
        K.SAPOSTE,
        O.OTHER,
        "株式会社 あすなろ",
        [],
        "central",
    ),
    (
        "kyotaku-aoba",
        "居宅介護支援事業所 あおば",
        "きょたくかいごしえんじぎょうしょ あおば",
        "あおば居宅",
        K.KYOTAKU,
        O.OTHER,
        "有限会社 あおば",
        [],
        "north",
    ),
    (
        "npo-ibasho",
        "NPO法人 まちの縁側みどり",
        "まちのえんがわみどり",
        "まちの縁側",
        K.NPO,
        O.CONTRACTED,
        "NPO法人 まちの縁側みどり",
        [P.COMMUNITY, P.PARTICIPATION],
        "south",
    ),
    (
        "kyoiku-iinkai",
        "みどり市教育委員会 教育相談室",
        "みどりしきょういくいいんかい きょういくそうだんしつ",
        "教育相談室",
        K.SCHOOL,
        O.MUNICIPAL,
        "みどり市",
        [],
        "city",
    ),
]

# username, display name, kana, staff no., [(agency code, role)]
STAFF = [
    ("admin", "管理 花子", "かんり はなこ", "M0001", [("fukushi-soudan", R.ADMIN)]),
    ("kakaricho", "係長 誠", "かかりちょう まこと", "M0002", [("fukushi-soudan", R.SUPERVISOR)]),
    ("suishin1", "推進 一郎", "すいしん いちろう", "M0003", [("fukushi-soudan", R.COORDINATOR)]),
    (
        "suishin2",
        "推進 二葉",
        "すいしん ふたば",
        "S0001",
        [("shakyo", R.COORDINATOR), ("shakyo", R.CSW)],
    ),
    ("shakyo-kakari", "社協 統括", "しゃきょう とうかつ", "S0002", [("shakyo", R.SUPERVISOR)]),
    ("csw-north", "北野 みどり", "きたの みどり", "S0003", [("shakyo", R.CSW)]),
    ("csw-south", "南 公平", "みなみ こうへい", "S0004", [("shakyo", R.CSW)]),
    ("sanka1", "参加 結衣", "さんか ゆい", "S0005", [("shakyo", R.PARTICIPATION_WORKER)]),
    ("sanka2", "縁側 大地", "えんがわ だいち", "N0001", [("npo-ibasho", R.PARTICIPATION_WORKER)]),
    ("houkatsu-n1", "若葉 さくら", "わかば さくら", "C0101", [("houkatsu-north", R.CASEWORKER)]),
    ("houkatsu-n2", "北川 翔", "きたがわ しょう", "C0102", [("houkatsu-north", R.CASEWORKER)]),
    ("houkatsu-nsv", "北原 恵子", "きたはら けいこ", "C0103", [("houkatsu-north", R.SUPERVISOR)]),
    ("houkatsu-c1", "中村 陽菜", "なかむら ひな", "C0201", [("houkatsu-central", R.CASEWORKER)]),
    ("houkatsu-s1", "川辺 健", "かわべ けん", "C0301", [("houkatsu-south", R.CASEWORKER)]),
    ("kikan1", "日向 優", "ひなた ゆう", "C0401", [("kikan-soudan", R.CASEWORKER)]),
    ("jiritsu1", "道標 拓海", "みちしるべ たくみ", "C0501", [("jiritsu-soudan", R.CASEWORKER)]),
    ("jiritsu2", "相田 真央", "あいだ まお", "C0502", [("jiritsu-soudan", R.CASEWORKER)]),
    ("kosodate1", "育田 葵", "いくた あおい", "C0601", [("kosodate-hiroba", R.CASEWORKER)]),
    ("kodomo1", "子守 蓮", "こもり れん", "M0101", [("kodomo-katei", R.CASEWORKER)]),
    ("seikatsu1", "生田 颯", "いくた はやて", "M0201", [("seikatsu-fukushi", R.CASEWORKER)]),
    ("hoken1", "保科 美咲", "ほしな みさき", "M0301", [("hoken-center", R.CASEWORKER)]),
    ("koureishougai1", "高井 悠斗", "たかい ゆうと", "M0401", [("koureishougai", R.CASEWORKER)]),
    ("kyoiku1", "教野 智子", "きょうの ともこ", "M0501", [("kyoiku-iinkai", R.CASEWORKER)]),
    ("saposte1", "明日 奏", "あした かなで", "O0001", [("saposte", R.CASEWORKER)]),
    ("minsei1", "民生 和子", "みんせい かずこ", "", [("shakyo", R.RESIDENT)]),
]

# Logins printed by `make run` and listed in the README.
DEMO_LOGINS = [
    ("houkatsu-n1", "地域包括支援センター 相談員"),
    ("suishin1", "相談支援包括化推進員 (市)"),
    ("suishin2", "推進員・CSW (社協)"),
    ("kakaricho", "係長 (二要素認証あり)"),
    ("admin", "管理者 (二要素認証あり)"),
    ("minsei1", "民生委員 (気づきシートのみ)"),
]

FISCAL_START = date(2024, 4, 1)


def seed(ctx: dict) -> None:
    areas = {}
    for order, (code, name, kana, level, parent) in enumerate(AREAS):
        areas[code] = Area.objects.create(
            code=code, name=name, kana=kana, level=level, parent=areas.get(parent), sort_order=order
        )
    agencies = {}
    for n, (code, name, kana, short, kind, op_type, operator, programmes, area) in enumerate(
        AGENCIES
    ):
        agencies[code] = Agency.objects.create(
            code=code,
            name=name,
            kana=kana,
            short_name=short,
            kind=kind,
            operator_type=op_type,
            operator=operator,
            programmes=[str(p) for p in programmes],
            area=areas[area],
            postal_code=f"100-{n:04d}",
            address=f"みどり市{areas[area].name.replace('圏域', '')}町{n + 1}-1",
            phone=f"0120-00-{n:04d}",
            email=f"{code}@example.jp",
        )
    users = {}
    for username, display, kana, number, memberships in STAFF:
        user = User.objects.create_user(
            username=username,
            password=settings.DEMO_PASSWORD,
            display_name=display,
            kana=kana,
            staff_number=number,
            email=f"{username}@example.jp",
            last_name=display.split()[0],
            first_name=display.split()[-1],
        )
        users[username] = user
        for agency_code, role in memberships:
            Membership.objects.create(
                user=user, agency=agencies[agency_code], role=role, start_date=FISCAL_START
            )
    # An April transfer with history: 北川 moved from the south to the north centre in 2025.
    Membership.objects.create(
        user=users["houkatsu-n2"],
        agency=agencies["houkatsu-south"],
        role=R.CASEWORKER,
        start_date=date(2022, 4, 1),
        end_date=date(2024, 3, 31),
        note="2024年4月 北部包括へ異動",
    )
    ctx.update(areas=areas, agencies=agencies, users=users)
    # Two-factor for every demo login that needs it, with the documented demo key, so the
    # supervisor and admin logins work on any machine (`make otp USER=kakaricho`).
    from .services_auth import otp_demo_device_create

    for user in users.values():
        if user.requires_2fa():
            otp_demo_device_create(user=user)

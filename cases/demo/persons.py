"""Demo persons and households: ~200 fictional people in ~120 households over the three areas.

Deterministic through ctx["rng"]. Includes 異体字 (髙橋/高橋, 渡邊/渡辺, 齋藤/斎藤, 山﨑/山崎) and a few
near-duplicates registered by different agencies so 名寄せ can be demonstrated, and consents of
each method, some withdrawn and some expired.

Puts into ctx: "persons" (list), "households" (list), "household_members" ({household pk: [persons,
key person first]}), "household_types" ({household pk: type tag}).
"""

import datetime as dt

from django.utils import timezone

from cases.choices import InfoKind
from cases.models import Consent, Household, HouseholdMember, Person
from cases.normalize import normalize_kana, normalize_name, normalize_phone

SURNAMES = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("髙橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("渡邊", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("山口", "やまぐち"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("林", "はやし"),
    ("斎藤", "さいとう"),
    ("齋藤", "さいとう"),
    ("清水", "しみず"),
    ("山崎", "やまざき"),
    ("山﨑", "やまざき"),
    ("森", "もり"),
    ("池田", "いけだ"),
    ("橋本", "はしもと"),
    ("阿部", "あべ"),
    ("石川", "いしかわ"),
    ("前田", "まえだ"),
    ("藤田", "ふじた"),
    ("小川", "おがわ"),
    ("岡田", "おかだ"),
    ("長谷川", "はせがわ"),
    ("村上", "むらかみ"),
    ("近藤", "こんどう"),
    ("坂本", "さかもと"),
    ("遠藤", "えんどう"),
    ("青木", "あおき"),
]
MALE = [
    ("一郎", "いちろう"),
    ("誠", "まこと"),
    ("浩", "ひろし"),
    ("清", "きよし"),
    ("健一", "けんいち"),
    ("大輔", "だいすけ"),
    ("翔太", "しょうた"),
    ("拓海", "たくみ"),
    ("蓮", "れん"),
    ("悠真", "ゆうま"),
    ("勝", "まさる"),
    ("茂", "しげる"),
    ("隆", "たかし"),
    ("和也", "かずや"),
    ("陽斗", "はると"),
]
FEMALE = [
    ("和子", "かずこ"),
    ("幸子", "さちこ"),
    ("恵子", "けいこ"),
    ("花子", "はなこ"),
    ("美咲", "みさき"),
    ("由美", "ゆみ"),
    ("陽菜", "ひな"),
    ("結衣", "ゆい"),
    ("葵", "あおい"),
    ("さくら", "さくら"),
    ("節子", "せつこ"),
    ("久美子", "くみこ"),
    ("真由美", "まゆみ"),
    ("愛", "あい"),
    ("凛", "りん"),
]

AREAS = ["north", "central", "south"]
TOWNS = {
    "north": ["若葉町", "北原町", "緑ヶ丘"],
    "central": ["駅前町", "本町", "中央"],
    "south": ["川辺町", "南台", "港町"],
}
HOUKATSU = {"north": "houkatsu-north", "central": "houkatsu-central", "south": "houkatsu-south"}

T = Household.TypeTag
R = HouseholdMember.Relation
# (type tag, how many households)
PLAN = [
    (T.SINGLE_ELDERLY, 38),
    (T.ELDERLY_COUPLE, 18),
    (T.P8050, 20),
    (T.DOUBLE_CARE, 10),
    (T.SINGLE_PARENT, 16),
    (T.YOUNG_CARER, 10),
    (T.MULTI_ISSUE, 8),
]


def seed(ctx: dict) -> None:
    rng = ctx["rng"]
    agencies, users, areas = ctx["agencies"], ctx["users"], ctx["areas"]
    today = timezone.localdate()
    staff_of = {}
    for user in users.values():
        for m in user.memberships.all():
            if m.role not in ("admin", "resident"):
                staff_of.setdefault(m.agency.code, user)

    persons: list[Person] = []
    households: list[Household] = []
    members_of: dict[int, list[Person]] = {}
    types: dict[int, str] = {}
    serial = [0]

    def birth(age: int) -> dt.date:
        return today - dt.timedelta(days=age * 365 + rng.randint(0, 364))

    def phone() -> str:
        serial[0] += 1
        return f"042-3{serial[0] % 100:02d}-{rng.randint(1000, 9999)}" if rng.random() < 0.8 else ""

    def make_person(agency_code, area_code, address, surname, given, sex, age, **extra) -> Person:
        person = Person(
            family_name=surname[0],
            family_name_kana=surname[1],
            given_name=given[0],
            given_name_kana=given[1],
            sex=sex,
            birth_date=birth(age),
            address=address,
            area=areas[area_code],
            phone=extra.pop("phone", phone()),
            registered_by_agency=agencies[agency_code],
            created_by=staff_of[agency_code],
            created_at=timezone.now() - dt.timedelta(days=rng.randint(30, 540)),
            **extra,
        )
        person.name_search = normalize_name(person.family_name + person.given_name)
        person.kana_search = normalize_kana(person.family_name_kana + person.given_name_kana)
        person.phone_digits = normalize_phone(person.phone)
        person.save()
        persons.append(person)
        return person

    def make_household(tag, agency_code, area_code, address, members) -> Household:
        household = Household.objects.create(
            postal_code=f"{rng.randint(180, 189)}-{rng.randint(0, 9999):04d}",
            address=address,
            area=areas[area_code],
            type_tags=[tag],
            registered_by_agency=agencies[agency_code],
            created_by=staff_of[agency_code],
        )
        for index, (person, relation, lives_together, carer) in enumerate(members):
            HouseholdMember.objects.create(
                household=household,
                person=person,
                relation=relation,
                is_key_person=index == 0,
                lives_together=lives_together,
                is_main_carer=carer,
                joined_on=person.created_at.date() if index == 0 else None,
            )
        households.append(household)
        members_of[household.pk] = [m[0] for m in members]
        types[household.pk] = tag
        return household

    used: set[str] = set()  # given names already in the household being built

    def pick(names):
        name = names[rng.randrange(len(names))]
        while name in used and not used.issuperset(names):  # no mother and child both 久美子
            name = names[rng.randrange(len(names))]
        used.add(name)
        return name

    for tag, count in PLAN:
        for _ in range(count):
            used.clear()
            area = AREAS[rng.randrange(3)]
            address = f"みどり市{pick(TOWNS[area])}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
            surname = pick(SURNAMES)
            if tag == T.SINGLE_ELDERLY:
                sex = rng.choice(["女", "男"])
                p = make_person(
                    HOUKATSU[area],
                    area,
                    address,
                    surname,
                    pick(FEMALE if sex == "女" else MALE),
                    sex,
                    rng.randint(72, 94),
                )
                members = [(p, R.SELF, True, False)]
                agency = HOUKATSU[area]
            elif tag == T.ELDERLY_COUPLE:
                agency = HOUKATSU[area]
                husband = make_person(
                    agency, area, address, surname, pick(MALE), "男", rng.randint(75, 90)
                )
                wife = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(72, 88)
                )
                members = [(wife, R.SELF, True, True), (husband, R.SPOUSE, True, False)]
            elif tag == T.P8050:
                agency = rng.choice([HOUKATSU[area], "jiritsu-soudan"])
                parent = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(78, 90)
                )
                child = make_person(
                    agency, area, address, surname, pick(MALE), "男", rng.randint(48, 58)
                )
                members = [(parent, R.SELF, True, False), (child, R.CHILD, True, False)]
            elif tag == T.DOUBLE_CARE:
                agency = "kosodate-hiroba"
                mother = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(36, 48)
                )
                kid = make_person(
                    agency, area, address, surname, pick(MALE + FEMALE), "", rng.randint(2, 9)
                )
                grand = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(74, 86)
                )
                members = [
                    (mother, R.SELF, True, True),
                    (kid, R.CHILD, True, False),
                    (grand, R.PARENT, rng.random() < 0.5, False),
                ]
            elif tag == T.SINGLE_PARENT:
                agency = rng.choice(["kodomo-katei", "kosodate-hiroba", "jiritsu-soudan"])
                parent = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(28, 45)
                )
                members = [(parent, R.SELF, True, True)]
                for _k in range(1 if rng.random() < 0.6 else 2):
                    members.append(
                        (
                            make_person(
                                agency,
                                area,
                                address,
                                surname,
                                pick(MALE + FEMALE),
                                "",
                                rng.randint(1, 16),
                            ),
                            R.CHILD,
                            True,
                            False,
                        )
                    )
            elif tag == T.YOUNG_CARER:
                agency = (
                    rng.choice(["kodomo-katei", "kyoiku-iinkai"])
                    if "kyoiku-iinkai" in staff_of
                    else "kodomo-katei"
                )
                carer = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(13, 17)
                )
                parent = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(40, 52)
                )
                members = [(carer, R.SELF, True, True), (parent, R.PARENT, True, False)]
                if rng.random() < 0.5:
                    members.append(
                        (
                            make_person(
                                agency, area, address, surname, pick(MALE), "男", rng.randint(6, 11)
                            ),
                            R.SIBLING,
                            True,
                            False,
                        )
                    )
            else:
                agency = rng.choice(["jiritsu-soudan", "kikan-soudan", "seikatsu-fukushi"])
                a = make_person(
                    agency, area, address, surname, pick(MALE), "男", rng.randint(40, 65)
                )
                b = make_person(
                    agency, area, address, surname, pick(FEMALE), "女", rng.randint(38, 63)
                )
                members = [(a, R.SELF, True, False), (b, R.SPOUSE, True, False)]
            make_household(tag, agency, area, address, members)

    # One member who moved out (history) and one deceased, for the household history pages.
    for household in households[5:7]:
        member = household.members.order_by("-pk").first()
        if household.members.count() > 1:
            member.left_on = today - dt.timedelta(days=60)
            member.left_reason = "転出"
            member.save()
            member.person.moved_out_on = member.left_on
            member.person.save(update_fields=["moved_out_on"])

    # Near-duplicates for 名寄せ: the same people registered again by another agency, with variant
    # kanji, katakana ふりがな or only the phone number in common.
    samples = [p for p in persons if p.family_name in ("髙橋", "渡邊", "齋藤", "山﨑")][
        :3
    ] + persons[10:12]
    swap = {"髙橋": "高橋", "渡邊": "渡辺", "齋藤": "斎藤", "山﨑": "山崎"}
    for n, original in enumerate(samples):
        agency = (
            "jiritsu-soudan"
            if original.registered_by_agency.code != "jiritsu-soudan"
            else "kikan-soudan"
        )
        kana = original.family_name_kana
        twin = make_person(
            agency,
            AREAS[n % 3],
            original.address,
            (
                swap.get(original.family_name, original.family_name),
                "".join(chr(ord(c) + 0x60) for c in kana) if n % 2 else kana,
            ),
            (original.given_name, original.given_name_kana),
            original.sex,
            0,
            phone=original.phone if n >= 3 else "",
        )
        twin.birth_date = original.birth_date
        twin.save(update_fields=["birth_date"])

    # Consents: written, oral and by proxy; some withdrawn, some expired.
    sharing = [agencies["fukushi-soudan"], agencies["shakyo"]]
    methods = [
        Consent.Method.WRITTEN,
        Consent.Method.WRITTEN,
        Consent.Method.ORAL,
        Consent.Method.PROXY,
    ]
    all_kinds = [k.value for k in InfoKind]
    for n, household in enumerate(households):
        if n % 5 == 4:
            continue  # about one household in five without any consent yet
        key = members_of[household.pk][0]
        method = methods[n % len(methods)]
        given = today - dt.timedelta(days=rng.randint(10, 500))
        consent = Consent.objects.create(
            person=key,
            household=household,
            explained_by=staff_of[key.registered_by_agency.code],
            recorded_by_agency=key.registered_by_agency,
            given_on=given,
            method=method,
            proxy_name=f"{key.family_name} {pick(FEMALE)[0]}"
            if method == Consent.Method.PROXY
            else "",
            proxy_relation="長女" if method == Consent.Method.PROXY else "",
            info_kinds=all_kinds
            if n % 3
            else [InfoKind.BASIC, InfoKind.HOUSEHOLD, InfoKind.HISTORY],
            valid_until=given + dt.timedelta(days=365) if n % 4 == 1 else None,
        )
        consent.agencies.set([key.registered_by_agency, *sharing])
        if n % 17 == 3:
            consent.withdrawn_at = timezone.now() - dt.timedelta(days=rng.randint(1, 30))
            consent.withdrawn_by = staff_of[key.registered_by_agency.code]
            consent.withdrawn_note = "本人から電話で撤回の申し出"
            consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_note"])

    ctx["persons"] = persons
    ctx["households"] = households
    ctx["household_members"] = members_of
    ctx["household_types"] = types

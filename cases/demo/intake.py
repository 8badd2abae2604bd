"""Demo data of the intake side: ~300 consultations over the last 18 months (every route and
issue category), ~40 つなぐシート in every state with their timelines, and concern slips from the
民生委員 "minsei1". Deterministic (ctx["rng"]) and relative to today.

Records are written through the services so numbers, events, deadlines and audit rows are what
the application itself would produce; each service call runs "at" the demo moment (the clock is
moved with `_at`, the way a test freezes time) so sheet numbers and case numbers follow the fiscal
year they fall in.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from agencies.choices import Role
from agencies.models import Membership
from cases.choices import InfoKind, IssueCategory, Route
from cases.models import (
    Consent,
    ConsultationOutcome,
    ConsulterKind,
    Household,
    HouseholdMember,
    Person,
    Referral,
    ReferralTrigger,
    Urgency,
)
from cases.services import intake as services

SUMMARIES = [
    "80代の母と50代の長男の二人暮らし。長男は長年就労しておらず、母の介護も担えていない様子。",
    "家賃の滞納が3か月続いており、退去を求められている。収入は年金のみ。",
    "中学生の長女が不登校。母はダブルケアで疲弊しており、相談先がわからない。",
    "近隣から、ごみが敷地外まであふれていると連絡。本人は支援を拒否している。",
    "精神疾患のある本人が服薬を中断している。家族は対応に困っている。",
    "外国籍の母子世帯。日本語での手続きが難しく、保育所の申込ができていない。",
    "認知症の疑いがある単身高齢者。金銭管理ができず、訪問販売の被害が心配。",
    "ひきこもり状態の30代男性。父の入院をきっかけに生活が立ち行かなくなった。",
    "多頭飼育で近隣トラブルになっている。飼い主は高齢で身寄りがない。",
    "ヤングケアラーと思われる高校生。障がいのある弟の世話で欠席が増えている。",
]
RESPONSES = [
    "制度の説明と、次回の面談日を設定した。",
    "関係機関の情報提供を行い、本人の了解を得て連絡した。",
    "家庭訪問を実施し、状況を確認した。",
    "世帯全体の課題整理が必要と判断し、多機関協働につなぐ方向で本人と話した。",
]
SLIPS = [
    (
        "若葉地区の角の家に住む80代くらいの男性",
        "若葉1丁目付近",
        "新聞が3日分たまっている。最近姿を見かけない。",
        Urgency.HIGH,
    ),
    (
        "駅前のアパート2階の母子",
        "駅前2丁目",
        "夜遅くまで子どもが一人で外にいることが多い。",
        Urgency.NORMAL,
    ),
    (
        "川辺地区の一人暮らしの女性(70代)",
        "川辺3丁目",
        "庭の草が伸び放題で、郵便物があふれている。",
        Urgency.NORMAL,
    ),
    (
        "若葉地区の高齢のご夫婦",
        "若葉4丁目",
        "夫が妻を大声で怒鳴る声がたびたび聞こえる。",
        Urgency.URGENT,
    ),
    (
        "中部圏域の団地に住む50代の男性",
        "中央団地",
        "サロンに来なくなった。以前より痩せた様子。",
        Urgency.NORMAL,
    ),
    (
        "川辺地区の外国籍のご家族",
        "川辺1丁目",
        "ごみの出し方で近所ともめている。言葉が通じにくい様子。",
        Urgency.NORMAL,
    ),
]

# 40 sheets: the state each one ends in.
REFERRAL_PLAN = (
    ["draft"] * 4
    + ["sent"] * 5
    + ["opened"] * 5
    + ["info_requested"] * 4
    + ["answered"] * 2
    + ["accepted"] * 12
    + ["returned"] * 5
    + ["withdrawn"] * 3
)


# The real clock: `_at` patches `timezone.now`, and a step must be compared with the moment the
# demo loads, not with the moment of the step around it.
_clock = timezone.now


def _past(moment: dt.datetime) -> dt.datetime:
    """`moment`, or now when it is later: the demo is loaded at any time of day, and a step
    planned "a few hours after" a sheet sent this morning (or "today at 16:00") would otherwise
    be dated after the moment the user reads the timeline."""
    return min(moment, _clock())


@contextmanager
def _at(moment: dt.datetime):
    """Run services as if it were `moment`, never later than now (demo data only)."""
    moment = _past(moment)
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def _staff_by_agency() -> dict[int, list]:
    result: dict[int, list] = {}
    for m in (
        Membership.objects.current()
        .filter(role__in=[Role.CASEWORKER, Role.COORDINATOR, Role.CSW, Role.SUPERVISOR])
        .select_related("user")
        .order_by("pk")
    ):
        result.setdefault(m.agency_id, []).append(m.user)
    return result


def _coordinator_at(agency) -> object | None:
    m = (
        Membership.objects.current()
        .filter(agency=agency, role__in=[Role.COORDINATOR, Role.SUPERVISOR])
        .order_by("role", "pk")
        .select_related("user")
        .first()
    )
    return m.user if m else None


def _fallback_households(ctx, agencies) -> None:
    """When the persons demo did not run: a few households so referrals have someone to be about."""
    from cases.normalize import normalize_kana, normalize_name

    rng = ctx["rng"]
    families = [
        ("佐藤", "さとう"),
        ("鈴木", "すずき"),
        ("高橋", "たかはし"),
        ("田中", "たなか"),
        ("伊藤", "いとう"),
    ]
    for i, agency in enumerate(agencies * 3):
        creator = _staff_by_agency().get(agency.pk, [None])[0]
        if creator is None:
            continue
        family, kana = families[i % len(families)]
        household = Household.objects.create(
            address=f"みどり市{agency.area.name if agency.area else ''}{i + 1}-{rng.randint(1, 20)}",
            area=agency.area,
            type_tags=["8050"] if i % 3 == 0 else [],
            registered_by_agency=agency,
            created_by=creator,
        )
        for j, (given, gkana, relation, age) in enumerate(
            [
                ("ハル", "はる", HouseholdMember.Relation.SELF, 82),
                ("一郎", "いちろう", HouseholdMember.Relation.CHILD, 53),
            ]
        ):
            person = Person.objects.create(
                family_name=family,
                given_name=f"{given}{i}",
                family_name_kana=kana,
                given_name_kana=f"{gkana}",
                birth_date=dt.date(timezone.localdate().year - age, 1 + (i % 12), 1 + (j * 7)),
                address=household.address,
                area=agency.area,
                registered_by_agency=agency,
                created_by=creator,
                name_search=normalize_name(f"{family}{given}{i}"),
                kana_search=normalize_kana(f"{kana}{gkana}"),
            )
            HouseholdMember.objects.create(
                household=household, person=person, relation=relation, is_key_person=j == 0
            )


def seed(ctx: dict) -> None:
    rng = ctx["rng"]
    agencies = ctx.get("agencies") or {}
    users = ctx.get("users") or {}
    if not agencies:
        return
    staff = _staff_by_agency()
    intake_agencies = [
        a
        for a in agencies.values()
        if "consultation" in (a.programmes or []) and staff.get(a.pk) and a.active
    ]
    if not Household.objects.exists():
        _fallback_households(ctx, intake_agencies)

    # Households with a key person, by the agency that registered them (that agency may see them).
    by_agency: dict[int, list[tuple]] = {}
    for hh in Household.objects.prefetch_related("members__person").order_by("pk"):
        members = [m for m in hh.members.all() if m.left_on is None]
        if not members:
            continue
        key = next((m for m in members if m.is_key_person), members[0])
        by_agency.setdefault(hh.registered_by_agency_id, []).append((hh, key.person))

    now = timezone.now().replace(second=0, microsecond=0)
    consultations = _seed_consultations(rng, now, intake_agencies, staff, by_agency)
    _seed_referrals(rng, now, agencies, consultations, staff)
    _seed_answered_in_own_work(rng, now, agencies, consultations, staff)
    _seed_concern_slips(rng, now, agencies, users)


def _seed_consultations(rng, now, intake_agencies, staff, by_agency) -> list:
    routes, categories = list(Route.values), list(IssueCategory.values)
    outcomes = list(ConsultationOutcome.values)
    moments = sorted(
        now
        - dt.timedelta(
            days=rng.randint(0, 540), hours=rng.randint(0, 8), minutes=rng.choice([0, 15, 30, 45])
        )
        for _ in range(300)
    )
    created = []
    for i, moment in enumerate(moments):
        local = timezone.localtime(moment).replace(hour=9 + (i % 8))
        if local > now:
            local -= dt.timedelta(days=1)
        agency = (
            intake_agencies[i % len(intake_agencies)]
            if i < len(intake_agencies)
            else rng.choice(intake_agencies)
        )
        actor = rng.choice(staff[agency.pk])
        kind = rng.choice(list(ConsulterKind.values))
        pool = by_agency.get(agency.pk, [])
        person = household = None
        if kind != ConsulterKind.ANONYMOUS and pool and rng.random() < 0.8:
            household, person = rng.choice(pool)
        cats = {categories[i % len(categories)]}
        cats |= set(rng.sample(categories, rng.choice([0, 1, 1, 2])))
        outcome = outcomes[i % len(outcomes)] if i < 40 else rng.choice(outcomes)
        if person is not None and rng.random() < 0.15:
            outcome = ConsultationOutcome.MULTIAGENCY
        with _at(local):
            c = services.consultation_create(
                actor=actor,
                agency=agency,
                categories=sorted(cats),
                received_at=local,
                route=routes[i % len(routes)] if i < 60 else rng.choice(routes),
                consulter_kind=kind,
                consulter_note={
                    "family": "長女",
                    "agency": "ケアマネジャー",
                    "neighbour": "隣人",
                }.get(kind, ""),
                person=person,
                household=household,
                summary=rng.choice(SUMMARIES),
                urgency=rng.choices(list(Urgency.values), weights=[1, 3, 10])[0],
                response=rng.choice(RESPONSES),
                outcome=outcome,
                minutes_spent=rng.choice([15, 30, 45, 60, 90]),
                staff_count=rng.choice([1, 1, 1, 2]),
            )
        type(c).objects.filter(pk=c.pk).update(created_at=local)
        created.append(c)
    return created


def _consent_for(person, from_agency, to_agency, worker, moment) -> Consent:
    existing = Consent.objects.in_force(moment).filter(person=person, agencies=to_agency).first()
    if existing is not None:
        return existing
    consent = Consent.objects.create(
        person=person,
        household=None,
        explained_by=worker,
        recorded_by_agency=from_agency,
        given_on=timezone.localdate(moment) - dt.timedelta(days=1),
        method=Consent.Method.WRITTEN,
        info_kinds=[k.value for k in InfoKind],
    )
    consent.agencies.set([from_agency, to_agency])
    return consent


def _seed_referrals(rng, now, agencies, consultations, staff) -> None:
    receivers = [
        a for a in (agencies.get("fukushi-soudan"), agencies.get("shakyo")) if a is not None
    ]
    if not receivers:
        return
    sources = [
        c for c in consultations if c.person_id and c.agency_id not in {r.pk for r in receivers}
    ]
    multi = [c for c in sources if c.outcome == ConsultationOutcome.MULTIAGENCY]
    pool = multi + [c for c in sources if c not in multi]
    # Recent ones stay open; answered ones are older.
    plan = list(REFERRAL_PLAN)
    for i, final in enumerate(plan):
        if i >= len(pool):
            break
        c = pool[i]
        to_agency = receivers[i % len(receivers)]
        coordinator = _coordinator_at(to_agency)
        if coordinator is None:
            continue
        worker = c.staff
        open_state = final in ("draft", "sent", "opened", "info_requested")
        days_ago = rng.randint(0, 12) if open_state else rng.randint(15, 200)
        start = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 5))
        with_consent = i % 5 != 3
        with _at(start):
            consent = (
                _consent_for(c.person, c.agency, to_agency, worker, start) if with_consent else None
            )
            referral = services.referral_create(
                actor=worker,
                from_agency=c.agency,
                consultation=c,
                to_agency=to_agency,
                variant=Referral.Variant.WITH_CONSENT
                if with_consent
                else Referral.Variant.WITHOUT_CONSENT,
                consent=consent,
                triggers=sorted(rng.sample(list(ReferralTrigger.values), rng.randint(1, 3))),
                person_says=c.summary,
                done_so_far=c.response,
                reason_note="世帯の複数の課題を整理し、関係機関の役割分担を決めたい。",
                meeting_summary=""
                if with_consent
                else "複合的な課題が疑われる世帯。本人の同意が得られていないため、支援会議で情報共有したい。",
                urgency=c.urgency,
                accompanied=i % 4 == 0,
                accompanied_note="初回面談に同行予定" if i % 4 == 0 else "",
            )
        Referral.objects.filter(pk=referral.pk).update(created_at=start)
        if final == "draft":
            continue
        step = start
        with _at(step):
            referral = services.referral_send(actor=worker, referral=referral)
        if final == "sent":
            continue
        step += dt.timedelta(hours=rng.randint(2, 30))
        with _at(step):
            referral = services.referral_open(actor=coordinator, referral=referral)
            if i % 3 == 0:
                referral = services.referral_assign(
                    actor=coordinator, referral=referral, assignee=coordinator
                )
        if final == "opened":
            continue
        if final in ("info_requested", "answered") or (final == "accepted" and i % 4 == 1):
            step += dt.timedelta(hours=rng.randint(1, 20))
            with _at(step):
                referral = services.referral_request_info(
                    actor=coordinator,
                    referral=referral,
                    question="世帯員の就労状況と、これまでの関係機関の関わりを教えてください。",
                )
            if final == "info_requested":
                continue
            step += dt.timedelta(days=rng.randint(1, 3))
            with _at(step):
                referral = services.referral_answer_info(
                    actor=worker,
                    referral=referral,
                    answer="長男は10年以上就労しておらず、関係機関の関わりはありません。",
                )
            if final == "answered":
                continue
        step += dt.timedelta(days=rng.randint(1, 3))
        with _at(step):
            if final == "accepted":
                services.referral_accept(
                    actor=coordinator,
                    referral=referral,
                    note="重層的支援会議に向けてアセスメントを開始します。",
                )
            elif final == "returned":
                services.referral_return(
                    actor=coordinator,
                    referral=referral,
                    reason="現時点では単独の機関で対応可能と考えられます。",
                    next_step="自機関での支援を継続し、状況が変わったら再度ご相談ください。",
                )
            elif final == "withdrawn":
                services.referral_withdraw(
                    actor=worker, referral=referral, reason="本人が転出したため取り下げます。"
                )
    # One with-consent sheet whose consent was withdrawn in flight (the receiver sees the warning).
    flight = (
        Referral.objects.filter(
            status=Referral.Status.OPENED, variant=Referral.Variant.WITH_CONSENT
        )
        .select_related("consent")
        .order_by("pk")
        .first()
    )
    if flight is not None and flight.consent is not None:
        consent = flight.consent
        consent.withdrawn_at = now - dt.timedelta(hours=2)
        consent.withdrawn_note = "本人から電話で撤回の申出"
        # save(), not update(): the grants given on this consent end with it (access.signals).
        consent.save(update_fields=["withdrawn_at", "withdrawn_note"])


# (receiving agency code, outcome) for sheets answered by an agency without 多機関協働: a
# 子育て世代包括支援センター caseworker takes one into her own work, 基幹相談 takes one over
# after an accompanied first visit, one waits in the 子育て centre's inbox.
OWN_WORK_PLAN = [
    ("kosodate-hiroba", "own"),
    ("kikan-soudan", "handed_over"),
    ("kosodate-hiroba", "sent"),
]


def _seed_answered_in_own_work(rng, now, agencies, consultations, staff) -> None:
    used = set(Referral.objects.values_list("consultation_id", flat=True))
    pool = [c for c in consultations if c.person_id and c.pk not in used]
    for (code, final), c in zip(OWN_WORK_PLAN, pool, strict=False):
        to_agency = agencies.get(code)
        receivers = staff.get(to_agency.pk) if to_agency else None
        if not receivers or c.agency_id == to_agency.pk:
            continue
        start = now - dt.timedelta(days=rng.randint(3, 40) if final != "sent" else 1)
        with _at(start):
            consent = _consent_for(c.person, c.agency, to_agency, c.staff, start)
            referral = services.referral_create(
                actor=c.staff,
                from_agency=c.agency,
                consultation=c,
                to_agency=to_agency,
                consent=consent,
                triggers=["untangle"],
                person_says=c.summary,
                done_so_far=c.response,
                urgency=c.urgency,
                accompanied=final == "handed_over",
                accompanied_note="初回の家庭訪問に同行" if final == "handed_over" else "",
            )
            referral = services.referral_send(actor=c.staff, referral=referral)
        Referral.objects.filter(pk=referral.pk).update(created_at=start)
        if final == "sent":
            continue
        with _at(start + dt.timedelta(days=1)):
            services.referral_accept_own(
                actor=receivers[0],
                referral=referral,
                categories=["kosodate"] if code == "kosodate-hiroba" else ["shogai"],
                handed_over=final == "handed_over",
                note="自機関で継続して対応します。",
            )


def _seed_concern_slips(rng, now, agencies, users) -> None:
    resident = users.get("minsei1")
    if resident is None:
        return
    destinations = list(services.concern_slip_destinations().order_by("pk"))
    if not destinations:
        return
    statuses = ["submitted", "submitted", "received", "handling", "closed", "closed"]
    for i, (subject, location, noticed, urgency) in enumerate(SLIPS):
        moment = now - dt.timedelta(days=(len(SLIPS) - i) * 9 + rng.randint(0, 3))
        to_agency = agencies.get("shakyo") if i % 2 == 0 else destinations[i % len(destinations)]
        with _at(moment):
            slip = services.concern_slip_submit(
                actor=resident,
                to_agency=to_agency or destinations[0],
                subject_description=subject,
                location=location,
                noticed=noticed,
                urgency=urgency,
            )
        type(slip).objects.filter(pk=slip.pk).update(submitted_at=moment)
        target = statuses[i]
        if target == "submitted":
            continue
        handler = next(iter(_staff_by_agency().get(slip.to_agency_id, [])), None)
        if handler is None:
            continue
        if target == "handling" and i % 2 == 1:
            # One slip turned into a consultation of the receiving agency (fields carried over).
            with _at(moment + dt.timedelta(days=1)):
                services.concern_slip_set_status(actor=handler, slip=slip, status="received")
                services.concern_slip_to_consultation(
                    actor=handler, slip=slip, categories=["koritsu"]
                )
            continue
        path = {
            "received": ["received"],
            "handling": ["received", "handling"],
            "closed": ["received", "handling", "closed"],
        }
        for n, status in enumerate(path[target]):
            with _at(moment + dt.timedelta(days=n + 1)):
                slip = services.concern_slip_set_status(
                    actor=handler,
                    slip=slip,
                    status=status,
                    note={
                        "received": "内容を確認しました。",
                        "handling": "担当CSWが訪問予定。",
                        "closed": "関係機関につながりました。",
                    }[status],
                )

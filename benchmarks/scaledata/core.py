"""The city-scale data set: agencies and staff of very different sizes, persons, households,
consultations, referrals, support cases with teams, consents and a long tail of old closed cases,
activity notes, and audit rows. Scale 1 is a city of about 400,000 people.

Everything is drawn from one `random.Random(seed)`, so the same seed gives the same data set.
Rows go in through `bulk.Writer` (COPY on PostgreSQL); no service runs, no audit row is written
for the generation itself (the audit rows here are generated history).
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from agencies.choices import AgencyKind, OperatorType, Role
from agencies.models import Agency, Area, Membership, User
from cases.normalize import normalize_kana, normalize_name, normalize_phone

from .bulk import Writer
from .catalogue import generate_community
from .names import GIVEN, SURNAMES, TOWNS
from .programmes import generate_outreach, generate_participation

# Rows at scale 1 (the issue's city).
SIZES = {
    "persons": 200_000,
    "households": 120_000,
    "consultations": 300_000,
    "referrals": 40_000,
    "cases": 20_000,
    "notes": 1_000_000,
    "audit": 1_500_000,
    "agencies": 140,
    "staff": 1_500,
    "meetings": 5_000,
    # the programmes (programmes.py)
    "outreach_targets": 3_000,
    "outreach_contacts": 60_000,
    "resources": 2_000,
    "places": 500,
    "sessions": 60_000,
    "volunteers": 3_000,
    "volunteer_activities": 30_000,
    "programs": 60,
    "participation_cases": 1_000,
    "placements": 2_000,
}

TODAY = dt.date(2026, 12, 1)
TZ = timezone.get_fixed_timezone(9 * 60)


@dataclass
class Ctx:
    scale: float
    rng: random.Random
    writer: Writer
    log: callable
    areas: list = field(default_factory=list)
    agencies: list = field(default_factory=list)  # (id, kind, programmes, weight)
    staff_by_agency: dict = field(default_factory=dict)  # agency id -> [(user id, role)]
    coordinators_by_agency: dict = field(default_factory=dict)
    multiagency_ids: list = field(default_factory=list)
    household_of: list = field(default_factory=list)  # person index -> household id
    person_ids: list = field(default_factory=list)
    household_ids: list = field(default_factory=list)
    household_members: dict = field(default_factory=dict)  # household id -> [person ids]
    consultation_ids: list = field(default_factory=list)
    case_rows: list = field(default_factory=list)  # (id, number, household, principal, agencies)
    surname_of: dict = field(default_factory=dict)  # household id -> (surname, kana, weight)
    resource_rows: list = field(default_factory=list)  # (id, public id, kind, status)

    def n(self, key: str) -> int:
        return max(1, int(SIZES[key] * self.scale))


def at(d: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=TZ)


def past_date(rng: random.Random, years: float = 8.0, recent_bias: float = 2.0) -> dt.date:
    """A date in the last `years`, more recent dates more likely (the long tail of old records)."""
    u = rng.random() ** recent_bias
    return TODAY - dt.timedelta(days=int(u * years * 365))


def fiscal_year(d: dt.date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (k + 1) ** s for k in range(n)]


# --- agencies and staff -------------------------------------------------------------------

SCALE_KINDS = [
    (AgencyKind.HOUKATSU, ["consultation"], "地域包括支援センター"),
    (AgencyKind.SHOGAI_SOUDAN, ["consultation"], "障がい者相談支援事業所"),
    (AgencyKind.KYOTAKU, [], "居宅介護支援事業所"),
    (AgencyKind.SHOGAI_SERVICE, [], "障がい福祉サービス事業所"),
    (AgencyKind.KONKYU, ["consultation"], "自立相談支援機関"),
    (AgencyKind.KOSODATE, ["consultation"], "子育て世代包括支援センター"),
    (AgencyKind.MEDICAL, [], "病院 地域連携室"),
    (AgencyKind.SCHOOL, [], "学校"),
]


def generate_agencies(ctx: Ctx) -> None:
    rng, w = ctx.rng, ctx.writer
    ctx.areas = list(
        Area.objects.filter(level__in=["sphere", "district"]).values_list("pk", flat=True)
    )
    existing = list(Agency.objects.values_list("pk", "kind", "programmes", "code"))
    n_new = max(0, ctx.n("agencies") - len(existing))
    weights = zipf_weights(len(existing) + n_new, 0.9)
    agencies = []
    for i, (pk, kind, programmes, _code) in enumerate(existing):
        agencies.append((pk, kind, programmes, weights[i]))
    for i in range(n_new):
        if i < max(2, n_new // 20):
            kind, programmes, label = (
                AgencyKind.CITY_SECTION,
                ["consultation", "multiagency"],
                "多機関協働窓口",
            )
        else:
            kind, programmes, label = SCALE_KINDS[i % len(SCALE_KINDS)]
        a = w.add(
            Agency(
                name=f"規模試験 {label} {i + 1:03d}",
                kana=f"きぼしけん {i + 1:03d}",
                code=f"scale-{i + 1:03d}",
                kind=kind,
                operator_type=OperatorType.CONTRACTED,
                programmes=programmes,
                area_id=rng.choice(ctx.areas) if ctx.areas else None,
            )
        )
        agencies.append((a.pk, kind, programmes, weights[len(existing) + i]))
    w.flush(Agency)
    ctx.agencies = agencies
    ctx.multiagency_ids = [a[0] for a in agencies if "multiagency" in (a[2] or [])]

    # Existing (demo) staff keep their memberships; new staff go to agencies by weight.
    for user_id, agency_id, role in Membership.objects.current().values_list(
        "user_id", "agency_id", "role"
    ):
        ctx.staff_by_agency.setdefault(agency_id, []).append((user_id, role))
    n_staff = max(0, ctx.n("staff") - User.objects.count())
    users = []
    for i in range(n_staff):
        sur, sur_kana, _ = SURNAMES[i % len(SURNAMES)]
        given, given_kana, _sex = GIVEN[(i * 7) % len(GIVEN)]
        u = w.add(
            User(
                username=f"scale-staff-{i + 1:05d}",
                display_name=f"{sur} {given}",
                kana=f"{sur_kana} {given_kana}",
                password="!",  # unusable: these accounts cannot log in
                email=f"scale-staff-{i + 1:05d}@example.jp",
            )
        )
        users.append(u)
    w.flush(User)
    start = dt.date(2018, 4, 1)
    for i, u in enumerate(users):
        # Every agency gets at least two staff; the rest by weight (a few big agencies).
        if i < 2 * len(agencies):
            agency = agencies[i // 2]
        else:
            agency = rng.choices(agencies, weights=[a[3] for a in agencies], k=1)[0]
        if "multiagency" in (agency[2] or []):
            role = rng.choice(
                [Role.COORDINATOR, Role.COORDINATOR, Role.CASEWORKER, Role.SUPERVISOR]
            )
        else:
            role = rng.choice([Role.CASEWORKER] * 6 + [Role.SUPERVISOR, Role.CSW])
        w.add(Membership(user_id=u.pk, agency_id=agency[0], role=role, start_date=start))
        ctx.staff_by_agency.setdefault(agency[0], []).append((u.pk, role))
    w.flush(Membership)
    for agency_id, rows in ctx.staff_by_agency.items():
        ctx.coordinators_by_agency[agency_id] = [
            uid for uid, role in rows if role in (Role.COORDINATOR, Role.SUPERVISOR)
        ] or [uid for uid, _ in rows]


def staff_of(ctx: Ctx, agency_id: int) -> int:
    rows = ctx.staff_by_agency.get(agency_id)
    if not rows:
        rows = next(iter(ctx.staff_by_agency.values()))
    return ctx.rng.choice(rows)[0]


def pick_agency(ctx: Ctx, *, programme: str | None = None) -> int:
    pool = ctx.agencies
    if programme:
        pool = [a for a in pool if programme in (a[2] or [])] or pool
    return ctx.rng.choices(pool, weights=[a[3] for a in pool], k=1)[0][0]


# --- persons and households -----------------------------------------------------------------


def generate_persons(ctx: Ctx) -> None:
    from cases.models import Household, HouseholdMember, Person

    rng, w = ctx.rng, ctx.writer
    n_h, n_p = ctx.n("households"), ctx.n("persons")
    surnames = [s for s in SURNAMES]
    s_weights = [s[2] for s in SURNAMES]
    registrar_agency = ctx.agencies[0][0]
    registrar = staff_of(ctx, registrar_agency)
    households = []
    for _i in range(n_h):
        area = rng.choice(ctx.areas) if ctx.areas else None
        town = rng.choice(TOWNS)
        h = w.add(
            Household(
                postal_code=f"100-{rng.randint(0, 9999):04d}",
                address=f"みどり市{town}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
                area_id=area,
                registered_by_agency_id=registrar_agency,
                created_by_id=registrar,
                created_at=at(past_date(rng), rng),
            )
        )
        households.append(h)
    w.flush(Household)
    ctx.household_ids = [h.pk for h in households]

    # Persons: the first n_h head their household, the rest join one (2–4 per household).
    persons = []
    for i in range(n_p):
        if i < n_h:
            h = households[i]
            sur = rng.choices(surnames, weights=s_weights, k=1)[0]
            relation = HouseholdMember.Relation.SELF
            age = int(18 + (rng.random() ** 0.7) * 80)
        else:
            h = households[rng.randrange(n_h)]
            sur = rng.choices(surnames, weights=s_weights, k=1)[0] if rng.random() < 0.1 else None
            relation = rng.choice(
                [HouseholdMember.Relation.CHILD] * 3
                + [HouseholdMember.Relation.SPOUSE, HouseholdMember.Relation.PARENT]
            )
            age = rng.randint(0, 95)
        if sur is None:
            sur = ctx.surname_of[h.pk]
        given, given_kana, sex = rng.choice(GIVEN)
        birth = TODAY - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        phone = (
            f"0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
            if rng.random() < 0.6
            else ""
        )
        p = Person(
            family_name=sur[0],
            given_name=given,
            family_name_kana=sur[1],
            given_name_kana=given_kana,
            birth_date=birth,
            sex="男" if sex == "M" else "女",
            address=h.address,
            postal_code=h.postal_code,
            area_id=h.area_id,
            phone=phone,
            registered_by_agency_id=registrar_agency,
            created_by_id=registrar,
            created_at=h.created_at,
        )
        p.name_search = normalize_name(f"{p.family_name}{p.given_name}")
        p.kana_search = normalize_kana(f"{p.family_name_kana}{p.given_name_kana}")
        p.phone_digits = normalize_phone(p.phone)
        if i < n_h:
            ctx.surname_of[h.pk] = sur
        w.add(p)
        persons.append((p, h, relation))
    w.flush(Person)
    for p, h, relation in persons:
        w.add(
            HouseholdMember(
                household_id=h.pk,
                person_id=p.pk,
                relation=relation,
                is_key_person=relation == HouseholdMember.Relation.SELF,
                joined_on=h.created_at.date(),
            )
        )
        ctx.household_members.setdefault(h.pk, []).append(p.pk)
        ctx.person_ids.append(p.pk)
    w.flush(HouseholdMember)


# --- consultations and referrals ----------------------------------------------------------


def _household_persons(ctx: Ctx) -> tuple[int, list[int]]:
    # Consultations concentrate on a minority of households (a long tail of repeat contacts).
    idx = int((ctx.rng.random() ** 2.5) * len(ctx.household_ids))
    h = ctx.household_ids[idx]
    return h, ctx.household_members.get(h) or [ctx.person_ids[0]]


def generate_intake(ctx: Ctx) -> None:
    from cases.choices import IssueCategory, Route
    from cases.models import Consultation, ConsultationIssue
    from cases.models.intake import ConsultationOutcome, ConsulterKind, Urgency

    rng, w = ctx.rng, ctx.writer
    categories = list(IssueCategory.values)
    routes = list(Route.values)
    outcomes = list(ConsultationOutcome.values)
    for _i in range(ctx.n("consultations")):
        h, members = _household_persons(ctx)
        agency = pick_agency(ctx, programme="consultation")
        received = at(past_date(rng, years=6), rng)
        c = w.add(
            Consultation(
                received_at=received,
                agency_id=agency,
                staff_id=staff_of(ctx, agency),
                route=rng.choice(routes),
                consulter_kind=rng.choice(ConsulterKind.values),
                person_id=rng.choice(members),
                household_id=h,
                summary="生活の困りごとについての相談(試験データ)",
                urgency=rng.choice([Urgency.NORMAL] * 8 + [Urgency.HIGH, Urgency.URGENT]),
                response="傾聴し、必要な情報を提供した。",
                outcome=rng.choice(outcomes),
                minutes_spent=rng.choice([15, 30, 45, 60, 90]),
                created_by_id=staff_of(ctx, agency),
                created_at=received,
            )
        )
        for cat in rng.sample(categories, k=rng.choice([1, 1, 2])):
            w.add(ConsultationIssue(consultation_id=c.pk, category=cat))
        if len(ctx.consultation_ids) < ctx.n("referrals"):
            ctx.consultation_ids.append((c.pk, agency, h, c.person_id, received))
    w.flush(Consultation)
    w.flush(ConsultationIssue)


def generate_referrals(ctx: Ctx) -> None:
    """つなぐシート from consultations; accepted ones opened a support case (the constraint)."""
    from cases.choices import Route
    from cases.models import Referral
    from cases.models.intake import ReferralTrigger, Urgency

    rng, w = ctx.rng, ctx.writer
    routes = list(Route.values)
    statuses = (
        [Referral.Status.ACCEPTED] * 12
        + [Referral.Status.RETURNED] * 3
        + [Referral.Status.WITHDRAWN]
        + [Referral.Status.SENT, Referral.Status.OPENED, Referral.Status.INFO_REQUESTED]
    )
    for i in range(ctx.n("referrals")):
        if ctx.consultation_ids:
            cons_id, from_agency, h, person, received = ctx.consultation_ids[
                i % len(ctx.consultation_ids)
            ]
        else:
            cons_id, from_agency = None, pick_agency(ctx, programme="consultation")
            h, members = _household_persons(ctx)
            person, received = rng.choice(members), at(past_date(rng, years=6), rng)
        to_agency = (
            rng.choice(ctx.multiagency_ids)
            if ctx.multiagency_ids and rng.random() < 0.8
            else pick_agency(ctx)
        )
        status = rng.choice(statuses)
        case_id = None
        if status == Referral.Status.ACCEPTED:
            case_id, _number, h, person, _team = ctx.case_rows[i % len(ctx.case_rows)]
        if to_agency == from_agency:
            to_agency = next(a[0] for a in ctx.agencies if a[0] != from_agency)
        sent = received + dt.timedelta(days=rng.randint(0, 10))
        answered = (
            sent + dt.timedelta(days=rng.randint(0, 8))
            if status not in Referral.IN_FLIGHT
            else None
        )
        fy = fiscal_year(sent.date())
        w.add(
            Referral(
                number=f"S{fy}-T{i + 1:06d}",
                fiscal_year=fy,
                variant=Referral.Variant.WITH_CONSENT
                if rng.random() < 0.8
                else Referral.Variant.WITHOUT_CONSENT,
                from_agency_id=from_agency,
                from_worker_id=staff_of(ctx, from_agency),
                to_agency_id=to_agency,
                person_id=person,
                household_id=h,
                consultation_id=cons_id,
                route=rng.choice(routes),
                triggers=[rng.choice(ReferralTrigger.values)],
                person_says="(試験データ)",
                urgency=Urgency.NORMAL,
                status=status,
                sent_at=sent,
                answer_due_on=(sent + dt.timedelta(days=5)).date(),
                opened_at=sent + dt.timedelta(hours=5) if status != Referral.Status.SENT else None,
                answered_at=answered,
                case_id=case_id,
                return_reason="担当が異なるため" if status == Referral.Status.RETURNED else "",
                return_next_step="地域包括支援センターへ"
                if status == Referral.Status.RETURNED
                else "",
                created_by_id=staff_of(ctx, from_agency),
                created_at=sent,
            )
        )
    w.flush(Referral)


# --- support cases, teams, consents, notes ---------------------------------------------------


def generate_cases(ctx: Ctx) -> None:
    from cases.choices import ClosureReason, InfoKind
    from cases.models import (
        ActivityNote,
        CaseTeamMember,
        Consent,
        LeadAgencyHistory,
        SupportCase,
    )
    from cases.models.support import TeamRole

    rng, w = ctx.rng, ctx.writer
    S = SupportCase.Status
    open_statuses = (
        [S.RECEIVED, S.ASSESSMENT, S.PLANNING, S.IN_MEETING]
        + [S.SUPPORTING] * 5
        + [S.EVALUATION, S.REPLAN]
    )
    through_persons = SupportCase.persons.through
    consent_agencies = Consent.agencies.through
    note_persons = ActivityNote.persons.through
    n_cases = ctx.n("cases")
    seq: dict[int, int] = {}
    note_budget = ctx.n("notes")
    # Notes per case: long-tailed (most cases a few dozen, some several hundred).
    raw = [rng.paretovariate(1.6) for _ in range(n_cases)]
    total = sum(raw)
    per_case = [max(1, int(r / total * note_budget)) for r in raw]
    for i in range(n_cases):
        h, members = _household_persons(ctx)
        principal = members[0]
        opened = past_date(rng, years=8, recent_bias=1.6)
        fy = fiscal_year(opened)
        seq[fy] = seq.get(fy, 0) + 1
        coord_agency = rng.choice(ctx.multiagency_ids) if ctx.multiagency_ids else pick_agency(ctx)
        lead = pick_agency(ctx, programme="consultation") if rng.random() < 0.6 else coord_agency
        age_days = (TODAY - opened).days
        is_open = age_days < 400 and rng.random() < 0.7 or age_days < 60
        status = (
            rng.choice(open_statuses) if is_open else rng.choice([S.CLOSED] * 3 + [S.HANDED_BACK])
        )
        closed = None if is_open else min(TODAY, opened + dt.timedelta(days=rng.randint(30, 500)))
        coordinator = rng.choice(
            ctx.coordinators_by_agency.get(coord_agency) or [staff_of(ctx, coord_agency)]
        )
        case = w.add(
            SupportCase(
                number=f"S{fy - 2018}-{seq[fy]:05d}",
                fiscal_year=fy,
                household_id=h,
                principal_id=principal,
                summary="複合的な課題を抱える世帯への支援(試験データ)",
                programmes=["multiagency"],
                coordinating_agency_id=coord_agency,
                lead_agency_id=lead,
                coordinator_id=coordinator,
                status=status,
                status_changed_at=at(closed or opened, rng),
                opened_on=opened,
                closed_on=closed,
                closure_reason=rng.choice(ClosureReason.values) if closed else "",
                next_monitoring_on=TODAY + dt.timedelta(days=rng.randint(-30, 60))
                if is_open
                else None,
                created_by_id=coordinator,
                created_at=at(opened, rng),
            )
        )
        subjects = members[: rng.choice([1, 1, 2, 3])]
        for pid in subjects:
            w.add(through_persons(supportcase_id=case.pk, person_id=pid))
        team = {coord_agency: TeamRole.COORDINATOR}
        team.setdefault(lead, TeamRole.LEAD)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            team.setdefault(pick_agency(ctx), TeamRole.SUPPORT)
        for agency_id, role in team.items():
            w.add(
                CaseTeamMember(
                    case_id=case.pk,
                    agency_id=agency_id,
                    user_id=coordinator if agency_id == coord_agency else None,
                    role=role,
                    joined_on=opened,
                    left_on=closed,
                )
            )
        w.add(LeadAgencyHistory(case_id=case.pk, agency_id=lead, started_on=opened, ended_on=None))
        if rng.random() < 0.75:
            consent = w.add(
                Consent(
                    person_id=principal,
                    household_id=h,
                    explained_by_id=coordinator,
                    recorded_by_agency_id=coord_agency,
                    given_on=opened,
                    method=Consent.Method.WRITTEN,
                    info_kinds=[InfoKind.BASIC, InfoKind.HOUSEHOLD, InfoKind.HISTORY],
                    withdrawn_at=at(opened + dt.timedelta(days=200), rng)
                    if rng.random() < 0.03
                    else None,
                )
            )
            for agency_id in team:
                w.add(consent_agencies(consent_id=consent.pk, agency_id=agency_id))
        ctx.case_rows.append((case.pk, case.number, h, principal, list(team)))
        end = closed or TODAY
        span = max(1, (end - opened).days)
        team_ids = list(team)
        for _ in range(per_case[i]):
            agency_id = rng.choice(team_ids)
            note = w.add(
                ActivityNote(
                    case_id=case.pk,
                    kind=rng.choice(ActivityNote.Kind.values),
                    occurred_at=at(opened + dt.timedelta(days=rng.randint(0, span)), rng),
                    minutes=rng.choice([10, 20, 30, 60]),
                    content="経過記録(試験データ)",
                    author_id=staff_of(ctx, agency_id),
                    agency_id=agency_id,
                )
            )
            if rng.random() < 0.3:
                w.add(note_persons(activitynote_id=note.pk, person_id=rng.choice(subjects)))
    w.flush()


def generate_audit(ctx: Ctx) -> None:
    from audit.models import AuditEvent

    rng, w = ctx.rng, ctx.writer
    actors = [(uid, aid) for aid, rows in ctx.staff_by_agency.items() for uid, _ in rows]
    labels = {uid: f"u{uid}" for uid, _ in actors}
    for uid, username in User.objects.values_list("pk", "username"):
        labels[uid] = username
    kinds = [
        ("case.view", "view", "cases.supportcase"),
        ("person.view", "view", "cases.person"),
        ("consultation.view", "view", "cases.consultation"),
        ("referral.view", "view", "cases.referral"),
        ("note.create", "create", "cases.activitynote"),
        ("case.update", "update", "cases.supportcase"),
        ("auth.login", "auth", ""),
    ]
    for _ in range(ctx.n("audit")):
        uid, _aid = rng.choice(actors)
        action, kind, obj_type = rng.choice(kinds)
        case = rng.choice(ctx.case_rows) if ctx.case_rows else (0, "", 0, 0, [])
        w.add(
            AuditEvent(
                at=at(past_date(rng, years=1.5, recent_bias=1.0), rng),
                actor_id=uid,
                actor_label=labels.get(uid, ""),
                action=action,
                kind=kind,
                object_type=obj_type,
                object_id=str(case[0]) if obj_type else "",
                object_repr=case[1] if obj_type == "cases.supportcase" else "",
                basis="case_team" if kind == "view" else "",
                ip="10.0.0.1",
            )
        )
    w.flush(AuditEvent)


def generate_meetings(ctx: Ctx) -> None:
    """5,000 meetings a city-year-scale over eight years: the demo bodies sit twice a month,
    four case items each, decisions recorded for the meetings that were held."""
    from meetings.choices import AgendaKind, DecisionKind, MeetingStatus
    from meetings.models import AgendaItem, Decision, Meeting, MeetingBody

    rng, w = ctx.rng, ctx.writer
    bodies = list(MeetingBody.objects.values_list("pk", "kind"))
    if not bodies or not ctx.case_rows:
        return
    recorder = staff_of(ctx, ctx.multiagency_ids[0]) if ctx.multiagency_ids else None
    used: set[tuple[int, dt.datetime]] = set()
    for i in range(ctx.n("meetings")):
        body_id, _kind = bodies[i % len(bodies)]
        day = past_date(rng, years=8, recent_bias=1.0)
        starts = dt.datetime.combine(day, dt.time(14, 0), tzinfo=TZ) + dt.timedelta(minutes=i % 97)
        if (body_id, starts) in used:
            continue
        used.add((body_id, starts))
        held = day < TODAY
        meeting = w.add(
            Meeting(
                body_id=body_id,
                starts_at=starts,
                place="市役所 会議室",
                status=MeetingStatus.MINUTES_APPROVED if held else MeetingStatus.PLANNED,
                held_at=starts + dt.timedelta(hours=2) if held else None,
                created_by_id=recorder,
                created_at=starts - dt.timedelta(days=14),
            )
        )
        for order in range(1, 5):
            case_id, number, household, _principal, _team = rng.choice(ctx.case_rows)
            item = w.add(
                AgendaItem(
                    meeting_id=meeting.pk,
                    order=order,
                    kind=AgendaKind.INFO_SHARING,
                    title=f"{number} の支援状況",
                    case_id=case_id,
                    household_id=household,
                    added_by_id=recorder,
                    added_at=starts - dt.timedelta(days=7),
                )
            )
            if held:
                w.add(
                    Decision(
                        item_id=item.pk,
                        kind=DecisionKind.SHARED,
                        text="支援状況を共有し、役割分担を確認した。",
                        decided_on=day,
                        recorded_by_id=recorder,
                        recorded_at=starts + dt.timedelta(hours=3),
                    )
                )
    w.flush()


def derive_grants(ctx: Ctx) -> None:
    """Team rows, 主担当 and consents give access grants through signals; bulk rows bypass
    them, so the access app derives the grants of everything just written."""
    from django.core.management import call_command, get_commands

    ctx.writer.flush()
    if "access_sync_grants" in get_commands():
        call_command("access_sync_grants", verbosity=0)


STEPS = [
    ("agencies", generate_agencies),
    ("persons", generate_persons),
    ("intake", generate_intake),
    ("cases", generate_cases),
    ("referrals", generate_referrals),
    ("meetings", generate_meetings),
    ("outreach", generate_outreach),
    ("community", generate_community),
    ("participation", generate_participation),
    ("audit", generate_audit),
    ("grants", derive_grants),
]

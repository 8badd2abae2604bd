"""Factories of the cases app (shared: every area appends its own below the persons block).

Persons get their normalised search columns here because the services, not save(), write them.
"""

import datetime as dt

import factory
from django.utils import timezone

from agencies.tests.factories import AgencyFactory, UserFactory
from cases.choices import InfoKind
from cases.models import CaseTeamMember, Consent, Household, HouseholdMember, Person, SupportCase
from cases.normalize import normalize_kana, normalize_name, normalize_phone

# --- persons, households, consent -----------------------------------------------------------


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    family_name_kana = "やまだ"
    given_name_kana = factory.Sequence(lambda n: f"たろう{n}")
    birth_date = dt.date(1950, 4, 1)
    phone = ""
    registered_by_agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(UserFactory)
    name_search = factory.LazyAttribute(lambda p: normalize_name(f"{p.family_name}{p.given_name}"))
    kana_search = factory.LazyAttribute(
        lambda p: normalize_kana(f"{p.family_name_kana}{p.given_name_kana}")
    )
    phone_digits = factory.LazyAttribute(lambda p: normalize_phone(p.phone))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    address = "みどり市中部町1-2-3"
    type_tags = factory.LazyFunction(list)
    registered_by_agency = factory.SubFactory(AgencyFactory)
    created_by = factory.SubFactory(UserFactory)


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(
        PersonFactory,
        registered_by_agency=factory.SelfAttribute("..household.registered_by_agency"),
    )
    relation = HouseholdMember.Relation.SELF
    is_key_person = False
    lives_together = True
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))


class ConsentFactory(factory.django.DjangoModelFactory):
    """A written consent in force. `agencies=[...]` lists the agencies it covers."""

    class Meta:
        model = Consent
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    explained_by = factory.SubFactory(UserFactory)
    recorded_by_agency = factory.SelfAttribute("person.registered_by_agency")
    given_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    method = Consent.Method.WRITTEN
    info_kinds = factory.LazyFunction(lambda: [k.value for k in InfoKind])

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)


class SupportCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportCase
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"R8-{n + 1:04d}")
    fiscal_year = 2026
    household = factory.SubFactory(HouseholdFactory)
    lead_agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def persons(self, create, extracted, **kwargs):
        if create and extracted:
            self.persons.set(extracted)


class CaseTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseTeamMember

    case = factory.SubFactory(SupportCaseFactory)
    agency = factory.SubFactory(AgencyFactory)
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))


# --- support cases: assessment, plan, monitoring, evaluation (多機関協働) -------------------------


def multiagency_agency(**kwargs):
    """An agency running 多機関協働 (where coordinators open cases)."""
    from agencies.choices import AgencyKind, Programme

    kwargs.setdefault("kind", AgencyKind.CITY_SECTION)
    kwargs.setdefault("programmes", [Programme.CONSULTATION.value, Programme.MULTIAGENCY.value])
    return AgencyFactory(**kwargs)


def household_with_members(agency, members=None):
    """A household registered by `agency`; members as (relation, sex, birth year, lives together).
    Returns (household, [persons in the same order])."""
    members = members or [("self", "男", 1975, True), ("parent", "男", 1947, True)]
    household = HouseholdFactory(registered_by_agency=agency)
    persons = []
    for n, (relation, sex, year, together) in enumerate(members):
        person = PersonFactory(registered_by_agency=agency, sex=sex, birth_date=dt.date(year, 6, 1))
        HouseholdMemberFactory(
            household=household,
            person=person,
            relation=relation,
            lives_together=together,
            is_key_person=n == 0,
        )
        persons.append(person)
    return household, persons


def open_case(*, coordinator, agency, members=None, summary="8050 世帯の複合課題"):
    """A case opened by `coordinator` at the 多機関協働 body `agency` (status 受付)."""
    from cases.services.support import case_create

    household, persons = household_with_members(agency, members)
    return case_create(
        actor=coordinator,
        household=household,
        coordinating_agency=agency,
        principal=persons[0],
        persons=persons,
        summary=summary,
    )


def plan_items_for(agencies):
    return [
        {
            "issue": f"課題{n}",
            "goal": f"目標{n}",
            "action": f"支援内容{n}",
            "agency": a,
            "frequency": "月1回",
            "due_on": timezone.localdate() + dt.timedelta(days=90),
        }
        for n, a in enumerate(agencies, start=1)
    ]


def drafted_plan(*, coordinator, agency, item_agencies=()):
    """A case with its assessment and a plan ready to submit (goal, period, one item for the
    agency and one for each of `item_agencies`), no consent yet: (case, plan)."""
    from cases.services import support as s

    case = open_case(coordinator=coordinator, agency=agency)
    assessment = s.assessment_create(case=case, actor=coordinator)
    s.assessment_update(
        assessment=assessment,
        actor=coordinator,
        lock_version=assessment.lock_version,
        data={"view": "世帯全体の課題を整理する必要がある", "wishes": "家で暮らしたい"},
    )
    plan = s.plan_create(case=case, actor=coordinator)
    today = timezone.localdate()
    s.plan_update(
        plan=plan,
        actor=coordinator,
        lock_version=plan.lock_version,
        data={
            "overall_goal": "父子が安心して暮らせる",
            "period_start": today,
            "period_end": today + dt.timedelta(days=180),
            "next_monitoring_on": today + dt.timedelta(days=30),
        },
        items=plan_items_for([agency, *item_agencies]),
    )
    plan.refresh_from_db()
    return case, plan


def case_with_approved_plan(*, coordinator, agency, partner_agencies=(), decided_on=None):
    """A case taken through assessment and an approved plan (支援実施)."""
    from cases.services import support as s

    case, plan = drafted_plan(
        coordinator=coordinator, agency=agency, item_agencies=partner_agencies
    )
    today = timezone.localdate()
    ConsentFactory(person=case.principal, agencies=[agency, *partner_agencies])
    s.plan_submit(plan=plan, actor=coordinator)
    s.plan_approve(
        plan=plan, actor=coordinator, decided_on=decided_on or today, via_item=MEETING_ITEM
    )
    case.refresh_from_db()
    plan.refresh_from_db()
    return case, plan


# --- intake: consultations, referrals (つなぐシート), concern slips --------------------------------


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A consultation at `agency` by `staff`; `categories=[...]` (default: 8050)."""

    class Meta:
        model = "cases.Consultation"
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    staff = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("staff")
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    route = "phone"
    consulter_kind = "family"
    summary = "母の介護と長男のひきこもりについて相談"
    urgency = "normal"
    outcome = "multiagency"
    minutes_spent = 30

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            from cases.models import ConsultationIssue

            for code in extracted or ["8050"]:
                ConsultationIssue.objects.create(consultation=self, category=code)


class ConcernSlipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.ConcernSlip"

    submitted_by = factory.SubFactory(UserFactory)
    to_agency = factory.SubFactory(AgencyFactory)
    subject_description = "角の家の80代くらいの男性"
    noticed = "新聞がたまっている"


class IntakeWorld:
    """A 地域包括支援センター (sender) with a caseworker and a colleague, a 多機関協働 body
    (receiver) with a coordinator and a caseworker, an outsider agency, and an 8050 household
    registered by the sender whose key person consented to share with the receiver."""

    def __init__(self, *, consent_kinds=None):
        from agencies.choices import AgencyKind, Programme, Role
        from agencies.tests.factories import staff

        self.sender = AgencyFactory(
            name="北部地域包括支援センター(テスト)", kind=AgencyKind.HOUKATSU
        )
        self.receiver = AgencyFactory(
            name="福祉相談課(テスト)",
            kind=AgencyKind.CITY_SECTION,
            programmes=[Programme.CONSULTATION.value, Programme.MULTIAGENCY.value],
        )
        self.other = AgencyFactory(name="よその機関(テスト)")
        self.worker = staff(self.sender, Role.CASEWORKER)
        self.colleague = staff(self.sender, Role.CASEWORKER)
        self.coordinator = staff(self.receiver, Role.COORDINATOR)
        self.receiver_staff = staff(self.receiver, Role.CASEWORKER)
        self.outsider = staff(self.other, Role.CASEWORKER)
        self.household, persons = household_with_members(
            self.sender, [("self", "男", 1974, True), ("parent", "女", 1944, True)]
        )
        self.household.type_tags = ["8050"]
        self.household.save(update_fields=["type_tags"])
        self.person, self.mother = persons
        self.consent = ConsentFactory(
            person=self.person,
            explained_by=self.worker,
            recorded_by_agency=self.sender,
            agencies=[self.sender, self.receiver],
            **({"info_kinds": consent_kinds} if consent_kinds is not None else {}),
        )

    def draft(self, **overrides):
        from cases.services.intake import referral_create

        data = {
            "to_agency": self.receiver,
            "variant": "with_consent",
            "person": self.person,
            "household": self.household,
            "consent": self.consent,
            "triggers": ["complex", "untangle"],
            "person_says": "母の介護がつらい",
            "done_so_far": "介護保険の申請を支援",
            "urgency": "normal",
        }
        data.update(overrides)
        return referral_create(actor=self.worker, from_agency=self.sender, **data)

    def sent(self, **overrides):
        from cases.services.intake import referral_send

        return referral_send(actor=self.worker, referral=self.draft(**overrides))

    def opened(self, **overrides):
        from cases.services.intake import referral_open

        return referral_open(actor=self.coordinator, referral=self.sent(**overrides))


# Stands in for a meeting's agenda item in tests of the cases app alone: decisions are made only
# by meetings (the meetings tests drive the real path through item_record_decision).
MEETING_ITEM = "meetings.agendaitem:00000000-0000-4000-8000-000000000000"


def login_verified(client, user):
    """Log `client` in as `user` with the second factor passed (supervisors and admins need it)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client

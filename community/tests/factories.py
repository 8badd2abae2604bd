import datetime as dt

import factory

from agencies.tests.factories import AgencyFactory, AreaFactory, UserFactory
from community.choices import (
    AgreementKind,
    Function,
    OperatorKind,
    PartnerKind,
    ProgramKind,
    ResourceKind,
    Schedule,
    TargetGroup,
)
from community.models import Agreement, Program, Resource, Session, Volunteer


class ResourceFactory(factory.django.DjangoModelFactory):
    """A resident-run monthly salon in its own 圏域; override what a test needs."""

    class Meta:
        model = Resource

    name = factory.Sequence(lambda n: f"ふれあいサロン{n}")
    kana = factory.Sequence(lambda n: f"ふれあいさろん{n}")
    kind = ResourceKind.SALON
    is_place = True
    operator_name = factory.Sequence(lambda n: f"第{n}町会")
    operator_kind = OperatorKind.RESIDENTS
    resident_run = True
    area = factory.SubFactory(AreaFactory)
    address = "みどり市本町1-2-3"
    schedule = Schedule.MONTHLY
    schedule_note = "第2水曜 10時〜12時"
    target_groups = factory.LazyFunction(lambda: [TargetGroup.ALL.value])
    mixes_generations = True
    functions = factory.LazyFunction(lambda: [Function.EXCHANGE.value, Function.FOOD.value])
    start_date = dt.date(2024, 4, 1)


class WorkResourceFactory(ResourceFactory):
    """A participation destination that is not a place (a 就労体験 at a company)."""

    name = factory.Sequence(lambda n: f"みどり物流 就労体験{n}")
    kana = factory.Sequence(lambda n: f"みどりぶつりゅう{n}")
    kind = ResourceKind.WORK_EXPERIENCE
    is_place = False
    operator_kind = OperatorKind.COMPANY
    resident_run = False
    schedule = Schedule.WEEKLY_SEVERAL
    functions = factory.LazyFunction(lambda: [Function.WORK.value])
    accepts_helpers = True


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    resource = factory.SubFactory(ResourceFactory)
    held_on = dt.date(2026, 6, 10)
    age_70s = 6
    age_80plus = 4
    attr_elderly = 10
    participants = 10
    new_participants = 1
    volunteers = 3
    volunteer_hours = 9
    recorded_by = factory.SubFactory(UserFactory)


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    name = factory.Sequence(lambda n: f"ボランティア{n}")
    kana = factory.Sequence(lambda n: f"ぼらんてぃあ{n}")
    skills = factory.LazyFunction(lambda: ["料理"])
    coordinator_agency = factory.SubFactory(AgencyFactory, kind="shakyo")
    created_by = factory.SubFactory(UserFactory)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    kind = ProgramKind.PLATFORM
    name = factory.Sequence(lambda n: f"地域支え合い会議{n}")
    organiser = factory.SubFactory(AgencyFactory, kind="shakyo")
    started_on = dt.date(2025, 4, 1)
    created_by = factory.SubFactory(UserFactory)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    partner_name = factory.Sequence(lambda n: f"みどり配送{n}")
    partner_kind = PartnerKind.COMPANY
    kind = AgreementKind.MIMAMORI
    our_agency = factory.SubFactory(AgencyFactory, kind="shakyo")
    signed_on = dt.date(2025, 10, 1)
    created_by = factory.SubFactory(UserFactory)

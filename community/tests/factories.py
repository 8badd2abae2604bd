import datetime as dt

import factory

from agencies.tests.factories import AreaFactory
from community.choices import Function, OperatorKind, ResourceKind, Schedule, TargetGroup
from community.models import Resource


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

from datetime import timedelta

import factory
from django.utils import timezone

from agencies.choices import AgencyKind, OperatorType, Programme, Role
from agencies.models import Agency, Area, Membership, User


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"第{n}圏域")
    kana = factory.Sequence(lambda n: f"だい{n}けんいき")
    code = factory.Sequence(lambda n: f"area-{n}")
    level = Area.Level.SPHERE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"テスト機関{n}")
    kana = factory.Sequence(lambda n: f"てすときかん{n}")
    code = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.HOUKATSU
    operator_type = OperatorType.CONTRACTED
    programmes = factory.LazyFunction(lambda: [Programme.CONSULTATION.value])
    area = factory.SubFactory(AreaFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"職員 {n}")
    kana = factory.Sequence(lambda n: f"しょくいん {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    password = factory.django.Password("Correct-Horse-42")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CASEWORKER
    # A year back by days, not by replace(year=…), which fails on 29 February.
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))


def staff(agency: Agency | None = None, role: str = Role.CASEWORKER, **user_kwargs) -> User:
    """A user with one current membership."""
    m = MembershipFactory(
        agency=agency or AgencyFactory(), role=role, user=UserFactory(**user_kwargs)
    )
    return m.user

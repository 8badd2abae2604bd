import pytest

from agencies.choices import AgencyKind, Programme, Role
from agencies.models import Area
from agencies.tests.factories import AgencyFactory, AreaFactory, staff


class World:
    """A 社協 running community work (CSW, supervisor), a 社会福祉法人 operating a place
    (its staff), a 地域包括 (a caseworker: an "other agency"), a resident host, an admin, and
    two 圏域 with a 小地域 each."""

    def __init__(self):
        self.north = AreaFactory(name="北部圏域", code="n")
        self.south = AreaFactory(name="南部圏域", code="s")
        self.north_1 = AreaFactory(
            name="若葉地区", code="n-1", level=Area.Level.DISTRICT, parent=self.north
        )
        self.shakyo = AgencyFactory(
            kind=AgencyKind.SHAKYO,
            name="社協(テスト)",
            programmes=[Programme.COMMUNITY.value, Programme.PARTICIPATION.value],
        )
        self.houjin = AgencyFactory(kind=AgencyKind.SHAFUKU, name="法人(テスト)", programmes=[])
        self.houkatsu = AgencyFactory(kind=AgencyKind.HOUKATSU, name="包括(テスト)")
        self.csw = staff(self.shakyo, Role.CSW)
        self.operator_staff = staff(self.houjin, Role.CASEWORKER)
        self.other = staff(self.houkatsu, Role.CASEWORKER)
        self.resident = staff(self.shakyo, Role.RESIDENT)
        self.admin = staff(AgencyFactory(), Role.ADMIN)


@pytest.fixture
def w(db):
    return World()

import pytest

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff

from .factories import make_target, outreach_agency


@pytest.fixture
def shakyo(db):
    return outreach_agency(name="みどり市社会福祉協議会")


@pytest.fixture
def csw(shakyo):
    return staff(shakyo, Role.CSW)


@pytest.fixture
def csw2(shakyo):
    return staff(shakyo, Role.CSW)


@pytest.fixture
def nurse_agency(db):
    return AgencyFactory(name="訪問看護ステーション")


@pytest.fixture
def assignee(nurse_agency):
    """Works at another agency; named on the target."""
    return staff(nurse_agency, Role.CASEWORKER)


@pytest.fixture
def outsider(db):
    return staff(AgencyFactory(), Role.CASEWORKER)


@pytest.fixture
def admin_user(db):
    return staff(AgencyFactory(), Role.ADMIN)


@pytest.fixture
def target(csw, shakyo, assignee):
    return make_target(csw, shakyo, assignees=[assignee])

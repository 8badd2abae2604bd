import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agencies.choices import Programme, Role
from agencies.models import Area
from agencies.policy import PolicyDenied, can
from agencies.tests.factories import AgencyFactory, AreaFactory, staff
from audit.models import AuditEvent
from community.models import Resource
from community.services import StaleVersion, resource_create, resource_update
from community.tests.factories import ResourceFactory, WorkResourceFactory


@pytest.fixture
def shakyo(db):
    return AgencyFactory(programmes=[Programme.COMMUNITY.value])


@pytest.fixture
def csw(shakyo):
    return staff(shakyo, Role.CSW)


@pytest.fixture
def operator(db):
    return AgencyFactory(kind="shafuku", programmes=[])


@pytest.fixture
def operator_staff(operator):
    return staff(operator, Role.CASEWORKER)


def test_csw_creates_a_place_and_the_create_is_audited(csw):
    area = AreaFactory()
    resource = resource_create(
        actor=csw,
        name="まちの縁側 みどり",
        kana="まちのえんがわみどり",
        kind="engawa",
        area=area,
        functions=["exchange", "consultation"],
        target_groups=["all"],
        start_date=dt.date(2026, 5, 1),
    )
    assert resource.public_id and resource.is_place and resource.created_by == csw
    event = AuditEvent.objects.get(action="resource.create")
    assert event.object_repr == f"resource:{resource.public_id}"
    assert event.basis == "community_staff"


def test_unknown_codes_and_bad_ranges_are_field_errors_in_japanese(csw):
    with pytest.raises(ValidationError) as err:
        resource_create(
            actor=csw, name="x", kind="salon", functions=["hacking"], min_age=60, max_age=10
        )
    assert "functions" in err.value.message_dict
    assert "不明なコード" in err.value.message_dict["functions"][0]


def test_small_area_must_sit_inside_the_area(csw):
    sphere, other = AreaFactory(), AreaFactory()
    district = AreaFactory(level=Area.Level.DISTRICT, parent=other)
    with pytest.raises(ValidationError) as err:
        resource_create(actor=csw, name="x", kind="salon", area=sphere, small_area=district)
    assert "small_area" in err.value.message_dict


def test_every_care_role_sees_the_catalogue_but_residents_do_not(caseworker, outsider):
    resource = ResourceFactory()
    assert can(caseworker, "resource.view", resource)
    assert can(outsider, "resource.list")
    resident = staff(AgencyFactory(), Role.RESIDENT)
    assert not can(resident, "resource.view", resource)


def test_operator_staff_edit_their_own_resource_only(operator_staff, operator, caseworker):
    own = ResourceFactory(operating_agency=operator)
    other = ResourceFactory()
    assert can(operator_staff, "resource.update", own)
    assert not can(operator_staff, "resource.update", other)
    assert not can(operator_staff, "resource.create")
    assert not can(caseworker, "resource.update", own)  # a care-role colleague elsewhere
    updated = resource_update(actor=operator_staff, resource=own, capacity=12)
    assert updated.capacity == 12 and updated.version == 2
    with pytest.raises(PolicyDenied):
        resource_update(actor=operator_staff, resource=other, capacity=3)


def test_operator_staff_cannot_hand_the_resource_to_another_agency(operator_staff, operator):
    own = ResourceFactory(operating_agency=operator)
    with pytest.raises(ValidationError):
        resource_update(actor=operator_staff, resource=own, operating_agency=AgencyFactory())


def test_participation_workers_and_admins_manage_the_catalogue(admin_user):
    worker = staff(AgencyFactory(), Role.PARTICIPATION_WORKER)
    assert can(worker, "resource.create")
    assert can(admin_user, "resource.update", ResourceFactory())


def test_stale_version_is_refused(csw):
    resource = ResourceFactory()
    resource_update(actor=csw, resource=resource, capacity=5)
    with pytest.raises(StaleVersion):
        resource_update(actor=csw, resource=resource, expected_version=1, capacity=8)


def test_queryset_helpers(db):
    place = ResourceFactory(functions=["food"], start_date=dt.date(2026, 6, 1))
    work = WorkResourceFactory()
    assert list(Resource.objects.places()) == [place]
    assert list(Resource.objects.with_code("functions", "food")) == [place]
    assert work in Resource.objects.with_code("functions", "work")
    assert list(Resource.objects.started_between(dt.date(2026, 4, 1), dt.date(2027, 3, 31))) == [
        place
    ]

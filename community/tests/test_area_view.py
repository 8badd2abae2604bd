import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Area
from agencies.tests.factories import AreaFactory
from cases.tests.factories import login_verified
from community.maps import import_shapes
from community.models import AreaShape

from .factories import ResourceFactory, SessionFactory


@pytest.fixture
def midori(db):
    spheres = {}
    for n, code in enumerate(("north", "central", "south")):
        spheres[code] = AreaFactory(code=code, name=f"{code}圏域", sort_order=n)
        for k in (1, 2):
            AreaFactory(
                code=f"{code}-{k}",
                name=f"{code}{k}地区",
                level=Area.Level.DISTRICT,
                parent=spheres[code],
            )
    call_command("import_area_shapes", "--demo", stdout=open("/dev/null", "w"))
    return spheres


def test_demo_boundaries_import_as_svg_paths(midori):
    assert AreaShape.objects.count() == 9
    shape = AreaShape.objects.get(area__code="north")
    assert shape.svg_path.startswith("M") and shape.svg_path.endswith("Z")
    assert 0 <= shape.label_x <= 800


def test_unknown_codes_and_bad_geometry_are_refused_whole(midori):
    bad = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "atlantis"}, "geometry": None},
        ],
    }
    with pytest.raises(ValidationError, match="登録されていない圏域コード"):
        import_shapes(json.dumps(bad))
    with pytest.raises(ValidationError):
        import_shapes(b"not json")
    assert AreaShape.objects.count() == 9  # the earlier import is untouched


def test_area_view_draws_shades_points_and_a_table_in_fixed_queries(
    client, w, midori, django_assert_max_num_queries
):
    login_verified(client, w.other)
    url = reverse("community:area_view")
    today = dt.date.today()
    place = ResourceFactory(area=midori["north"], latitude=35.68, longitude=139.52)
    SessionFactory(resource=place, held_on=today.replace(day=1), recorded_by=w.csw)
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="area-map"' in body and "<circle" in body
    assert 'data-testid="area-table"' in body and "north圏域" in body
    for n in range(30):
        p = ResourceFactory(area=midori["south"], latitude=35.61, longitude=139.58)
        SessionFactory(resource=p, held_on=today.replace(day=1), recorded_by=w.csw)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url + "?metric=sessions&level=district")
    assert response.status_code == 200


def test_area_view_without_boundaries_still_shows_the_table(client, w):
    login_verified(client, w.other)
    response = client.get(reverse("community:area_view"))
    assert "import_area_shapes" in response.content.decode()
    assert 'data-testid="area-table"' in response.content.decode()

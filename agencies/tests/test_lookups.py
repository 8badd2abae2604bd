"""`__includes`: a JSON list of codes holds a code — the same rows on SQLite and PostgreSQL."""

import pytest
from django.db import connection

from agencies.models import Agency
from agencies.tests.factories import AgencyFactory


@pytest.mark.django_db
def test_a_code_is_found_whole_and_only_whole():
    both = AgencyFactory(programmes=["consultation", "multiagency"])
    one = AgencyFactory(programmes=["multiagency"])
    AgencyFactory(programmes=["outreach"])
    AgencyFactory(programmes=[])

    def found(code):
        return set(Agency.objects.filter(programmes__includes=code))

    assert found("multiagency") == {both, one}
    assert found("consultation") == {both}
    # a part of a code, or a code of another case or with a wildcard, is not that code
    assert found("agency") == found("consult") == found("MULTIAGENCY") == set()
    assert found("multi%") == found("multi_gency") == set()
    assert set(Agency.objects.running("multiagency")) == {both, one}
    assert set(Agency.objects.exclude(programmes__includes="multiagency")) == {
        a for a in Agency.objects.all() if "multiagency" not in a.programmes
    }


@pytest.mark.django_db
def test_each_database_asks_for_the_element_not_a_pattern():
    sql = str(Agency.objects.filter(programmes__includes="outreach").query)
    assert "LIKE" not in sql.upper()  # a LIKE is never prepared (agencies.dbconn)
    if connection.vendor == "postgresql":
        assert "@>" in sql
    else:
        assert "json_each" in sql

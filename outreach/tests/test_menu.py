"""The outreach menu entries are shown to the users the outreach policy lets use them, and to
nobody else (a link in the navigation must not answer 403): a 社会福祉法人's caseworker and the
city's 推進員 without outreach work (houjin1, suishin1 in the demo) see none."""

import re

import pytest
from django.urls import reverse

from agencies.choices import AgencyKind, OperatorType, Role
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import multiagency_agency

INDEX = reverse("outreach:index")
FIELD = reverse("outreach:field")


@pytest.fixture
def houjin(db):
    """houjin1: caseworker at a 社会福祉法人 that runs no programme."""
    return staff(AgencyFactory(kind=AgencyKind.SHAFUKU, programmes=[]), Role.CASEWORKER)


@pytest.fixture
def city(db):
    return multiagency_agency(operator_type=OperatorType.MUNICIPAL, name="福祉相談課")


@pytest.fixture
def suishin(city):
    """suishin1: the city's coordinator (相談支援包括化推進員); the city runs no outreach."""
    return staff(city, Role.COORDINATOR)


def _menu(client) -> str:
    html = client.get(reverse("dashboard")).content.decode()
    match = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("who", ["houjin", "suishin"])
def test_no_outreach_menu_for_staff_without_outreach_work(client, request, who, target):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert f'href="{INDEX}"' not in _menu(client)
    assert client.get(INDEX).status_code == 403
    assert client.get(reverse("outreach:visit_plan")).status_code == 403
    assert client.get(FIELD).status_code == 403


def test_outreach_staff_have_the_menu_and_every_entry(client, csw, target):
    client.force_login(csw)
    assert f'href="{INDEX}"' in _menu(client)
    page = client.get(INDEX)
    assert page.status_code == 200 and f'href="{FIELD}"' in page.content.decode()
    assert client.get(FIELD).status_code == 200


def test_an_assignee_elsewhere_has_the_menu_and_the_field_page(client, assignee, target):
    client.force_login(assignee)
    assert f'href="{INDEX}"' in _menu(client)
    assert target.number in client.get(INDEX).content.decode()
    assert client.get(FIELD).status_code == 200


def test_a_shien_kaigi_member_reads_but_gets_no_field_entry(client, csw, target, city, suishin):
    """suishin1 on the 支援会議 that discussed the target: the list (read only), no tablet page."""
    from meetings import services as ms
    from meetings.choices import BodyKind
    from meetings.tests.conftest import make_body, schedule, seat
    from outreach import services

    body = make_body(suishin, city, BodyKind.SHIEN_KAIGI, "支援会議")
    seat(body, suishin, suishin)
    link = services.target_request_agenda(actor=csw, target=target, body=body, description="共有")
    ms.agenda_item_add(
        meeting=schedule(body, suishin), actor=suishin, source=f"request:{link.request.public_id}"
    )
    client.force_login(suishin)
    assert f'href="{INDEX}"' in _menu(client)
    page = client.get(INDEX)
    assert page.status_code == 200 and target.number in page.content.decode()
    assert f'href="{FIELD}"' not in page.content.decode()
    assert client.get(FIELD).status_code == 403


def test_the_menu_answer_is_remembered_but_the_list_always_asks(
    client, settings, houjin, csw, target, django_assert_num_queries
):
    """Outside an outreach agency the entry costs an EXISTS over the targets, so its answer is
    kept for NAV_CACHE_SECONDS; the list itself asks again, so a worker named while the menu
    still says no opens it at once (no 403 on a link from the notice)."""
    from django.core.cache import cache

    from agencies.policy import can
    from outreach import services

    settings.NAV_CACHE_SECONDS = 300
    cache.clear()
    try:
        assert not can(houjin, "outreach.menu")
        with django_assert_num_queries(0):
            assert not can(houjin, "outreach.menu")
        services.target_assign(actor=csw, target=target, lead_worker=csw, assignees=[houjin])
        client.force_login(houjin)
        assert f'href="{INDEX}"' not in _menu(client)  # remembered: a few minutes late
        assert client.get(INDEX).status_code == 200
        cache.clear()
        assert f'href="{INDEX}"' in _menu(client)
    finally:
        cache.clear()

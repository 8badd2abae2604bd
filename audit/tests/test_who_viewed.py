""" "Who viewed this" on the person and case pages: shown to those responsible for the record,
with the reader's name, the action in Japanese and the basis; not shown to others."""

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.policy import can
from agencies.tests.factories import staff
from cases.tests.factories import IntakeWorld, multiagency_agency, open_case

pytestmark = pytest.mark.django_db


def test_person_owner_sees_who_viewed_the_person(client):
    w = IntakeWorld()
    url = reverse("cases:person_detail", args=[w.person.public_id])
    client.force_login(w.colleague)
    client.get(url)
    client.force_login(w.worker)
    html = client.get(url).content.decode()
    assert 'data-testid="who-viewed"' in html
    assert w.colleague.display_name in html
    assert "対象者の閲覧" in html or "閲覧" in html


def test_case_manager_sees_who_viewed_the_case_and_a_team_member_does_not(client):
    body = multiagency_agency()
    coordinator = staff(body, Role.COORDINATOR)
    case = open_case(coordinator=coordinator, agency=body)
    caseworker = staff(body, Role.CASEWORKER)
    url = reverse("cases:case_detail", args=[case.public_id])
    client.force_login(caseworker)
    html = client.get(url).content.decode()
    assert ('data-testid="who-viewed"' in html) == can(caseworker, "case.manage", case)
    outsider = staff(multiagency_agency(), Role.COORDINATOR)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    html = client.get(url).content.decode()
    assert 'data-testid="who-viewed"' in html and caseworker.display_name in html

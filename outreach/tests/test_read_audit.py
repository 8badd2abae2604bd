"""Every page or API answer that shows a target's personal data is an audited read, with the
basis the policy gave (the form pages as cases' person_edit: the GET only)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent

FORM_PAGES = [
    "target_edit",
    "target_assign",
    "register_person",
    "contact_create",
    "visit_create",
    "plan_create",
    "agenda_request",
]


def _reads(user, target):
    return AuditEvent.objects.filter(
        action="outreach_target.view", actor=user, object_id=str(target.pk)
    )


@pytest.mark.parametrize("name", FORM_PAGES)
def test_showing_a_form_page_of_a_target_is_an_audited_read(client, csw, target, name):
    client.force_login(csw)
    response = client.get(reverse(f"outreach:{name}", args=[target.public_id]))
    assert response.status_code == 200
    assert target.number in response.content.decode()
    reads = list(_reads(csw, target))
    assert len(reads) == 1
    assert reads[0].basis == "outreach_agency"


def test_the_assignee_read_is_recorded_with_the_assignee_basis(client, assignee, target):
    client.force_login(assignee)
    assert (
        client.get(reverse("outreach:contact_create", args=[target.public_id])).status_code == 200
    )
    assert [e.basis for e in _reads(assignee, target)] == ["outreach_assignee"]


def test_a_refused_post_does_not_record_a_second_read(client, csw, target):
    client.force_login(csw)
    url = reverse("outreach:agenda_request", args=[target.public_id])
    client.get(url)
    response = client.post(url, {"description": "相談したい"})
    assert response.status_code == 200 and response.context["form"].errors
    assert _reads(csw, target).count() == 1


def test_outsider_reads_nothing_and_nothing_is_recorded(client, outsider, target):
    client.force_login(outsider)
    assert client.get(reverse("outreach:target_edit", args=[target.public_id])).status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider, action="outreach_target.view").exists()


def test_api_stage_history_is_an_audited_read(csw, target):
    api = APIClient()
    api.force_authenticate(csw)
    response = api.get(f"/api/v1/outreach/targets/{target.public_id}/transitions/")
    assert response.status_code == 200 and response.json()
    assert [e.basis for e in _reads(csw, target)] == ["outreach_agency"]

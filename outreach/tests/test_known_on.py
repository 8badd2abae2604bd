"""No contact before the date the target became known (把握日): refused by the service, shown at
the field on the page, a 400 at the field in the API."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from outreach import services
from outreach.models import OutreachContact

from .factories import log_contact, make_target


@pytest.fixture
def known_last_week(csw, shakyo):
    return make_target(csw, shakyo, known_on=timezone.localdate() - dt.timedelta(days=7))


def _before(target):
    day = target.known_on - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(15)))


def test_service_refuses_a_contact_before_the_known_date(csw, known_last_week):
    with pytest.raises(ValidationError) as exc:
        log_contact(csw, known_last_week, when=_before(known_last_week))
    assert "把握日" in exc.value.message_dict["occurred_at"][0]
    assert not OutreachContact.objects.exists()
    # The known date itself is fine.
    on_the_day = timezone.make_aware(dt.datetime.combine(known_last_week.known_on, dt.time(9)))
    assert log_contact(csw, known_last_week, when=on_the_day).pk


def test_page_shows_the_error_at_the_date_field(client, csw, known_last_week):
    client.force_login(csw)
    when = timezone.localtime(_before(known_last_week)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("outreach:contact_create", args=[known_last_week.public_id]),
        {
            "kind": "phone",
            "occurred_at": when,
            "minutes": "5",
            "staff": [csw.pk],
            "counterpart": "nobody",
            "outcome": "no_answer",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"]["occurred_at"].errors
    assert len(errors) == 1 and errors[0].startswith("把握日(")
    assert errors[0] in response.content.decode()
    assert not OutreachContact.objects.exists()


def test_api_answers_400_at_the_field(csw, known_last_week):
    api = APIClient()
    api.force_authenticate(csw)
    response = api.post(
        f"/api/v1/outreach/targets/{known_last_week.public_id}/contacts/",
        {
            "kind": "phone",
            "occurred_at": _before(known_last_week).isoformat(),
            "staff": [str(csw.public_id)],
            "counterpart": "nobody",
            "outcome": "no_answer",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "把握日" in response.json()["error"]["fields"]["occurred_at"][0]
    assert not OutreachContact.objects.exists()


def test_known_date_cannot_move_past_the_first_contact(csw, known_last_week):
    log_contact(csw, known_last_week, when=_before(known_last_week) + dt.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        services.target_update(
            actor=csw, target=known_last_week, data={"known_on": timezone.localdate()}
        )
    assert "known_on" in exc.value.message_dict

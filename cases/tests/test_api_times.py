"""Referral times in the API are in Asia/Tokyo (+09:00) like every other time, never UTC "Z"."""

import pytest
from rest_framework.test import APIClient

from cases.tests.factories import IntakeWorld

pytestmark = pytest.mark.django_db


def test_referral_times_are_tokyo_times():
    world = IntakeWorld()
    referral = world.opened()
    client = APIClient()
    client.force_authenticate(world.coordinator)
    body = client.get(f"/api/v1/referrals/{referral.public_id}/").json()
    for key in ("sent_at", "opened_at"):
        assert body[key].endswith("+09:00"), (key, body[key])
    events = body.get("events") or []
    assert all(e["at"].endswith("+09:00") for e in events), events

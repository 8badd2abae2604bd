import pytest
from django.urls import reverse

from audit.models import AuditEvent


@pytest.mark.django_db
def test_logged_in_user_switches_to_english_and_it_sticks(client, caseworker):
    client.force_login(caseworker)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.language == "en"
    assert AuditEvent.objects.filter(action="staff.update", object_id=str(caseworker.pk)).exists()
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert '<html lang="en"' in page.content.decode()


@pytest.mark.django_db
def test_unknown_language_changes_nothing(client, caseworker):
    client.force_login(caseworker)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    caseworker.refresh_from_db()
    assert caseworker.language == "ja"

"""List and search pages that show personal records leave one audit row naming what was shown."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases.tests.factories import PersonFactory


@pytest.mark.django_db
def test_person_search_records_which_persons_were_shown(client, agency, caseworker):
    shown = PersonFactory(
        family_name="山田",
        given_name="花子",
        family_name_kana="やまだ",
        given_name_kana="はなこ",
        registered_by_agency=agency,
        created_by=caseworker,
    )
    client.force_login(caseworker)
    response = client.get(reverse("cases:person_search"), {"q": "やまだ"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.search", actor=caseworker)
    assert event.kind == AuditEvent.Kind.VIEW
    assert event.subjects == [shown.audit_label()]
    # Ids only: the name typed and shown is nowhere in the row.
    assert "山田" not in str(event.subjects) and "山田" not in event.object_repr


@pytest.mark.django_db
def test_empty_list_writes_no_row(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("cases:consultation_list")).status_code == 200
    assert not AuditEvent.objects.filter(action="consultation.list").exists()


@pytest.mark.django_db
def test_api_person_list_records_which_persons_were_returned(client, agency, caseworker):
    shown = PersonFactory(registered_by_agency=agency, created_by=caseworker)
    client.force_login(caseworker)
    response = client.get("/api/v1/persons/", {"q": shown.family_name_kana})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.search", actor=caseworker)
    assert shown.audit_label() in event.subjects

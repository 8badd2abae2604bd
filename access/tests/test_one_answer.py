"""One answer for "no": a hidden record answers exactly like a missing one (issue 9 item 6), and
the refusal is in the audit log (who, address, when; no content)."""

import re
import uuid

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.models import ActivityNote
from cases.services import support as s
from cases.tests.factories import open_case
from meetings.tests.conftest import verified

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def _same(a, b, paths=()):
    """Equal but for the per-render CSRF token and the requested address (the language form
    sends the user back to it)."""
    for path in paths:
        a, b = a.replace(path.encode(), b"P"), b.replace(path.encode(), b"P")
    return TOKEN.sub(b"T", a) == TOKEN.sub(b"T", b)


@pytest.fixture
def hidden(coordinator, city):
    case = open_case(coordinator=coordinator, agency=city)
    note = s.note_create(case=case, actor=coordinator, kind="visit", content="訪問した")
    return case, note


@pytest.fixture
def outsider_client(client, db):
    verified(client, staff(AgencyFactory(), Role.CASEWORKER))
    return client


def test_hidden_case_page_is_byte_identical_to_a_missing_one(outsider_client, hidden):
    case, _ = hidden
    paths = [reverse("cases:case_detail", args=[x]) for x in (case.public_id, uuid.uuid4())]
    seen, missing = (outsider_client.get(p) for p in paths)
    assert seen.status_code == missing.status_code == 404
    assert _same(seen.content, missing.content, paths)
    assert "見つかりません".encode() in seen.content


def test_hidden_records_over_the_api_are_byte_identical_to_missing(outsider_client, hidden):
    case, note = hidden
    for base, obj in (("/api/v1/support-cases/", case), ("/api/v1/activity-notes/", note)):
        seen = outsider_client.get(f"{base}{obj.public_id}/")
        missing = outsider_client.get(f"{base}{uuid.uuid4()}/")
        assert seen.status_code == missing.status_code == 404
        assert seen.content == missing.content
        assert seen.json()["error"]["message"] == "見つかりませんでした。"


@pytest.mark.parametrize("path", ["/api/v1/support-cases/12/", "/api/v1/activity-notes/x'--/"])
def test_malformed_ids_answer_404(outsider_client, path):
    assert outsider_client.get(path).status_code == 404


def test_refused_attempt_is_audited_without_content(client, hidden):
    case, _ = hidden
    # A team-less colleague of another agency who tries a page of the case.
    intruder = staff(AgencyFactory(), Role.CASEWORKER)
    verified(client, intruder)
    from agencies.policy import require

    with pytest.raises(Exception):
        require(intruder, "case.view", case)
    url = reverse("cases:case_edit", args=[case.public_id])
    response = client.get(url)
    assert response.status_code == 404
    rows = AuditEvent.objects.filter(action="access.refused", actor=intruder)
    if rows.exists():
        row = rows.get()
        assert row.subjects == [url]
        assert case.summary not in str(row.subjects)
    assert ActivityNote.objects.count() == 1

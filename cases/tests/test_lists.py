"""Sortable lists that keep filters in the URL, show counts and export what is shown (CSV/XLSX):
cases, consultations, referrals received and sent. Scope, audit, formula safety, query counts."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from audit.models import AuditEvent
from cases.tests.factories import (
    ConsultationFactory,
    IntakeWorld,
    login_verified,
    multiagency_agency,
    open_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider():
    return staff(AgencyFactory(), Role.COORDINATOR)


def _xlsx_rows(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.worksheets[0].iter_rows(values_only=True))


def _csv_rows(response):
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _numbers_in_page(html: str, cases) -> list[str]:
    positions = sorted((html.index(c.number), c.number) for c in cases if c.number in html)
    return [n for _pos, n in positions]


def test_case_list_sorts_by_column_both_ways_and_marks_it(client, body, owner):
    cases = [open_case(coordinator=owner, agency=body, summary=f"概要{i}") for i in range(3)]
    client.force_login(owner)
    url = reverse("cases:case_list")
    html = client.get(url, {"sort": "number"}).content.decode()
    assert _numbers_in_page(html, cases) == sorted(c.number for c in cases)
    assert 'aria-sort="ascending"' in html
    html = client.get(url, {"sort": "-number"}).content.decode()
    assert _numbers_in_page(html, cases) == sorted((c.number for c in cases), reverse=True)
    assert 'aria-sort="descending"' in html
    # The header link keeps the filters and turns the direction round.
    html = client.get(url, {"sort": "number", "mine": "1", "page": "1"}).content.decode()
    assert 'href="?sort=-number&amp;mine=1"' in html or 'href="?mine=1&amp;sort=-number"' in html


def test_unknown_sort_key_falls_back_to_the_default(client, body, owner):
    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    for bad in ("summary", "password", "-__class__", "number;drop"):
        assert client.get(reverse("cases:case_list"), {"sort": bad}).status_code == 200


def test_case_list_shows_the_count(client, body, owner):
    for _ in range(2):
        open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    html = client.get(reverse("cases:case_list")).content.decode()
    assert "2件" in html
    assert "fmt=xlsx" in html and "fmt=csv" in html


def test_case_export_is_what_the_list_shows_and_is_audited(client, body, owner, outsider):
    mine = open_case(coordinator=owner, agency=body, summary='＝HYPERLINK("http://x")')
    other_body = multiagency_agency()
    other = open_case(coordinator=staff(other_body, Role.COORDINATOR), agency=other_body)
    client.force_login(owner)
    rows = _xlsx_rows(client.get(reverse("cases:case_export"), {"fmt": "xlsx", "sort": "-number"}))
    assert rows[0][0] == "ケース番号" and "終結日" in rows[0]
    numbers = [r[0] for r in rows[1:]]
    assert mine.number in numbers and other.number not in numbers
    summary = rows[1][rows[0].index("概要")]
    assert summary == '\'＝HYPERLINK("http://x")'  # full-width formula neutralised
    team = rows[1][rows[0].index("チーム")]
    assert isinstance(team, int)
    event = AuditEvent.objects.get(action="case.export", actor=owner)
    assert event.kind == AuditEvent.Kind.EXPORT
    assert event.object_id == "1 rows"
    assert event.subjects and mine.number in event.subjects[0]
    # CSV: the same rows.
    rows = _csv_rows(client.get(reverse("cases:case_export"), {"fmt": "csv"}))
    assert [r[0] for r in rows[1:]] == [mine.number]


def test_outsider_exports_none_of_the_cases(client, body, owner, outsider):
    case = open_case(coordinator=owner, agency=body)
    client.force_login(outsider)
    rows = _csv_rows(client.get(reverse("cases:case_export")))
    assert len(rows) == 1  # header only
    assert case.number not in str(rows)


def test_admin_without_care_role_exports_no_case(client, body, owner, admin_user):
    case = open_case(coordinator=owner, agency=body)
    login_verified(client, admin_user)
    response = client.get(reverse("cases:case_export"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert len(_csv_rows(response)) == 1
        assert case.number not in response.content.decode("utf-8-sig")


def test_case_export_follows_filters(client, body, owner):
    a = open_case(coordinator=owner, agency=body, summary="ごみ屋敷")
    b = open_case(coordinator=owner, agency=body, summary="8050")
    client.force_login(owner)
    rows = _csv_rows(client.get(reverse("cases:case_export"), {"q": "ごみ"}))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [a.number] and b.number not in numbers


def test_sorted_case_list_query_count_is_constant(
    client, body, owner, django_assert_max_num_queries
):
    for _ in range(3):
        open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("cases:case_list"), {"sort": "coordinator"})
    for _ in range(10):
        open_case(coordinator=owner, agency=body)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("cases:case_list"), {"sort": "coordinator"})


# --- consultations -------------------------------------------------------------------------------


def test_consultation_list_sorts_and_exports_xlsx(client, agency, caseworker, outsider):
    ConsultationFactory(agency=agency, staff=caseworker, summary="@SUM(A1)", minutes_spent=30)
    ConsultationFactory(agency=outsider.memberships.first().agency, staff=outsider)
    client.force_login(caseworker)
    assert client.get(reverse("cases:consultation_list"), {"sort": "-urgency"}).status_code == 200
    rows = _xlsx_rows(client.get(reverse("cases:consultation_export"), {"fmt": "xlsx"}))
    assert len(rows) == 2
    header = rows[0]
    assert rows[1][header.index("相談内容")] == "'@SUM(A1)"
    assert rows[1][header.index("対応時間(分)")] == 30
    assert AuditEvent.objects.filter(action="consultation.export", actor=caseworker).exists()


# --- referrals -----------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return IntakeWorld()


def test_referral_inbox_and_sent_export_what_each_side_sees(client, world):
    referral = world.sent()
    client.force_login(world.coordinator)
    rows = _csv_rows(client.get(reverse("cases:referral_inbox_export"), {"tab": "all"}))
    assert rows[0][0] == "シート番号"
    assert [r[0] for r in rows[1:]] == [referral.number]
    client.force_login(world.worker)
    rows = _xlsx_rows(client.get(reverse("cases:referral_sent_export"), {"fmt": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [referral.number]
    assert AuditEvent.objects.filter(action="referral.export").count() == 2
    # Someone at neither agency gets nothing.
    client.force_login(world.outsider)
    assert len(_csv_rows(client.get(reverse("cases:referral_inbox_export"), {"tab": "all"}))) == 1
    assert len(_csv_rows(client.get(reverse("cases:referral_sent_export")))) == 1


def test_referral_inbox_explains_its_default_order_and_sorts(client, world):
    world.sent()
    client.force_login(world.coordinator)
    html = client.get(reverse("cases:referral_inbox")).content.decode()
    assert "並び順" in html
    html = client.get(reverse("cases:referral_inbox"), {"sort": "-sent_at"}).content.decode()
    assert "並び順: 未確認" not in html
    assert 'aria-sort="descending"' in html

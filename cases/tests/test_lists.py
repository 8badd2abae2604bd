"""Sortable lists that keep filters in the URL, show counts and export what is shown (CSV/XLSX):
cases, consultations, referrals received and sent. Scope, audit, formula safety, query counts."""

import csv
import io
import re
from urllib.parse import parse_qs

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


def test_inbox_export_with_a_refused_from_agency_exports_nothing_and_says_why(client, world):
    world.sent()
    client.force_login(world.coordinator)
    response = client.get(
        reverse("cases:referral_inbox_export"),
        {"tab": "all", "fmt": "csv", "from_agency_text": "存在しない機関名"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:referral_inbox") + "?")
    assert "fmt=" not in response["Location"]
    assert not AuditEvent.objects.filter(action="referral.export").exists()
    html = client.get(response["Location"]).content.decode()
    assert 'id="id_from_agency_error"' in html


def test_referral_inbox_explains_its_default_order_and_sorts(client, world):
    world.sent()
    client.force_login(world.coordinator)
    html = client.get(reverse("cases:referral_inbox")).content.decode()
    assert "並び順" in html
    html = client.get(reverse("cases:referral_inbox"), {"sort": "-sent_at"}).content.decode()
    assert "並び順: 未確認" not in html
    assert 'aria-sort="descending"' in html


# --- the 主担当機関 filter: the agency picker -----------------------------------------------------------


def _led_by(agency, *cases):
    from cases.models import SupportCase

    SupportCase.objects.filter(pk__in=[c.pk for c in cases]).update(lead_agency=agency)


def _case_list(client, **params):
    response = client.get(reverse("cases:case_list"), params)
    assert response.status_code == 200
    return {c.number for c in response.context["page_obj"]}, response.content.decode()


def test_case_list_filters_by_the_lead_agency_chosen_in_the_picker_and_keeps_it_shown(
    client, body, owner
):
    north = AgencyFactory(name="北部地域包括支援センター")
    cases = [open_case(coordinator=owner, agency=body) for _ in range(2)]
    _led_by(north, *cases)
    led = {c.number for c in cases}
    other = open_case(coordinator=owner, agency=body)
    client.force_login(owner)

    # Chosen from the picker's options (JavaScript fills the hidden id and the text).
    found, html = _case_list(client, lead_agency=north.pk, lead_agency_text=north.name)
    assert found == led
    assert f'name="lead_agency" value="{north.pk}"' in html
    assert f'name="lead_agency_text" value="{north.name}"' in html
    assert _case_list(client, lead_agency=body.pk, lead_agency_text=body.name)[0] == {other.number}
    # Without JavaScript: the typed text is resolved through the picker's search.
    found, html = _case_list(client, lead_agency_text="北部地域包括")
    assert found == led
    assert f'name="lead_agency" value="{north.pk}"' in html
    assert f'name="lead_agency_text" value="{north.name}"' in html
    # A link that carries only the id still names the agency it filters by.
    found, html = _case_list(client, lead_agency=north.pk)
    assert found == led
    assert f'name="lead_agency_text" value="{north.name}"' in html
    # Sorting keeps the filter.
    found, html = _case_list(client, lead_agency=north.pk, sort="number")
    assert found == led
    assert f'href="?lead_agency={north.pk}&amp;sort=-number"' in html


def test_case_list_pages_keep_the_lead_agency_filter(client, body, owner, monkeypatch):
    monkeypatch.setattr("cases.views.support.PAGE_SIZE", 1)
    north = AgencyFactory()
    cases = [open_case(coordinator=owner, agency=body) for _ in range(2)]
    _led_by(north, *cases)
    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    found, html = _case_list(client, lead_agency=north.pk, lead_agency_text=north.name)
    assert "1 / 2 ページ" in html
    next_link = re.search(r'href="\?([^"]*)" rel="next"', html).group(1).replace("&amp;", "&")
    assert parse_qs(next_link) == {
        "lead_agency": [str(north.pk)],
        "lead_agency_text": [north.name],
        "page": ["2"],
    }
    found_next, _html = _case_list(
        client, lead_agency=north.pk, lead_agency_text=north.name, page=2
    )
    assert found | found_next == {c.number for c in cases}


def test_case_list_filter_by_a_deactivated_lead_agency_still_finds_its_cases(client, body, owner):
    closed_down = AgencyFactory(active=False)
    case = open_case(coordinator=owner, agency=body)
    _led_by(closed_down, case)
    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    found, html = _case_list(client, lead_agency=closed_down.pk)
    assert found == {case.number}
    assert f'name="lead_agency_text" value="{closed_down.name}"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"lead_agency": "abc"},
        {"lead_agency": "99999999"},
        {"lead_agency": "99999999999999999999999"},
        {"lead_agency": "1;DROP"},
        {"lead_agency_text": "存在しない機関名"},
    ],
)
def test_case_list_unknown_or_malformed_lead_agency_is_a_field_error(client, body, owner, params):
    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    response = client.get(reverse("cases:case_list"), params)
    assert response.status_code == 200
    assert "lead_agency" in response.context["filter_form"].errors
    html = response.content.decode()
    assert 'id="id_lead_agency_error"' in html and 'class="error"' in html


def test_case_list_offers_the_agency_picker_instead_of_listing_every_agency(client, body, owner):
    # Agencies leading cases elsewhere in the city: the old <select> listed every one of them.
    elsewhere = multiagency_agency()
    others = AgencyFactory.create_batch(5)
    for agency in others:
        _led_by(agency, open_case(coordinator=staff(elsewhere, Role.COORDINATOR), agency=elsewhere))
    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    html = client.get(reverse("cases:case_list")).content.decode()
    assert 'data-url="/agencies/pick/agencies/"' in html
    assert 'name="lead_agency_text"' in html and 'role="combobox"' in html
    assert '<select name="lead_agency"' not in html
    assert not any(a.name in html for a in others)


def test_case_export_honours_the_lead_agency_filter(client, body, owner):
    north = AgencyFactory(name="北部地域包括支援センター")
    led = open_case(coordinator=owner, agency=body)
    _led_by(north, led)
    other = open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    url = reverse("cases:case_export")
    rows = _csv_rows(client.get(url, {"fmt": "csv", "lead_agency": north.pk}))
    assert [r[0] for r in rows[1:]] == [led.number]
    rows = _xlsx_rows(client.get(url, {"fmt": "xlsx", "lead_agency_text": "北部地域包括"}))
    assert [r[0] for r in rows[1:]] == [led.number]
    rows = _csv_rows(client.get(url, {"fmt": "csv", "lead_agency": body.pk}))
    assert [r[0] for r in rows[1:]] == [other.number]


def test_case_export_with_a_refused_lead_agency_exports_nothing_and_says_why(client, body, owner):
    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    response = client.get(
        reverse("cases:case_export"), {"fmt": "csv", "lead_agency_text": "存在しない機関名"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:case_list") + "?")
    assert "fmt=" not in response["Location"]
    assert not AuditEvent.objects.filter(action="case.export").exists()
    html = client.get(response["Location"]).content.decode()
    assert 'id="id_lead_agency_error"' in html

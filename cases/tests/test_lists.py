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


def test_consultation_list_query_count_is_constant(
    client, agency, caseworker, django_assert_max_num_queries
):
    """Rows are read with the columns the page prints: one left out would cost a query per row."""
    ConsultationFactory.create_batch(2, agency=agency, staff=caseworker)
    client.force_login(caseworker)
    client.get(reverse("cases:consultation_list"))
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("cases:consultation_list"))
    ConsultationFactory.create_batch(
        12, agency=agency, staff=caseworker, urgency="urgent", categories=["kakei", "8050"]
    )
    with django_assert_max_num_queries(len(small.captured_queries) + 1):  # + the COUNT
        html = client.get(reverse("cases:consultation_list")).content.decode()
    assert html.count(caseworker.display_name) >= 14 and "家計・債務" in html


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


def test_lists_ask_their_templates_for_no_missing_variable(
    client, world, missing_template_variables
):
    """An unassigned sheet in the inbox, the consultation list, the dashboard: every name the
    templates ask for exists (a missing one costs exceptions on every row)."""
    referral = world.sent()
    assert referral.assignee_id is None
    ConsultationFactory(agency=world.sender, staff=world.worker)
    client.force_login(world.coordinator)
    html = client.get(reverse("cases:referral_inbox")).content.decode()
    assert referral.number in html and "<td>—</td>" in html
    client.force_login(world.worker)
    for name in ("cases:consultation_list", "dashboard"):
        assert client.get(reverse(name)).status_code == 200
    assert missing_template_variables == []


# --- the 主担当機関 filter: the agency picker -----------------------------------------------------------


def _led_by(agency, *cases):
    from cases.models import SupportCase

    SupportCase.objects.filter(pk__in=[c.pk for c in cases]).update(lead_agency=agency)


def _one_led_by_north(body, owner):
    """北部包括 and two of the owner's cases: one it leads, one it does not."""
    north = AgencyFactory(name="北部地域包括支援センター")
    led = open_case(coordinator=owner, agency=body)
    _led_by(north, led)
    return north, led, open_case(coordinator=owner, agency=body)


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
    north, led, other = _one_led_by_north(body, owner)
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


# --- the 担当推進員 filter: choices from memberships, not from the cases ---------------------------


def _coordinator_choices(response) -> set:
    return set(response.context["filter_form"].fields["coordinator"].queryset)


def _leave(user):
    """The user's memberships end yesterday (異動・退職)."""
    from datetime import timedelta

    from django.utils import timezone

    user.memberships.update(end_date=timezone.localdate() - timedelta(days=1))


def test_case_list_offers_the_coordinators_of_the_agencies_that_could_hold_its_cases(
    client, body, owner, outsider
):
    colleague = staff(body, Role.COORDINATOR)
    elsewhere = staff(multiagency_agency(), Role.COORDINATOR)  # a partner sees its cases
    staff(body, Role.CASEWORKER)  # not a 推進員
    left = staff(body, Role.COORDINATOR)
    _leave(left)
    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    response = client.get(reverse("cases:case_list"))
    assert _coordinator_choices(response) == {owner, colleague, elsewhere}
    html = response.content.decode()
    assert '<select name="coordinator"' in html
    assert f'<option value="{owner.pk}">{owner.display_name}</option>' in html
    # A 推進員 at an agency that runs no 多機関協働 is offered their own name (自分) too.
    client.force_login(outsider)
    choices = _coordinator_choices(client.get(reverse("cases:case_list")))
    assert choices == {owner, colleague, elsewhere, outsider}


def test_case_list_filters_by_coordinator_including_oneself(client, body, owner):
    colleague = staff(body, Role.COORDINATOR)
    mine = open_case(coordinator=owner, agency=body)
    theirs = open_case(coordinator=colleague, agency=body)
    client.force_login(owner)
    found, html = _case_list(client, coordinator=owner.pk)
    assert found == {mine.number}
    assert f'<option value="{owner.pk}" selected>' in html
    found, html = _case_list(client, coordinator=colleague.pk)
    assert found == {theirs.number}
    assert f'<option value="{colleague.pk}" selected>' in html
    assert _case_list(client, coordinator="")[0] == {mine.number, theirs.number}


def test_kept_link_naming_a_coordinator_who_has_left_still_filters(client, body, owner):
    gone = staff(body, Role.COORDINATOR, display_name="異動した推進員")
    theirs = open_case(coordinator=gone, agency=body)
    open_case(coordinator=owner, agency=body)
    _leave(gone)
    client.force_login(owner)
    response = client.get(reverse("cases:case_list"), {"coordinator": gone.pk})
    assert response.status_code == 200
    assert not response.context["filter_form"].errors
    assert {c.number for c in response.context["page_obj"]} == {theirs.number}
    # Shown as chosen though the list no longer offers them.
    assert (
        f'<option value="{gone.pk}" selected>異動した推進員</option>' in response.content.decode()
    )
    assert gone not in _coordinator_choices(client.get(reverse("cases:case_list")))


@pytest.mark.parametrize(
    "value", ["abc", "99999999", "99999999999999999999999", "1;DROP", "-1", "１", "nobody"]
)
def test_case_list_unknown_or_malformed_coordinator_is_a_field_error(client, body, owner, value):
    case = open_case(coordinator=owner, agency=body)
    # Someone never named on a case nor offered: a stale id as much as an unknown one.
    never = staff(AgencyFactory(), Role.CASEWORKER)
    client.force_login(owner)
    params = {"coordinator": never.pk if value == "nobody" else value, "q": case.number}
    response = client.get(reverse("cases:case_list"), params)
    assert response.status_code == 200
    assert response.context["filter_form"].errors["coordinator"] == [
        "この担当推進員では絞り込めません。一覧から選び直してください。"
    ]
    html = response.content.decode()
    assert 'id="id_coordinator_error"' in html and 'class="error"' in html
    # The refused filter is not applied; the others are.
    assert {c.number for c in response.context["page_obj"]} == {case.number}


def test_case_export_honours_the_coordinator_filter_and_refuses_a_bad_one(client, body, owner):
    colleague = staff(body, Role.COORDINATOR)
    open_case(coordinator=owner, agency=body)
    theirs = open_case(coordinator=colleague, agency=body)
    client.force_login(owner)
    url = reverse("cases:case_export")
    rows = _csv_rows(client.get(url, {"fmt": "csv", "coordinator": colleague.pk}))
    assert [r[0] for r in rows[1:]] == [theirs.number]
    response = client.get(url, {"fmt": "csv", "coordinator": "abc"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:case_list") + "?")
    assert AuditEvent.objects.filter(action="case.export").count() == 1  # the first one only


def test_coordinator_choices_cost_the_same_whatever_the_number_of_cases(
    client, body, owner, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.forms_support import CaseListFilterForm

    def choices_queries():
        form = CaseListFilterForm({}, user=owner)
        with CaptureQueriesContext(connection) as ctx:
            str(form["coordinator"])
        return [q["sql"] for q in ctx.captured_queries]

    open_case(coordinator=owner, agency=body)
    client.force_login(owner)
    few = choices_queries()
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("cases:case_list"), {"coordinator": owner.pk})
    for _ in range(5):
        open_case(coordinator=staff(body, Role.COORDINATOR), agency=body)
        open_case(coordinator=owner, agency=body)
    many = choices_queries()
    assert len(few) == len(many) == 1
    assert not any("cases_supportcase" in sql for sql in few + many)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("cases:case_list"), {"coordinator": owner.pk})


def test_coordinator_choices_sql_does_not_read_the_cases(body, owner):
    from cases.selectors.support import case_coordinator_choices

    sql = str(case_coordinator_choices(owner).query)
    assert "cases_supportcase" not in sql
    assert "agencies_membership" in sql


# --- 「絞り込みを解除」: a plain link, the way to take a picker's filter off without JavaScript --------


def test_case_list_clear_filters_link_only_while_filtering_and_keeps_the_sort(client, body, owner):
    north, led, other = _one_led_by_north(body, owner)
    client.force_login(owner)
    url = reverse("cases:case_list")
    for params in ({}, {"sort": "number"}, {"status": "open", "q": "", "lead_agency": ""}):
        assert 'data-testid="clear-filters"' not in _case_list(client, **params)[1]
    # Without JavaScript the emptied text still sends the hidden id: the filter stays on …
    found, html = _case_list(client, lead_agency=north.pk, lead_agency_text="", sort="-number")
    assert found == {led.number}
    # … and the link takes it off, keeping the order.
    link = re.search(r'<a class="btn btn--link" href="([^"]*)" data-testid="clear-filters">', html)
    assert link and "絞り込みを解除" in html
    assert link.group(1) == f"{url}?sort=-number"
    response = client.get(link.group(1))
    assert {c.number for c in response.context["page_obj"]} == {led.number, other.number}
    assert 'data-testid="clear-filters"' not in response.content.decode()
    for params in (
        {"coordinator": owner.pk},
        {"q": "8050"},
        {"status": ""},
        {"mine": "1"},
        {"overdue": "1"},
        {"lead_agency_text": "存在しない機関名"},  # a refused value is still in the form
        {"coordinator": "abc"},
    ):
        html = _case_list(client, **params)[1]
        assert f'href="{url}" data-testid="clear-filters"' in html, params


def test_referral_inbox_clear_filters_link_only_while_filtering_and_keeps_the_tab(client, world):
    referral = world.sent()
    client.force_login(world.coordinator)
    url = reverse("cases:referral_inbox")
    for params in ({}, {"tab": "all"}, {"tab": "all", "urgency": "", "from_agency": ""}):
        html = client.get(url, params).content.decode()
        assert 'data-testid="clear-filters"' not in html
    # The hidden id of a picker whose text was emptied (no JavaScript) still filters.
    response = client.get(
        url, {"tab": "all", "from_agency": world.other.pk, "from_agency_text": "", "page": "1"}
    )
    assert list(response.context["page_obj"]) == []
    html = response.content.decode()
    link = re.search(r'href="([^"]*)" data-testid="clear-filters"', html).group(1)
    assert link == f"{url}?tab=all"
    response = client.get(link)
    assert [r.number for r in response.context["page_obj"]] == [referral.number]
    assert 'data-testid="clear-filters"' not in response.content.decode()
    html = client.get(url, {"urgency": "urgent"}).content.decode()
    assert f'href="{url}" data-testid="clear-filters"' in html

"""HTML pages: owner agency, colleague, outsider on every view; duplicate step; bad dates."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Consent, Household, HouseholdMember, Person
from cases.tests.factories import (
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PersonFactory,
    SupportCaseFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def person(agency, caseworker):
    return PersonFactory(
        registered_by_agency=agency,
        created_by=caseworker,
        family_name="山田",
        given_name="花子",
        family_name_kana="やまだ",
        given_name_kana="はなこ",
        birth_date=dt.date(1950, 4, 1),
        address="みどり市北部町1-1",
        notes="長男と二人暮らし",
    )


@pytest.fixture
def household(agency, person):
    return HouseholdMemberFactory(
        person=person, household=HouseholdFactory(registered_by_agency=agency)
    ).household


@pytest.fixture
def consent(person):
    return ConsentFactory(
        person=person,
        document=SimpleUploadedFile("x.pdf", PDF),
        document_content_type="application/pdf",
    )


def urls(person, household, consent):
    return {
        "detail": reverse("cases:person_detail", args=[person.public_id]),
        "edit": reverse("cases:person_edit", args=[person.public_id]),
        "merge": reverse("cases:person_merge", args=[person.public_id]),
        "consent_create": reverse("cases:consent_create", args=[person.public_id]),
        "household": reverse("cases:household_detail", args=[household.public_id]),
        "household_edit": reverse("cases:household_edit", args=[household.public_id]),
        "member_add": reverse("cases:household_member_add", args=[household.public_id]),
        "member_leave": reverse(
            "cases:household_member_leave", args=[household.public_id, person.public_id]
        ),
        "consent_withdraw": reverse("cases:consent_withdraw", args=[consent.public_id]),
        "consent_document": reverse("cases:consent_document", args=[consent.public_id]),
    }


@pytest.mark.parametrize(
    "page",
    [
        "detail",
        "edit",
        "merge",
        "consent_create",
        "household",
        "household_edit",
        "member_add",
        "member_leave",
        "consent_withdraw",
        "consent_document",
    ],
)
def test_owner_and_colleague_may_open_outsider_may_not(
    client, caseworker, colleague, outsider, person, household, consent, page
):
    url = urls(person, household, consent)[page]
    for user in (caseworker, colleague):
        client.force_login(user)
        assert client.get(url).status_code == 200, (page, user)
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 404  # not allowed answers as not found
    assert "山田" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, person):
    response = client.get(reverse("cases:person_detail", args=[person.public_id]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_detail_shows_basis_and_age_and_is_audited(client, caseworker, person):
    client.force_login(caseworker)
    html = client.get(reverse("cases:person_detail", args=[person.public_id])).content.decode()
    assert "閲覧の根拠: 同じ機関の職員" in html
    assert "昭和25年4月1日" in html
    assert f"{person.age()}歳" in html
    assert AuditEvent.objects.filter(
        action="person.view", object_id=str(person.pk), actor=caseworker
    ).exists()


def test_consent_based_viewer_sees_only_consented_sections(
    client, person, household, other_agency, outsider
):
    CaseTeamMemberFactory(case=SupportCaseFactory(household=household), agency=other_agency)
    ConsentFactory(person=person, agencies=[other_agency], info_kinds=["household"])
    client.force_login(outsider)
    html = client.get(reverse("cases:person_detail", args=[person.public_id])).content.decode()
    assert "閲覧の根拠: 本人同意" in html
    assert 'data-testid="section-household"' in html
    assert 'data-testid="section-basic"' not in html
    assert "みどり市北部町1-1" not in html and "長男と二人暮らし" not in html
    assert client.get(reverse("cases:person_edit", args=[person.public_id])).status_code == 403


def test_withdrawal_through_the_page_ends_access(client, person, household, other_agency, outsider):
    CaseTeamMemberFactory(case=SupportCaseFactory(household=household), agency=other_agency)
    consent = ConsentFactory(person=person, agencies=[other_agency])
    client.force_login(outsider)
    detail = reverse("cases:person_detail", args=[person.public_id])
    assert client.get(detail).status_code == 200
    response = client.post(
        reverse("cases:consent_withdraw", args=[consent.public_id]), {"note": "本人から電話"}
    )
    assert response.status_code == 302
    assert client.get(detail).status_code == 404


def test_search_page_shows_own_records_and_only_agency_names_of_others(
    client, caseworker, person, other_agency, django_assert_max_num_queries
):
    for n in range(20):
        PersonFactory(
            registered_by_agency=person.registered_by_agency,
            family_name="山田",
            family_name_kana="やまだ",
        )
    PersonFactory(
        registered_by_agency=other_agency,
        family_name="山田",
        given_name="秘密",
        family_name_kana="やまだ",
    )
    client.force_login(caseworker)
    url = reverse("cases:person_search") + "?q=ヤマダ"
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    assert "山田 花子" in html
    assert "秘密" not in html
    assert f"{other_agency.name}に記録があります" in html


def _elsewhere_sql(queries) -> str:
    (sql,) = [q["sql"] for q in queries if 'DISTINCT "agencies_agency"."name"' in q["sql"]]
    return sql


def test_other_agencies_of_a_one_page_result_are_found_without_asking_visibility_again(
    client, caseworker, person, other_agency
):
    """The visible matches are all on the page: the agencies holding other matches exclude them
    by key (the visibility, with its grants, is asked once, by the page's own query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PersonFactory(registered_by_agency=other_agency, family_name="山田", family_name_kana="やまだ")
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("cases:person_search") + "?q=山田").content.decode()
    assert "山田 花子" in html and f"{other_agency.name}に記録があります" in html
    assert "access_accessgrant" not in _elsewhere_sql(queries)


def test_other_agencies_are_named_on_every_page_of_a_long_result(
    client, caseworker, person, other_agency
):
    from cases.views.persons import PAGE_SIZE

    for _ in range(PAGE_SIZE):
        PersonFactory(
            registered_by_agency=person.registered_by_agency,
            family_name="山田",
            family_name_kana="やまだ",
        )
    PersonFactory(registered_by_agency=other_agency, family_name="山田", given_name="秘密")
    client.force_login(caseworker)
    url = reverse("cases:person_search") + "?q=山田"
    for page in ("", "&page=2"):
        html = client.get(url + page).content.decode()
        assert f"{other_agency.name}に記録があります" in html and "秘密" not in html


def test_outsider_search_reveals_no_details(client, outsider, person):
    client.force_login(outsider)
    html = client.get(reverse("cases:person_search") + "?q=山田花子").content.decode()
    assert "花子" not in html.split("検索結果")[1]
    assert f"{person.registered_by_agency.name}に記録があります" in html


def test_create_shows_duplicates_before_saving_then_confirms(client, caseworker, person):
    client.force_login(caseworker)
    data = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "birth_date": "1950/4/1",
    }
    response = client.post(reverse("cases:person_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "ふりがなと生年月日が一致" in html
        and "既存の記録を開く" in html
        and "この内容で新規登録" in html
    )
    assert Person.objects.count() == 1
    response = client.post(reverse("cases:person_create"), {**data, "confirm_new": "1"})
    assert response.status_code == 302
    created = Person.objects.exclude(pk=person.pk).get()
    assert created.kana_search == "やまだはなこ" and created.birth_date == dt.date(1950, 4, 1)
    assert response["Location"] == reverse("cases:person_detail", args=[created.public_id])


def test_create_without_duplicates_saves_at_once(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:person_create"),
        {"family_name": "鈴木", "given_name": "一郎", "birth_date": "昭和25年4月1日"},
    )
    assert response.status_code == 302
    assert Person.objects.get().birth_date == dt.date(1950, 4, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-02-30", "2月30日は存在しない日付です"),
        ("2020/13/01", "13月という月はありません"),
        ("きのう", "日付は「1950-04-01」"),
        ((timezone.localdate() + dt.timedelta(days=1)).isoformat(), "生年月日が未来の日付です"),
        ("1880-01-01", "年齢が130歳を超えています"),
    ],
)
def test_bad_birth_dates_get_japanese_errors_next_to_the_field(client, caseworker, value, message):
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:person_create"), {"family_name": "鈴木", "birth_date": value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.exists()


def test_postal_code_and_phone_that_are_no_numbers_are_refused_at_the_field(client, caseworker):
    client.force_login(caseworker)
    url = reverse("cases:person_create")
    data = {"family_name": "鈴木", "given_name": "一郎", "postal_code": "abcdefg"}
    response = client.post(url, {**data, "phone": "電話なし"})
    body = response.content.decode()
    assert response.status_code == 200 and not Person.objects.exists()
    assert "郵便番号は「123-4567」の形" in body and "電話番号は数字とハイフン" in body
    assert 'value="電話なし"' in body  # kept as typed
    response = client.post(
        url, {**data, "postal_code": "１２３－４５６７", "phone": "(0123) 45-6789"}
    )
    assert response.status_code == 302
    assert Person.objects.get().phone_digits == "0123456789"


def test_edit_with_stale_version_shows_both_versions(client, caseworker, colleague, person):
    client.force_login(caseworker)
    url = reverse("cases:person_edit", args=[person.public_id])
    base = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "やまだ",
        "given_name_kana": "はなこ",
        "birth_date": "1950-04-01",
        "address": "みどり市北部町1-1",
    }
    assert client.post(url, {**base, "phone": "042-000-1111", "version": 1}).status_code == 302
    client.force_login(colleague)
    response = client.post(url, {**base, "phone": "042-999-9999", "version": 1})
    html = response.content.decode()
    assert response.status_code == 200
    assert "あなたが開いた版: 1 / 現在の版: 2" in html
    assert "042-999-9999" in html and "042-000-1111" in html
    person.refresh_from_db()
    assert person.phone == "042-000-1111" and person.version == 2


def test_merged_record_url_redirects_to_the_kept_one(client, caseworker, person):
    old = PersonFactory(registered_by_agency=person.registered_by_agency, merged_into=person)
    client.force_login(caseworker)
    response = client.get(reverse("cases:person_detail", args=[old.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:person_detail", args=[person.public_id])


def test_merge_screen_lists_candidates_and_merges(client, caseworker, person):
    twin = PersonFactory(
        registered_by_agency=person.registered_by_agency,
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        birth_date=dt.date(1950, 4, 1),
    )
    client.force_login(caseworker)
    url = reverse("cases:person_merge", args=[person.public_id])
    assert "氏名と生年月日が一致" in client.get(url).content.decode()
    assert "統合の確認" in client.get(url + f"?absorb={twin.public_id}").content.decode()
    response = client.post(
        url + f"?absorb={twin.public_id}",
        {"absorb": twin.public_id, "reason": "本人に確認", "confirm": "on"},
    )
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into == person


def test_household_pages(client, caseworker, person, household):
    client.force_login(caseworker)
    son = PersonFactory(
        registered_by_agency=person.registered_by_agency, family_name="山田", given_name="一郎"
    )
    add = reverse("cases:household_member_add", args=[household.public_id])
    assert "山田 一郎" in client.get(add + "?q=山田一郎").content.decode()
    response = client.post(
        add, {"person": son.public_id, "relation": "child", "lives_together": "on"}
    )
    assert response.status_code == 302
    assert HouseholdMember.objects.current().filter(household=household).count() == 2
    leave = reverse("cases:household_member_leave", args=[household.public_id, son.public_id])
    assert (
        client.post(
            leave, {"left_on": timezone.localdate().isoformat(), "reason": "転出"}
        ).status_code
        == 302
    )
    html = client.get(
        reverse("cases:household_detail", args=[household.public_id])
    ).content.decode()
    assert 'data-testid="member-history"' in html and "転出" in html
    edit = reverse("cases:household_edit", args=[household.public_id])
    response = client.post(
        edit,
        {
            "address": "みどり市南部町2-2",
            "type_tags": ["8050", "single_elderly"],
            "version": household.version,
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.type_tags == ["single_elderly", "8050"]


def test_household_create_from_person(client, caseworker, person):
    client.force_login(caseworker)
    url = reverse("cases:household_create") + f"?person={person.public_id}"
    response = client.post(
        url,
        {
            "address": "みどり市北部町1-1",
            "type_tags": ["single_elderly"],
            "person": person.public_id,
        },
    )
    assert response.status_code == 302
    household = Household.objects.latest("pk")
    assert household.members.get().person == person


def test_outsider_household_member_row_shows_only_agency(
    client, person, household, other_agency, outsider
):
    other = PersonFactory(
        registered_by_agency=other_agency, family_name="別機関", given_name="登録"
    )
    HouseholdMemberFactory(household=household, person=other, relation="child")
    client.force_login(outsider)
    assert (
        client.get(reverse("cases:household_detail", args=[household.public_id])).status_code == 200
    )
    # outsider owns a member: sees the household, but not the other member's name
    html = client.get(
        reverse("cases:household_detail", args=[household.public_id])
    ).content.decode()
    assert "山田" not in html and "別機関 登録" in html


def test_consent_create_page_records_with_document(client, caseworker, person, other_agency):
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:consent_create", args=[person.public_id]),
        {
            "given_on": timezone.localdate().isoformat(),
            "method": "written",
            "agencies": [other_agency.pk],
            "info_kinds": ["basic", "household"],
            "document": SimpleUploadedFile("scan.pdf", PDF),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.document_content_type == "application/pdf"
    doc = client.get(reverse("cases:consent_document", args=[consent.public_id]))
    assert doc.status_code == 200 and doc["Content-Type"] == "application/pdf"
    assert b"".join(doc.streaming_content) == PDF


def test_consent_form_rejects_a_disguised_file(client, caseworker, person, other_agency):
    client.force_login(caseworker)
    response = client.post(
        reverse("cases:consent_create", args=[person.public_id]),
        {
            "given_on": timezone.localdate().isoformat(),
            "method": "written",
            "agencies": [other_agency.pk],
            "info_kinds": ["basic"],
            "document": SimpleUploadedFile("scan.pdf", b"<html>x</html>"),
        },
    )
    assert response.status_code == 200
    assert "PDF・JPEG・PNG" in response.content.decode()
    assert not Consent.objects.exists()


def test_detail_actions_sit_together_and_empty_search_home_has_no_bullet(
    client, caseworker, outsider, person
):
    """QA: 編集 floated mid-row apart from 重複記録の統合; the empty 最近登録 list was a bullet."""
    client.force_login(caseworker)
    html = client.get(reverse("cases:person_detail", args=[person.public_id])).content.decode()
    actions = html.split('<div class="toolbar__actions">', 1)[1].split("</div>", 1)[0]
    assert reverse("cases:person_edit", args=[person.public_id]) in actions
    client.force_login(outsider)
    html = client.get(reverse("cases:person_search")).content.decode()
    assert '<p class="empty">まだ登録がありません。</p>' in html


def test_person_page_shows_consents_in_force_first_and_links_to_the_rest(
    client, caseworker, person, agency, django_assert_max_num_queries
):
    today = timezone.localdate()
    for i in range(30):  # thirty ended consents over the years
        ConsentFactory(
            person=person,
            given_on=today - dt.timedelta(days=400 + i),
            valid_until=today - dt.timedelta(days=30 + i),
            agencies=[agency],
        )
    ConsentFactory(  # the only one in force, and the oldest
        person=person, given_on=today - dt.timedelta(days=3000), agencies=[agency]
    )
    client.force_login(caseworker)
    url = reverse("cases:person_detail", args=[person.public_id])
    with django_assert_max_num_queries(45):
        html = client.get(url).content.decode()
    section = html[html.index('data-testid="section-consents"') :].split("</section>")[0]
    assert section.count("<tr>") - 1 == 20  # header row + 20 consents
    assert "有効" in section  # the one in force is shown although it is the oldest
    assert 'data-testid="all-consents"' in section and "31件" in section
    everything = client.get(url + "?consents=all").content.decode()
    section = everything[everything.index('data-testid="section-consents"') :].split("</section>")[
        0
    ]
    assert section.count("<tr>") - 1 == 31
    assert 'data-testid="all-consents"' not in section
    # Many consents in force (a person known to many agencies): still one page of 20.
    for i in range(25):
        ConsentFactory(person=person, given_on=today - dt.timedelta(days=i), agencies=[agency])
    html = client.get(url).content.decode()
    section = html[html.index('data-testid="section-consents"') :].split("</section>")[0]
    assert section.count("<tr>") - 1 == 20 and section.count("badge--ok") == 20

"""Search by name, kana, birth date, phone and case number — scoped by the policy."""

import datetime as dt

import pytest

from cases.selectors.persons import bigrams, person_search
from cases.tests.factories import (
    HouseholdMemberFactory,
    PersonFactory,
    SupportCaseFactory,
)


@pytest.fixture
def yamada(agency):
    return PersonFactory(
        registered_by_agency=agency,
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        birth_date=dt.date(1940, 2, 29),
        phone="042-123-4567",
    )


@pytest.fixture
def foreign_yamada(other_agency):
    return PersonFactory(
        registered_by_agency=other_agency,
        family_name="山田",
        given_name="次郎",
        family_name_kana="やまだ",
        given_name_kana="じろう",
    )


@pytest.mark.parametrize(
    "query",
    [
        "山田",
        "山田 花子",
        "山田　花子",
        "田花",
        "やまだ",
        "ヤマダ",
        "ﾔﾏﾀﾞ",
        "はなこ",
        "ハナコ",
        "山",
    ],
)
def test_name_and_kana_queries_are_kana_width_and_space_insensitive(yamada, caseworker, query):
    assert list(person_search(actor=caseworker, q=query).persons) == [yamada]


def test_variant_kanji_query_finds_the_new_form(agency, caseworker):
    person = PersonFactory(registered_by_agency=agency, family_name="高橋", given_name="実")
    assert list(person_search(actor=caseworker, q="髙橋").persons) == [person]


def test_birth_date_and_phone(yamada, caseworker):
    assert list(person_search(actor=caseworker, birth_date=dt.date(1940, 2, 29)).persons) == [
        yamada
    ]
    assert list(person_search(actor=caseworker, phone="０４２１２３４５６７").persons) == [yamada]
    assert list(person_search(actor=caseworker, phone="4567").persons) == [yamada]


def test_criteria_combine(yamada, caseworker):
    assert not person_search(
        actor=caseworker, q="山田", birth_date=dt.date(1941, 1, 1)
    ).persons.exists()


def test_case_number_finds_the_household(yamada, caseworker, agency):
    member = HouseholdMemberFactory(person=yamada)
    son = HouseholdMemberFactory(
        household=member.household, person=PersonFactory(registered_by_agency=agency)
    )
    SupportCaseFactory(household=member.household, number="R8-0042")
    found = set(person_search(actor=caseworker, case_number="r8-0042").persons)
    assert found == {yamada, son.person}


def test_out_of_scope_matches_show_only_the_agency_name(
    yamada, foreign_yamada, caseworker, other_agency
):
    result = person_search(actor=caseworker, q="やまだ")
    assert list(result.persons) == [yamada]
    assert result.elsewhere() == [other_agency.name]
    # The same answer when the caller holds every visible match (a one-page result).
    assert result.elsewhere(visible=[yamada]) == [other_agency.name]


def test_outsider_sees_only_that_a_record_exists(yamada, outsider, agency):
    result = person_search(actor=outsider, q="山田花子")
    assert list(result.persons) == []
    assert result.elsewhere() == [agency.name]
    assert result.elsewhere(visible=[]) == [agency.name]


def test_empty_query_searches_nothing(yamada, caseworker):
    result = person_search(actor=caseworker)
    assert not result.searched and list(result.persons) == []
    assert result.elsewhere() == []


def test_bigrams_match_the_sql_function():
    assert bigrams("やまだ") == ["やま", "まだ"]
    assert bigrams("ああああ") == ["ああ"]
    assert bigrams("山") == []


def test_search_query_count_does_not_grow_with_results(
    agency, other_agency, caseworker, django_assert_max_num_queries
):
    for n in range(30):
        PersonFactory(registered_by_agency=agency if n % 2 else other_agency, family_name="佐藤")
    caseworker.current_memberships()
    with django_assert_max_num_queries(3):
        result = person_search(actor=caseworker, q="佐藤")
        rows = [(p.full_name, p.registered_by_agency.name) for p in result.persons]
    assert len(rows) == 15 and len(result.elsewhere()) == 1


def test_demo_persons_are_seeded_and_show_duplicates(db):
    import random

    from agencies import demo as agencies_demo
    from cases.demo import persons as persons_demo
    from cases.models import Consent, Household
    from cases.selectors.persons import person_find_duplicates

    ctx = {"rng": random.Random(20261122)}
    agencies_demo.seed(ctx)
    persons_demo.seed(ctx)
    assert 180 <= len(ctx["persons"]) <= 240
    assert len(ctx["households"]) == Household.objects.count() == 120
    assert {a.code for a in {p.area for p in ctx["persons"]}} == {"north", "central", "south"}
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    assert {c.method for c in Consent.objects.all()} == {"written", "oral", "proxy"}
    # QA: a demo mother and her child were both 近藤 久美子.
    from cases.models import HouseholdMember

    names = list(HouseholdMember.objects.values_list("household_id", "person__given_name"))
    assert len(names) == len(set(names))
    assert any(not c.is_in_force() and c.withdrawn_at is None for c in Consent.objects.all())
    twin = ctx["persons"][-1]
    user = ctx["users"]["jiritsu1"]
    data = {
        f: getattr(twin, f)
        for f in (
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "birth_date",
            "phone",
        )
    }
    assert person_find_duplicates(actor=user, data=data, exclude=twin)


# --- the search is written for the PostgreSQL indexes (plans at city scale: benchmarks/RESULTS.md)


@pytest.mark.parametrize(
    ("query", "bigram_lookup"),
    [
        # 3+ characters: a plain LIKE that the pg_trgm indexes serve (close estimates, so
        # PostgreSQL can start from the few persons the user may see).
        ("たかはし", False),
        ("山田太郎", False),
        # 2 characters: pg_trgm has no trigram to look up; the bigram index does.
        ("佐藤", True),
    ],
)
def test_text_search_is_written_for_the_index_of_its_length(caseworker, query, bigram_lookup):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the indexes are PostgreSQL's")
    sql = str(person_search(actor=caseworker, q=query).persons.query)
    assert f"LIKE %{query}%" in sql
    assert ("bigrams(" in sql) is bigram_lookup


def test_a_kanji_query_is_not_looked_up_in_furigana(yamada, caseworker):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the SQL is PostgreSQL's")
    sql = str(person_search(actor=caseworker, q="山田").persons.query)
    assert "kana_search" not in sql.split("WHERE", 1)[1].split("ORDER BY")[0]
    assert "kana_search" in str(person_search(actor=caseworker, q="やまだ").persons.query)

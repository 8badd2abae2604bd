"""名寄せ: likely existing records with reasons, before a person is saved."""

import datetime as dt

import pytest

from cases.selectors.persons import person_find_duplicates
from cases.tests.factories import PersonFactory

BIRTH = dt.date(1948, 7, 15)


@pytest.fixture
def takahashi(agency):
    return PersonFactory(
        registered_by_agency=agency,
        family_name="髙橋",
        given_name="一郎",
        family_name_kana="タカハシ",
        given_name_kana="イチロウ",
        birth_date=BIRTH,
        phone="090-1111-2222",
    )


def data(**kw):
    base = dict(
        family_name="高橋",
        given_name="一郎",
        family_name_kana="たかはし",
        given_name_kana="いちろう",
        birth_date=BIRTH,
        phone="",
    )
    base.update(kw)
    return base


def test_variant_kanji_and_kana_with_birth_date_are_suggested_with_reasons(takahashi, caseworker):
    [match] = person_find_duplicates(actor=caseworker, data=data())
    assert match.person == takahashi
    assert "氏名(異体字を同一視)と生年月日が一致" in match.reasons
    assert "ふりがなと生年月日が一致" in match.reasons
    assert match.score >= 90


def test_same_spelling_says_plain_name(takahashi, caseworker):
    [match] = person_find_duplicates(actor=caseworker, data=data(family_name="髙橋"))
    assert "氏名と生年月日が一致" in match.reasons


def test_half_width_katakana_kana_matches(takahashi, caseworker):
    [match] = person_find_duplicates(
        actor=caseworker,
        data=data(family_name="鷹橋", family_name_kana="ﾀｶﾊｼ", given_name_kana="ｲﾁﾛｳ"),
    )
    assert match.reasons == ["ふりがなと生年月日が一致"]


def test_phone_alone_is_a_reason(takahashi, caseworker):
    [match] = person_find_duplicates(
        actor=caseworker,
        data=data(
            family_name="佐藤",
            given_name="花子",
            family_name_kana="さとう",
            given_name_kana="はなこ",
            birth_date=None,
            phone="０９０（１１１１）２２２２",
        ),
    )
    assert match.reasons == ["電話番号が一致"]


def test_family_kana_and_birth_date(takahashi, caseworker):
    [match] = person_find_duplicates(
        actor=caseworker, data=data(given_name="一朗", given_name_kana="いちろ")
    )
    assert "姓のふりがなと生年月日が一致" in match.reasons


def test_namesake_with_other_birth_date_scores_lower(takahashi, caseworker):
    [match] = person_find_duplicates(actor=caseworker, data=data(birth_date=dt.date(1990, 1, 1)))
    assert "氏名(異体字を同一視)が一致" in match.reasons
    assert match.score < 50


def test_unrelated_person_is_not_suggested(takahashi, caseworker):
    assert (
        person_find_duplicates(
            actor=caseworker,
            data=data(
                family_name="田中",
                given_name="次郎",
                family_name_kana="たなか",
                given_name_kana="じろう",
            ),
        )
        == []
    )


def test_out_of_scope_match_shows_only_the_agency(takahashi, outsider):
    [match] = person_find_duplicates(actor=outsider, data=data())
    assert match.person is None
    assert not match.visible
    assert match.agency_name == takahashi.registered_by_agency.name


def test_merged_records_are_not_suggested(takahashi, caseworker, agency):
    keep = PersonFactory(registered_by_agency=agency)
    takahashi.merged_into = keep
    takahashi.save()
    assert person_find_duplicates(actor=caseworker, data=data()) == []


def test_matches_are_ordered_by_score(takahashi, caseworker, agency):
    weaker = PersonFactory(
        registered_by_agency=agency,
        family_name="高橋",
        given_name="一郎",
        family_name_kana="たかはし",
        given_name_kana="いちろう",
        birth_date=dt.date(1960, 1, 1),
    )
    matches = person_find_duplicates(actor=caseworker, data=data())
    assert [m.person for m in matches] == [takahashi, weaker]


def test_exclude_leaves_out_the_record_itself(takahashi, caseworker):
    assert person_find_duplicates(actor=caseworker, data=data(), exclude=takahashi) == []

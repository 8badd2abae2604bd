import pytest

from cases.normalize import (
    KANJI_VARIANTS,
    SMALL_KANA,
    normalize_kana,
    normalize_name,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("やまだ たろう", "やまだたろう"),
        ("ヤマダ　タロウ", "やまだたろう"),  # katakana, full-width space
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "やまだたろう"),  # half-width katakana with voiced mark
        ("ｻﾄｳ ｹﾝｲﾁ", "さとうけんいち"),
        ("キャッシュ", "きやつしゆ"),  # small kana become large
        ("ぁぃぅぇぉっゃゅょゎ", "あいうえおつやゆよわ"),
        ("ヶ", "け"),
        ("コーヘイ", "こへい"),  # long-vowel mark removed
        ("ｺｰﾍｲ", "こへい"),  # half-width long-vowel mark too
        ("ジョン・スミス", "じよんすみす"),  # middle dot removed
        ("ヴァン", "ゔあん"),
        ("Ｙａｍａｄａ", "yamada"),  # full-width Latin, case-folded
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_kana_folds_kana_width_small_and_spaces(raw, expected):
    assert normalize_kana(raw) == expected


def test_hiragana_and_katakana_spellings_meet():
    assert (
        normalize_kana("やまだ はなこ")
        == normalize_kana("ﾔﾏﾀﾞ ﾊﾅｺ")
        == normalize_kana("ヤマダハナコ")
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("髙橋 一郎", "高橋一郎"),
        ("山﨑 花子", "山崎花子"),
        ("山嵜", "山崎"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("齋藤", "斎藤"),
        ("澤田", "沢田"),
        ("濱口", "浜口"),
        ("櫻井", "桜井"),
        ("廣田", "広田"),
        ("國分", "国分"),
        ("眞子", "真子"),
        ("小嶋", "小島"),
        ("冨田", "富田"),
        ("𠮷田", "吉田"),
        ("関ヶ原", "関ケ原"),
        ("一ノ瀬", "一の瀬"),
        ("ＡＢＣ", "abc"),
    ],
)
def test_normalize_name_folds_variant_kanji(a, b):
    assert normalize_name(a) == normalize_name(b)


def test_distinct_characters_are_not_folded_together():
    # 齊 is the old form of 斉, not of 斎: 斉藤 and 斎藤 remain different names.
    assert normalize_name("齊藤") == normalize_name("斉藤")
    assert normalize_name("斉藤") != normalize_name("斎藤")


def test_variant_table_maps_to_characters_outside_the_table():
    # Folding is one step: no target is itself a source, so the order of folding never matters.
    assert not set(KANJI_VARIANTS.values()) & set(KANJI_VARIANTS)
    assert all(len(k) == 1 and len(v) == 1 for k, v in KANJI_VARIANTS.items())
    assert all(len(k) == 1 for k in SMALL_KANA)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("090-1234-5678", "09012345678"),
        ("０９０－１２３４－５６７８", "09012345678"),  # full-width digits and dash
        ("(03) 1234 5678", "0312345678"),
        ("+81 90-1234-5678", "09012345678"),
        ("内線なし", ""),
        (None, ""),
    ],
)
def test_normalize_phone_keeps_digits_only(raw, expected):
    assert normalize_phone(raw) == expected

"""Normalisation for 名寄せ (duplicate detection) and kana/width-insensitive search.

The same function is applied to what is stored (Person.name_search / kana_search / phone_digits,
written by the person services) and to what a user types, so a query matches whatever way the
name was entered: full- or half-width, hiragana or katakana, small or large kana, with or
without spaces, with an old or a new form of a kanji.

Pure functions, no Django: cheap to test and safe to call from migrations.
"""

import re
import unicodedata

# --- 異体字・旧字体 → 新字体 ------------------------------------------------------------------
# Kanji that registries and people write in different forms for the same name (髙橋/高橋,
# 山﨑/山崎, 渡邊/渡邉/渡辺, 齋藤/斎藤, 澤田/沢田 …). Only pairs that are unambiguous variants of
# one character are folded; distinct characters that merely sound alike are NOT folded
# (斉藤 and 斎藤 stay different: 齊 is the old form of 斉, 齋 of 斎 — the ふりがな match catches
# people who mix them up). Data, not code: extend the table, never special-case in functions.
KANJI_VARIANTS: dict[str, str] = {
    "髙": "高",  # はしごだか
    "﨑": "崎",  # たつさき (U+FA11, unchanged by NFKC)
    "嵜": "崎",
    "碕": "崎",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斉",
    "澤": "沢",
    "濱": "浜",
    "櫻": "桜",
    "廣": "広",
    "國": "国",
    "眞": "真",
    "嶋": "島",
    "嶌": "島",
    "冨": "富",
    "𠮷": "吉",  # つちよし (U+20BB7)
    "槗": "橋",
    "舘": "館",
    "籠": "篭",
    "瀧": "滝",
    "龍": "竜",
    "淵": "渕",
    "淺": "浅",
    "關": "関",
    "實": "実",
    "惠": "恵",
    "榮": "栄",
    "德": "徳",
    "藏": "蔵",
    "豐": "豊",
    "禮": "礼",
    "壽": "寿",
    "彌": "弥",
    "萬": "万",
    "鐵": "鉄",
    "靜": "静",
    "淸": "清",
    "黑": "黒",
    "澁": "渋",
    "條": "条",
    "兒": "児",
    "亞": "亜",
    "圓": "円",
    "戶": "戸",
    "來": "来",
    "學": "学",
    "會": "会",
    "縣": "県",
    "邨": "村",
    "峯": "峰",
    "嶽": "岳",
    "凜": "凛",
}
_KANJI_TABLE = str.maketrans(KANJI_VARIANTS)

# Small kana → large kana (after katakana have become hiragana).
SMALL_KANA: dict[str, str] = {
    "ぁ": "あ",
    "ぃ": "い",
    "ぅ": "う",
    "ぇ": "え",
    "ぉ": "お",
    "っ": "つ",
    "ゃ": "や",
    "ゅ": "ゆ",
    "ょ": "よ",
    "ゎ": "わ",
    "ゕ": "か",
    "ゖ": "け",
}
_SMALL_TABLE = str.maketrans(SMALL_KANA)

# Dropped everywhere: every kind of space (NFKC has already turned U+3000 into U+0020), the
# long-vowel mark and dash look-alikes people type for it, and the middle dot of foreign names.
_DROP = re.compile(r"[\s\u30fc\uff70\u2010-\u2015\u2212\uff0d\-~\u301c\uff5e\u30fb\uff65・=＝]")

_KATAKANA_FIRST, _KATAKANA_LAST = 0x30A1, 0x30F6  # ァ … ヶ
_KATAKANA_TO_HIRAGANA = {cp: cp - 0x60 for cp in range(_KATAKANA_FIRST, _KATAKANA_LAST + 1)}
# ヷヸヹヺ have no single hiragana; write them as わ゛ etc. so both spellings meet.
_KATAKANA_TO_HIRAGANA.update(
    {0x30F7: "わ\u3099", 0x30F8: "ゐ\u3099", 0x30F9: "ゑ\u3099", 0x30FA: "を\u3099"}
)
_KATAKANA_TO_HIRAGANA[0x30FD] = 0x309D  # ヽ → ゝ
_KATAKANA_TO_HIRAGANA[0x30FE] = 0x309E  # ヾ → ゞ


def _fold_kana(s: str) -> str:
    s = s.translate(_KATAKANA_TO_HIRAGANA)
    # Recompose so that voiced marks produced above (わ + ゛) combine where a precomposed form exists.
    s = unicodedata.normalize("NFC", s)
    return s.translate(_SMALL_TABLE)


def normalize_kana(s: str | None) -> str:
    """ふりがな for matching: NFKC (half-width katakana and full-width letters become normal),
    katakana → hiragana, small kana → large (ぁ→あ, っ→つ, ゃ→や), long-vowel marks and every space
    removed, Latin letters case-folded.

    >>> normalize_kana("ﾔﾏﾀﾞ　ﾀﾛｰ")
    'やまだたろ'
    """
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)
    s = _DROP.sub("", s)
    return _fold_kana(s).casefold()


def normalize_name(s: str | None) -> str:
    """氏名 for matching: NFKC, spaces removed, 異体字/旧字体 folded (KANJI_VARIANTS), kana folded
    as in normalize_kana (names are sometimes written in kana: さくら/サクラ, 関ヶ原/関ケ原)."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)
    s = _DROP.sub("", s)
    s = s.translate(_KANJI_TABLE)
    return _fold_kana(s).casefold()


def normalize_phone(s: str | None) -> str:
    """Digits only (full-width digits too); an international +81 prefix becomes the domestic 0."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s).strip()
    digits = "".join(ch for ch in s if ch.isdigit() and ch.isascii())
    if s.startswith("+81") and digits.startswith("81"):
        digits = "0" + digits[2:]
    return digits


def normalize_query(s: str | None) -> str:
    """A free search box may hold a name or a ふりがな: normalise it as a name (a superset of
    the kana folding), which is then compared with both search columns."""
    return normalize_name(s)

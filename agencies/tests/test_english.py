"""The English catalogue: key screens read in English, and no entry is left untranslated.

Japanese is the source language; locale/en/LC_MESSAGES/django.po carries the English UI.
The catalogue is parsed here without polib (not a dependency): entries are blank-line
separated blocks of `#` comments, msgctxt/msgid/msgid_plural/msgstr[...] and continuation lines.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _entries():
    """Yield (fields, flags) per catalogue entry; fields maps keyword -> unescaped text."""
    text = PO_PATH.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text.strip()):
        fields, flags, current = {}, set(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):  # skip the header
            yield fields, flags


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = list(_entries())
    assert len(entries) > 1000
    untranslated = [
        f["msgid"]
        for f, _flags in entries
        if any(v == "" for k, v in f.items() if k.startswith("msgstr"))
    ]
    fuzzy = [f["msgid"] for f, flags in entries if "fuzzy" in flags]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_translations_keep_their_placeholders():
    for fields, _flags in _entries():
        source = sorted(PLACEHOLDER.findall(fields["msgid"]))
        if "msgstr" in fields:
            assert sorted(PLACEHOLDER.findall(fields["msgstr"])) == source, fields["msgid"]
        else:
            plural = sorted(PLACEHOLDER.findall(fields["msgid_plural"]))
            assert sorted(PLACEHOLDER.findall(fields["msgstr[1]"])) == plural, fields["msgid"]


def test_compiled_catalogue_is_up_to_date():
    """Every msgid of the .po is in the .mo (run compilemessages after editing the .po)."""
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    missing = []
    for fields, _flags in _entries():
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = f"{fields['msgctxt']}\x04{key}"
        if "msgid_plural" in fields:
            key = (key, 0)
        if key not in catalog:
            missing.append(fields["msgid"])
    assert missing == [], f"{len(missing)} not compiled, e.g. {missing[:5]}"


def test_key_strings_from_each_app_are_english():
    from agencies.choices import Programme
    from cases.models.intake import Referral
    from meetings.choices import BodyKind

    with translation.override("en"):
        assert translation.gettext("%(name)sさんの対応事項") == "What needs you, %(name)s"
        assert (
            translation.gettext("つなぐシート 受信一覧")
            == "Referral sheets (Tsunagu sheets) received"
        )
        assert str(BodyKind.SHIEN_KAIGI.label) == "Support Meeting (Art. 106-6)"
        assert str(BodyKind.JUSO_KAIGI.label) == "Multi-layered Support Meeting"
        assert str(Referral._meta.verbose_name) == "Referral sheet (Tsunagu sheet)"
        assert str(Referral.Status.SENT.label) == "Sent"
        assert str(Programme.MULTIAGENCY.label) == "Multi-agency coordination"
        assert translation.gettext("主担当") == "Lead agency"
        assert translation.gettext("ふりがな") == "Furigana (reading)"
        assert translation.ngettext("%(n)s件", "%(n)s件", 1) == "%(n)s item"
        assert translation.ngettext("%(n)s件", "%(n)s件", 2) == "%(n)s items"


@pytest.mark.django_db
def test_english_user_sees_english_dashboard_and_referral_inbox(client, caseworker):
    caseworker.language = "en"
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)

    dashboard = client.get(reverse("dashboard")).content.decode()
    name = caseworker.display_name or caseworker.username
    assert f"What needs you, {name}" in dashboard
    assert "さんの対応事項" not in dashboard

    inbox = client.get(reverse("cases:referral_inbox")).content.decode()
    assert "Referral sheets (Tsunagu sheets) received" in inbox
    assert "受信一覧" not in inbox

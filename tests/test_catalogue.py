"""The English catalogue covers everything a user sees.

makemessages is run on the current code into a copy of the catalogue (the repository's file is not
touched); every message must have an English translation that is not marked fuzzy. A string added
to the code without its translation fails here with its text and where it is used.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.skipif(
    not shutil.which("msgattrib"), reason="gettext (msgattrib) is not installed"
)


def _msgids(po: Path, flag: str) -> list[str]:
    out = subprocess.run(
        ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


def test_every_message_in_the_code_has_an_english_translation(tmp_path):
    # A copy of the sources: makemessages writes into the catalogue next to the code it reads.
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "*.pyc", "__pycache__", "*.mo", "static"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "-v0", "--ignore=var"],
        cwd=copy,
        check=True,
    )
    po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    assert po.read_text(encoding="utf-8").count("\nmsgid ") > 1000  # the extraction ran
    missing = _msgids(po, "--untranslated") + _msgids(po, "--only-fuzzy")
    assert not missing, "untranslated or fuzzy (run `make messages` and translate):\n" + "\n".join(
        missing[:40]
    )

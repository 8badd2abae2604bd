"""One-line hints for system packages Tsunagu uses but pip cannot install."""

import shutil
import sys
from pathlib import Path

missing = []
# The PDF font ships with the project (static/fonts); only the HarfBuzz subsetter is the system's.
if not (Path(__file__).resolve().parent.parent / "static/fonts/NotoSansJP-Regular.ttf").is_file():
    missing.append(
        "PDF用フォント static/fonts/NotoSansJP-Regular.ttf がありません (git checkout を確認)"
    )
try:
    from weasyprint.text.ffi import harfbuzz_subset  # noqa: F401
except Exception:  # noqa: BLE001
    missing.append("PDFが遅くなります: sudo apt-get install libharfbuzz-subset0")
if not shutil.which("chromium"):
    missing.append("ブラウザテストには Chromium が必要です: sudo apt-get install chromium")
for line in missing:
    print(f"注意: {line}", file=sys.stderr)

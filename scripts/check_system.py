"""One-line hints for system packages Tsunagu uses but pip cannot install."""

import shutil
import sys
from pathlib import Path

missing = []
if not list(Path("/usr/share/fonts").glob("**/NotoSansCJK*")) and not list(
    Path("/usr/share/fonts").glob("**/ipaex*")
):
    missing.append(
        "PDF用の日本語フォントがありません: sudo apt-get install fonts-noto-cjk libharfbuzz-subset0"
    )
else:
    try:
        from weasyprint.text.ffi import harfbuzz_subset  # noqa: F401
    except Exception:  # noqa: BLE001
        missing.append("PDFが遅くなります: sudo apt-get install libharfbuzz-subset0")
if not shutil.which("chromium"):
    missing.append("ブラウザテストには Chromium が必要です: sudo apt-get install chromium")
for line in missing:
    print(f"注意: {line}", file=sys.stderr)

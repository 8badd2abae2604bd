import io
import os
import statistics
import time

import pytest
from pypdf import PdfReader

from agencies.pdf import _fetcher_class, harfbuzz_subset_available, pdf_response, render_pdf

SAMPLE = """{% extends "print/base.html" %}
{% block form_number %}様式第1号{% endblock %}
{% block title %}つなぐシート（見本）{% endblock %}
{% block doc_meta %}受付番号 R-2026-0001<br>{{ block.super }}{% endblock %}
{% block content %}
<table class="approval"><tr><th>課長</th><th>係長</th><th>担当</th></tr>
<tr><td></td><td></td><td></td></tr></table>
<h2 class="section">1 相談の内容</h2>
<table class="form">
{% for i in rows %}<tr><th>項目{{ i }}</th><td>世帯の状況について記載します。𠮷野 髙橋
<span class="choice"><span class="check check--on"></span>あり</span>
<span class="choice"><span class="check"></span>なし</span></td></tr>{% endfor %}
</table>
<h2 class="section page-break">2 つなぎ先</h2>
<table class="form"><tr><th>機関名</th><td class="tall">北部地域包括支援センター</td></tr></table>
{% endblock %}
"""


@pytest.fixture
def sample_form(settings, tmp_path):
    (tmp_path / "print").mkdir()
    (tmp_path / "print" / "sample_form.html").write_text(SAMPLE, encoding="utf-8")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    return "print/sample_form.html"


def require_harfbuzz_subset():
    if harfbuzz_subset_available():
        return
    message = (
        "libharfbuzz-subset0 is missing: PDFs take 7-11 s instead of 0.5 s "
        "(apt-get install libharfbuzz-subset0)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_harfbuzz_subsetter_is_installed():
    require_harfbuzz_subset()


def test_two_page_form_renders_in_under_a_second(sample_form):
    require_harfbuzz_subset()
    started = time.perf_counter()
    pdf = render_pdf(sample_form, {"rows": range(12)})
    cold = time.perf_counter() - started
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        render_pdf(sample_form, {"rows": range(12)})
        timings.append(time.perf_counter() - started)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    # The first render in a process also loads the font configuration.
    assert cold < 3, f"cold render took {cold:.2f} s"
    assert statistics.median(timings) < 1, f"renders took {timings}"


def test_pdf_embeds_the_project_font_and_contains_japanese_text(sample_form):
    pdf = render_pdf(sample_form, {"rows": range(12)})
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    first, second = (page.extract_text() for page in reader.pages)
    assert "様式第1号" in first and "様式第1号" in second  # margin box on every page
    assert "1 / 2" in first and "2 / 2" in second
    assert "個人情報 取扱注意" in first
    assert "𠮷野 髙橋" in first
    assert "北部地域包括支援センター" in second
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    # The project's own font (static/fonts), not whatever the machine has installed.
    assert fonts and all("Tsunagu-Sans" in name for name in fonts), fonts
    assert not any("CJK" in name for name in fonts), fonts
    # Fonts are subset, not embedded whole (a full Noto Sans JP face is ~5.5 MB).
    assert len(pdf) < 1_000_000
    assert reader.metadata.title == "つなぐシート（見本）"


def test_pdf_shows_the_print_date_in_wareki(sample_form):
    import datetime as dt

    pdf = render_pdf(sample_form, {"rows": range(1), "print_date": dt.date(2026, 4, 1)})
    assert "出力日 令和8年4月1日" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_pdf_resources_are_limited_to_static_files_and_data_uris():
    fetcher = _fetcher_class()()
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/logo.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("https://tsunagu.invalid/static/../config/settings.py")
    response = fetcher.fetch("https://tsunagu.invalid/static/js/htmx.min.js")
    assert response.read(4)
    assert fetcher.fetch("data:text/plain,abc").read() == b"abc"


def test_pdf_response_names_the_file_in_utf8_with_an_ascii_fallback():
    response = pdf_response(b"%PDF-1.7 test", "つなぐシート_R-2026-0012.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="R-2026-0012.pdf"; '
        "filename*=UTF-8''%E3%81%A4%E3%81%AA%E3%81%90%E3%82%B7%E3%83%BC%E3%83%88_R-2026-0012.pdf"
    )
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Length"] == str(len(b"%PDF-1.7 test"))
    assert response.content == b"%PDF-1.7 test"


def test_pdf_response_strips_paths_and_quotes_and_can_be_inline():
    response = pdf_response(b"x", '../../etc/相談"受付票', inline=True)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename=\"document.pdf\"; filename*=UTF-8''")
    assert "etc" not in disposition and "%2F" not in disposition
    assert disposition.endswith("%E7%9B%B8%E8%AB%87%E5%8F%97%E4%BB%98%E7%A5%A8.pdf")


def _embedded_font_ids(pdf: bytes) -> set[str]:
    """The unique-id name records (nameID 3) of the TrueType fonts embedded in a PDF."""
    from fontTools.ttLib import TTFont

    ids = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                data = descriptor["/FontFile2"].get_object().get_data()
                ids.add(TTFont(io.BytesIO(data))["name"].getDebugName(3))
    return ids


def test_pdf_embeds_the_projects_font_files(sample_form):
    from django.conf import settings
    from fontTools.ttLib import TTFont

    project_ids = {
        TTFont(settings.BASE_DIR / "static" / "fonts" / name)["name"].getDebugName(3)
        for name in ("NotoSansJP-Regular.ttf", "NotoSansJP-Bold.ttf")
    }
    embedded = _embedded_font_ids(render_pdf(sample_form, {"rows": range(2)}))
    assert embedded and embedded <= project_ids, (embedded, project_ids)


def test_pdf_has_japanese_glyphs_on_a_machine_without_japanese_fonts(tmp_path):
    """A fontconfig that knows no font directory at all: the PDF still carries the Japanese."""
    import subprocess
    import sys

    from django.conf import settings

    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    script = (
        "import django, io, sys; django.setup()\n"
        "from django.template import engines\n"
        "from agencies.pdf import render_pdf\n"
        "from pypdf import PdfReader\n"
        "pdf = render_pdf('print/base.html', {})\n"
        "sys.stdout.write(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())\n"
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "個人情報" in result.stdout, result.stdout

"""A4 PDF forms with WeasyPrint, shared by every app (つなぐシート, 相談受付票, 会議録 …).

Form templates extend templates/print/base.html and fill its blocks (form_number, title,
content). Views call `render_pdf`, record the audit row (a PDF of a personal record is a view),
then return `pdf_response`.

The font is the project's own (static/fonts/NotoSansJP-*.ttf, SIL OFL, loaded by @font-face in
print/base.html), so PDFs do not depend on the machine's fonts.

Speed depends on HarfBuzz's subsetter: with libharfbuzz-subset0 a 2-page form in Noto Sans JP
takes ~0.5 s, without it 7–11 s and nothing warns — `harfbuzz_subset_available()` tells.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import unicodedata
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

# The font family print/base.html declares with @font-face. Inline SVG (genogram, ecomap) must name
# it itself: WeasyPrint's SVG text does not inherit the HTML's font.
PDF_FONT_FAMILY = "Tsunagu Sans"

# Resources are resolved against this pseudo origin and served from the static files only: a PDF
# never fetches anything from the network (closed municipal networks, and no SSRF through HTML).
_BASE_URL = "https://tsunagu.invalid/"


def harfbuzz_subset_available() -> bool:
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except Exception:  # noqa: BLE001 - any import/ffi failure means "not available"
        return False
    return bool(harfbuzz_subset)


def _static_path(url_path: str) -> Path | None:
    prefix = (
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    )
    if not url_path.startswith(prefix):
        return None
    relative = unquote(url_path[len(prefix) :])
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """data: URIs and this project's static files; everything else is refused."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}/" == _BASE_URL:
                path = _static_path(parts.path)
                if path is not None:
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, path.read_bytes(), {"Content-Type": mime}, status=200
                    )
            raise ValueError("PDF resources must be static files or data: URIs")

    return StaticOnlyFetcher


_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """Render a print template (extending print/base.html) to PDF bytes.

    `print_date` (shown top-right as 出力日) defaults to today. The PDF's metadata title is the
    <title> when the template sets one, else the form's heading.
    """
    from weasyprint import HTML

    context = {"print_date": timezone.localdate(), **(context or {})}
    html = render_to_string(template_name, context, request=request)
    document = HTML(string=html, base_url=_BASE_URL, url_fetcher=_fetcher_class()()).render()
    if not document.metadata.title and (match := _H1.search(html)):
        document.metadata.title = " ".join(unescape(_TAG.sub("", match[1])).split())
    return document.write_pdf()


def _ascii_fallback(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_stem = unicodedata.normalize("NFKC", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._-")
    ext = re.sub(r"[^A-Za-z0-9]", "", ext) or "pdf"
    return f"{ascii_stem or 'document'}.{ext}"


def pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An application/pdf response named `filename` (UTF-8 per RFC 5987/6266, ASCII fallback).

    Name files by form and record number (`つなぐシート_R-2026-0012.pdf`), never by a person's
    name: file names end up in download folders, browser histories and proxy logs.
    """
    filename = Path(filename.replace("\\", "/")).name.replace('"', "")
    if not filename.lower().endswith(".pdf"):
        filename += ".pdf"
    disposition = "inline" if inline else "attachment"
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'{disposition}; filename="{_ascii_fallback(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Content-Length"] = str(len(pdf_bytes))
    # Personal records: never kept by browsers or shared caches.
    response["Cache-Control"] = "no-store, private"
    return response

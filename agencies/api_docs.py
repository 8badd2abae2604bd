"""The API documentation pages under the content security policy, with nothing from outside.

Swagger UI: drf-spectacular's split view serves its start-up script as a separate file (our CSP
allows scripts from 'self' only, so the inline script of the plain view never ran: a blank page).
Redoc: the bundle (from drf-spectacular-sidecar) draws a "Redocly" logo from cdn.redoc.ly in its
sidebar; closed municipal networks must not reach out, so the bundle is served with that one
address swapped for an inline image. Redoc's search runs in a web worker made from a blob: URL,
which this page alone may create (worker-src). Both pages are for logged-in staff only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

EXTERNAL_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
# A transparent 1x1 SVG: the <img> keeps its place, nothing is fetched.
INLINE_LOGO = (
    b"data:image/svg+xml;base64,"
    b"PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxIiBoZWlnaHQ9IjEiLz4="
)


@lru_cache(maxsize=1)
def _redoc_bundle() -> bytes:
    import drf_spectacular_sidecar

    path = (
        Path(drf_spectacular_sidecar.__file__).parent
        / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
    )
    return path.read_bytes().replace(EXTERNAL_LOGO, INLINE_LOGO)


@login_required
@require_GET
def redoc_bundle(request):
    response = HttpResponse(_redoc_bundle(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def redoc_page(view):
    """The Redoc page view: login required, and blob: workers allowed on this page only."""
    return csp_update({"worker-src": ["'self'", "blob:"]})(login_required(view))

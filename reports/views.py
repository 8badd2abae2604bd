"""Report pages: the annual report on screen with downloads, and the figure definitions."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from agencies import jpdates
from agencies.policy import require

from . import figures
from .build import PROGRAMMES, build_annual_report, report_json
from .forms import DownloadForm, ReportQueryForm
from .outputs import display_target, display_value, to_csv, to_pdf, to_xlsx
from .services import record_report_read

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _query(request, form_class=ReportQueryForm):
    data = request.GET.copy()
    data.setdefault("fy", str(jpdates.fiscal_year(timezone.localdate())))
    return form_class(data)


@require_GET
def index(request):
    require(request.user, "report.view")
    form = _query(request)
    report = None
    if form.is_valid():
        report = build_annual_report(form.cleaned_data["fy"], form.cleaned_data["as_of"])
        record_report_read(actor=request.user, report=report, via="html")
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "report": report,
            "as_of_label": jpdates.wareki(report.as_of) if report else "",
            "rows": _display_rows(report) if report else [],
            "nav_active": "reports",
        },
    )


def _display_rows(report):
    sections = []
    for section in report.sections:
        rows = []
        for top in section.rows:
            for row in [top, *top.breakdown]:
                rows.append(
                    {
                        "row": row,
                        "child": row is not top,
                        "value": display_value(row),
                        "target": display_target(row),
                    }
                )
        sections.append({"section": section, "rows": rows})
    return sections


@require_GET
def download(request):
    require(request.user, "report.export")
    form = _query(request, DownloadForm)
    if not form.is_valid():
        return render(
            request, "reports/index.html", {"form": form, "report": None, "rows": []}, status=400
        )
    fmt, public = form.cleaned_data["format"], form.cleaned_data["public"]
    report = build_annual_report(form.cleaned_data["fy"], form.cleaned_data["as_of"])
    if fmt == "json":
        body = json.dumps(report_json(report), ensure_ascii=False, indent=2).encode()
    else:
        body = {"xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf}[fmt](report, public=public)
    record_report_read(
        actor=request.user, report=report, via="html", action="report.export", fmt=fmt
    )
    kind = "公表用" if public else "庁内限り"
    filename = f"実績報告_{report.period.label}_{report.as_of:%Y%m%d}_{kind}.{fmt}"
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _dimensions(parts):
    dims: dict[str, list] = {}
    for p in parts:
        dims.setdefault(str(p.group_label), []).append(p)
    return list(dims.items())


@require_GET
def definitions(request):
    require(request.user, "report.definitions")
    groups = []
    for programme in PROGRAMMES:
        top = figures.top_level(programme.value)
        if top:
            groups.append(
                {
                    "label": programme.label,
                    "figures": [(f, _dimensions(figures.breakdown_of(f.code))) for f in top],
                }
            )
    return render(request, "reports/definitions.html", {"groups": groups, "nav_active": "reports"})

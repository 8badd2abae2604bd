"""Report pages: the annual report on screen with downloads, and the figure definitions."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies import jpdates
from agencies.forms import apply_service_errors
from agencies.policy import can, require
from audit.services import record_list

from . import figures, jobs, services
from .build import PROGRAMMES, build_annual_report, report_json
from .drilldown import ROW_LIMIT, drilldown
from .forms import (
    DownloadForm,
    NarrativeForm,
    ProfileForm,
    ReportQueryForm,
    TargetForm,
    fiscal_year_choices,
)
from .models import MunicipalityProfile, ReportJob, ReportNarrative, Target
from .outputs import display_target, display_value, to_csv, to_pdf, to_xlsx

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
        services.record_report_read(actor=request.user, report=report, via="html")
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "report": report,
            "as_of_label": jpdates.format_date(report.as_of) if report else "",
            "rows": _display_rows(report) if report else [],
            "can_manage": can(request.user, "report.manage"),
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
    services.record_report_read(
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


# --- configuration (admin): targets, profile, narrative ----------------------------------------


def _fiscal_year(request) -> int:
    try:
        fy = int(request.GET.get("fy") or request.POST.get("fy") or 0)
    except ValueError:
        fy = 0
    return fy if 2000 <= fy <= 2100 else jpdates.fiscal_year(timezone.localdate())


def targets(request):
    require(request.user, "report.manage")
    fy = _fiscal_year(request)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(actor=request.user, fiscal_year=fy, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("成果目標を保存しました。"))
            return redirect(f"{reverse('reports:targets')}?fy={fy}")
    rows = [(t, figures.get(t.figure_code)) for t in Target.objects.filter(fiscal_year=fy)]
    return render(
        request,
        "reports/targets.html",
        {
            "form": form,
            "fy": fy,
            "fy_label": jpdates.fiscal_year_label(fy),
            "fy_choices": fiscal_year_choices(),
            "rows": rows,
            "nav_active": "reports",
        },
        status=400 if form.errors else 200,
    )


@require_POST
def target_delete(request, pk: int):
    require(request.user, "report.manage")
    target = get_object_or_404(Target, pk=pk)
    services.target_delete(actor=request.user, target=target)
    messages.success(request, _("成果目標を削除しました。"))
    return redirect(f"{reverse('reports:targets')}?fy={target.fiscal_year}")


def _yearly(request, *, model, form_class, save, template, title):
    require(request.user, "report.manage")
    fy = _fiscal_year(request)
    instance = model.objects.filter(fiscal_year=fy).first()
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save(actor=request.user, fiscal_year=fy, data=form.cleaned_data)
        messages.success(request, _("保存しました。"))
        return redirect(f"{request.path}?fy={fy}")
    return render(
        request,
        template,
        {
            "form": form,
            "fy": fy,
            "fy_label": jpdates.fiscal_year_label(fy),
            "fy_choices": fiscal_year_choices(),
            "title": title,
            "nav_active": "reports",
        },
        status=400 if form.errors else 200,
    )


def profile(request):
    return _yearly(
        request,
        model=MunicipalityProfile,
        form_class=ProfileForm,
        save=services.profile_save,
        template="reports/yearly_form.html",
        title=_("自治体の基本情報"),
    )


def narrative(request):
    return _yearly(
        request,
        model=ReportNarrative,
        form_class=NarrativeForm,
        save=services.narrative_save,
        template="reports/yearly_form.html",
        title=_("報告の記述欄"),
    )


@require_GET
def figure_detail(request, code: str):
    """A figure's definition, its value and the records it counted that the viewer may see."""
    require(request.user, "report.drilldown")
    figure = figures.get(code)
    if figure is None:
        raise Http404
    form = _query(request)
    if not form.is_valid():
        return render(
            request, "reports/index.html", {"form": form, "report": None, "rows": []}, status=400
        )
    period = figures.Period.of(form.cleaned_data["fy"], form.cleaned_data["as_of"])
    result = drilldown(figure, period, request.user)
    if result.objects:
        record_list(actor=request.user, action="report.drilldown", objects=result.objects)
    return render(
        request,
        "reports/figure_detail.html",
        {
            "figure": figure,
            "period": period,
            "as_of_label": jpdates.format_date(period.end),
            "value": figure.value(period),
            "result": result,
            "row_limit": ROW_LIMIT,
            "nav_active": "reports",
        },
    )


# --- report jobs (built by Celery, progress polled with htmx) ------------------------------------


@require_POST
def job_create(request):
    require(request.user, "report.export")
    form = DownloadForm(request.POST)
    if not form.is_valid():
        return render(
            request, "reports/index.html", {"form": form, "report": None, "rows": []}, status=400
        )
    fy = form.cleaned_data["fy"]
    as_of = form.cleaned_data["as_of"] or figures.Period.of(fy).end
    job = jobs.report_job_request(
        actor=request.user,
        fiscal_year=fy,
        as_of=as_of,
        fmt=form.cleaned_data["format"],
        public=form.cleaned_data["public"],
    )
    return redirect("reports:job_detail", public_id=job.public_id)


@require_GET
def job_detail(request, public_id):
    require(request.user, "report.export")
    job = jobs.job_for(request.user, public_id)
    template = "reports/_job_progress.html" if request.headers.get("HX-Request") else None
    context = {
        "job": job,
        "keep_hours": jobs.keep_hours(),
        "recent": ReportJob.objects.filter(requested_by=request.user).exclude(pk=job.pk)[:10],
        "nav_active": "reports",
    }
    return render(request, template or "reports/job_detail.html", context)


@require_GET
def job_download(request, public_id):
    job = jobs.job_for(request.user, public_id)
    handle = jobs.report_job_open(actor=request.user, job=job)
    response = FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
    )
    response["Cache-Control"] = "no-store"
    return response

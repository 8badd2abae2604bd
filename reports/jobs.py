"""Report jobs: building the annual report (or a large export) off the request.

`report_job_request` records the job and queues the task after commit; `report_job_run` (the
task's body) is idempotent: it claims the job with a conditional update, so a task delivered twice
builds once. The filesystem broker delivers at most once, so `report_jobs_sweep` re-queues jobs
left waiting and deletes files past their keeping time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import require
from audit.services import record
from outbox.services import outbox_enqueue

from .build import build_annual_report, report_json
from .figures import Period
from .models import ReportJob
from .outputs import to_csv, to_pdf, to_xlsx

logger = logging.getLogger(__name__)
J = ReportJob.Status


def keep_hours() -> int:
    return int(getattr(settings, "REPORTS_JOB_KEEP_HOURS", 24))


@transaction.atomic
def report_job_request(*, actor, fiscal_year: int, as_of, fmt: str, public: bool) -> ReportJob:
    decision = require(actor, "report.export")
    if fmt not in ReportJob.Format.values:
        raise ValidationError({"format": _("形式を選んでください。")})
    error = Period.as_of_error(fiscal_year, as_of)
    if error:
        raise ValidationError({"as_of": error})
    job = ReportJob.objects.create(
        requested_by=actor, fiscal_year=fiscal_year, as_of=as_of, format=fmt, public=public
    )
    record(actor=actor, action="report_job.create", obj=job, basis=decision.basis)
    _queue(job.pk)  # the outbox row commits with the job; it is sent after commit
    return job


def _queue(job_id: int) -> None:
    # Through the outbox: written with the job, sent after commit or, if Redis is down, later.
    outbox_enqueue(
        "reports.build_report_job", kwargs={"job_id": job_id}, dedupe_key=f"report-job:{job_id}"
    )


def _progress(job_id: int, value: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress=min(value, 100))


def report_job_run(job_id: int) -> str:
    """Build the job's file. Returns the final status; a job already taken is left alone."""
    claimed = ReportJob.objects.filter(pk=job_id, status=J.QUEUED).update(
        status=J.RUNNING, started_at=timezone.now(), progress=1
    )
    if not claimed:
        return ReportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
    job = ReportJob.objects.get(pk=job_id)
    try:
        report = build_annual_report(
            job.fiscal_year, job.as_of, progress=lambda p: _progress(job.pk, 5 + int(p * 80))
        )
        if job.format == "json":
            data = json.dumps(report_json(report), ensure_ascii=False, indent=2).encode()
        else:
            writer = {"xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf}[job.format]
            data = writer(report, public=job.public)
        _progress(job.pk, 95)
        job.file.save(job.filename[-5:], ContentFile(data), save=False)
        now = timezone.now()
        ReportJob.objects.filter(pk=job.pk).update(
            file=job.file.name,
            status=J.DONE,
            progress=100,
            finished_at=now,
            expires_at=now + dt.timedelta(hours=keep_hours()),
        )
        return J.DONE
    except Exception:
        logger.exception("report job %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=J.FAILED, finished_at=timezone.now(), error=_("報告の作成に失敗しました。")
        )
        return J.FAILED


def job_for(actor, public_id) -> ReportJob:
    """The actor's own job; anyone else's is 'not found' (one answer for no)."""
    job = ReportJob.objects.filter(public_id=public_id, requested_by=actor).first()
    if job is None:
        raise Http404
    return job


def report_job_open(*, actor, job: ReportJob):
    """Open the finished file for its requester; audited. Expired or missing files are gone."""
    require(actor, "report.export")
    if job.requested_by_id != actor.pk:
        raise Http404
    if (
        job.status != J.DONE
        or not job.file
        or (job.expires_at and job.expires_at <= timezone.now())
    ):
        raise Http404
    record(
        actor=actor,
        action="report_job.download",
        obj=job,
        changes=[f"format:{job.format}", "public" if job.public else "internal"],
    )
    return job.file.open("rb")


def report_jobs_sweep(now=None) -> dict:
    """Delete files past their keeping time; re-queue jobs the broker may have dropped."""
    now = now or timezone.now()
    expired = 0
    for job in ReportJob.objects.filter(status=J.DONE, expires_at__lte=now):
        if job.file:
            job.file.delete(save=False)
        ReportJob.objects.filter(pk=job.pk, status=J.DONE).update(status=J.EXPIRED, file="")
        expired += 1
    stale = list(
        ReportJob.objects.filter(
            status=J.QUEUED, created_at__lt=now - dt.timedelta(minutes=2)
        ).values_list("pk", flat=True)
    )
    # A worker killed mid-build leaves the job running: after 30 minutes it is queued again.
    ReportJob.objects.filter(
        status=J.RUNNING, started_at__lt=now - dt.timedelta(minutes=30)
    ).update(status=J.QUEUED, progress=0)
    for pk in stale:
        _queue(pk)
    return {"expired": expired, "requeued": len(stale)}

"""Celery tasks of the reports app: ids in, a service call, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import jobs

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "max_retries": 3,
}


@shared_task(name="reports.build_report_job", **RETRY)
def build_report_job(job_id: int) -> str:
    return jobs.report_job_run(job_id)


@shared_task(name="reports.sweep_jobs", **RETRY)
def sweep_report_jobs() -> dict:
    return jobs.report_jobs_sweep()

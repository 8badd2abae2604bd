"""Report jobs: built by the Celery task, progress polled, downloadable only by the requester for
a set time, audited; running twice builds once."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from cases.tests.factories import login_verified
from reports import jobs
from reports.models import ReportJob

pytestmark = pytest.mark.usefixtures("city_db")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _request(client, user, django_capture_on_commit_callbacks, **extra):
    login_verified(client, user)
    data = {"fy": "2026", "as_of": "2027-02-28", "format": "xlsx", **extra}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:job_create"), data)
    assert response.status_code == 302
    return ReportJob.objects.latest("created_at")


def test_job_is_built_and_downloaded_by_its_requester(
    client, city_db, django_capture_on_commit_callbacks
):
    job = _request(client, city_db.supervisor, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.progress == 100
    assert job.expires_at > timezone.now() + dt.timedelta(hours=23)
    page = client.get(reverse("reports:job_detail", args=[job.public_id]))
    assert page.status_code == 200 and 'data-status="done"' in page.content.decode()
    assert "令和8年度" in page.content.decode()  # the one date style, not 「2026年度」
    partial = client.get(
        reverse("reports:job_detail", args=[job.public_id]), HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode() and "job-download" in partial.content.decode()
    download = client.get(reverse("reports:job_download", args=[job.public_id]))
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "概要" in wb.sheetnames
    assert AuditEvent.objects.filter(
        action="report_job.download", actor=city_db.supervisor
    ).exists()
    assert AuditEvent.objects.filter(action="report_job.create").exists()


def test_someone_else_cannot_see_or_download_the_job(
    client, city_db, django_capture_on_commit_callbacks
):
    job = _request(client, city_db.supervisor, django_capture_on_commit_callbacks)
    login_verified(client, city_db.admin)
    assert client.get(reverse("reports:job_detail", args=[job.public_id])).status_code == 404
    assert client.get(reverse("reports:job_download", args=[job.public_id])).status_code == 404


def test_caseworkers_cannot_request_jobs(client, city_db):
    client.force_login(city_db.worker)
    r = client.post(reverse("reports:job_create"), {"fy": "2026", "format": "xlsx"})
    assert r.status_code == 403


def test_bad_job_request_is_400(client, city_db):
    login_verified(client, city_db.admin)
    r = client.post(reverse("reports:job_create"), {"fy": "2026", "format": "exe"})
    assert r.status_code == 400


def test_running_twice_builds_once(city_db):
    job = ReportJob.objects.create(
        requested_by=city_db.admin, fiscal_year=2026, as_of=dt.date(2027, 2, 28), format="csv"
    )
    assert jobs.report_job_run(job.pk) == "done"
    job.refresh_from_db()
    first = job.file.name
    assert jobs.report_job_run(job.pk) == "done"
    job.refresh_from_db()
    assert job.file.name == first


def test_sweep_deletes_expired_files_and_requeues_lost_jobs(
    city_db, django_capture_on_commit_callbacks
):
    done = ReportJob.objects.create(
        requested_by=city_db.admin, fiscal_year=2026, as_of=dt.date(2027, 2, 28), format="json"
    )
    jobs.report_job_run(done.pk)
    done.refresh_from_db()
    path = done.file.path
    lost = ReportJob.objects.create(
        requested_by=city_db.admin,
        fiscal_year=2026,
        as_of=dt.date(2027, 2, 28),
        format="json",
        created_at=timezone.now() - dt.timedelta(minutes=10),
    )
    later = timezone.now() + dt.timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):  # re-queued through the outbox
        result = jobs.report_jobs_sweep(now=later)
    assert result == {"expired": 1, "requeued": 1}
    done.refresh_from_db()
    lost.refresh_from_db()
    import os

    assert done.status == "expired" and not os.path.exists(path)
    assert lost.status == "done"  # re-queued and built (eager Celery in tests)


def test_an_as_of_outside_the_fiscal_year_is_refused_at_the_field(client, city_db):
    """A report counts from the year's 4月1日 to its 基準日: a 基準日 before the year or after
    its 3月31日 is refused (the file would carry a 基準日 the figures do not stop at)."""
    login_verified(client, city_db.supervisor)
    for as_of, message in (("2026-03-31", "年度の初日"), ("2030-01-01", "年度の末日")):
        page = client.post(
            reverse("reports:job_create"), {"fy": "2026", "as_of": as_of, "format": "xlsx"}
        )
        assert page.status_code == 400 and message in page.content.decode()
        with pytest.raises(jobs.ValidationError) as exc:
            jobs.report_job_request(
                actor=city_db.supervisor,
                fiscal_year=2026,
                as_of=dt.date.fromisoformat(as_of),
                fmt="xlsx",
                public=False,
            )
        assert "as_of" in exc.value.message_dict
    assert not ReportJob.objects.exists()
    assert jobs.report_job_request(
        actor=city_db.supervisor,
        fiscal_year=2026,
        as_of=dt.date(2027, 3, 31),
        fmt="csv",
        public=False,
    )

"""Report files are built by a worker with progress and a download link: asked from the dashboard (a form)
or the API, built by the task, downloaded only by the person who asked, until they expire."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from caunoi.reports.aggregates import stats_refresh
from caunoi.reports.models import ExportJob
from caunoi.reports.tasks import build_export, delete_expired_exports
from openpyxl import load_workbook

from tests.conftest import api_as
from tests.integration.test_report_figures import NOW, build_timeline
from tests.integration.test_report_pages_and_exports import assert_rows_match

pytestmark = pytest.mark.django_db
Q2 = {"period": "2026-Q2"}


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    """Job ids handed to the broker (instead of the broker); the test plays the worker."""
    ids: list[str] = []
    monkeypatch.setattr(build_export, "delay", ids.append)
    return ids


@pytest.fixture
def timeline(personas, reference_data):
    cases = build_timeline(personas, reference_data["agencies"])
    with time_machine.travel(NOW, tick=False):
        stats_refresh()
        yield cases


def test_the_dashboard_asks_the_page_waits_and_then_links_the_file(
    timeline, personas, web, queued, django_capture_on_commit_callbacks
):
    web.force_login(personas["leader"])
    dashboard = web.get("/staff/reports/", Q2).content.decode()
    assert 'action="/staff/reports/exports/"' in dashboard and 'value="quarterly"' in dashboard
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post("/staff/reports/exports/", {**Q2, "format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/reports/exports/{job.pk}/"
    assert queued == [str(job.pk)]  # queued after commit, not built in the request
    waiting = web.get(response["Location"]).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting  # without JavaScript
    assert "js/export-progress.js" in waiting and 'value="0"' in waiting
    assert build_export(str(job.pk)) == "done"
    assert build_export(str(job.pk)) is None  # a second delivery of the task does nothing
    ready = web.get(response["Location"]).content.decode()
    assert "refresh" not in ready and f"/staff/reports/exports/{job.pk}/download" in ready
    download = web.get(f"/staff/reports/exports/{job.pk}/download")
    assert 'filename="caunoi-report-UBND-HN-2026-Q2.csv"' in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert_rows_match(rows, api_as(personas["leader"]).get("/api/v1/reports/summary/", Q2).json())


@pytest.mark.parametrize("persona", ["admin", "official_a", "moderator", "citizen"])
def test_nobody_else_sees_or_downloads_a_job(timeline, personas, web, queued, persona):
    job = ExportJob.objects.get(
        pk=api_as(personas["leader"])
        .post("/api/v1/reports/exports/", {**Q2, "format": "xlsx"}, format="json")
        .json()["id"]
    )
    build_export(str(job.pk))
    web.force_login(personas[persona])
    assert web.get(f"/staff/reports/exports/{job.pk}/").status_code == 404
    assert web.get(f"/staff/reports/exports/{job.pk}/download").status_code == 404
    other = api_as(personas[persona])
    assert other.get(f"/api/v1/reports/exports/{job.pk}/").status_code == 404
    assert other.get(f"/api/v1/reports/exports/{job.pk}/download/").status_code == 404


def test_anonymous_is_sent_to_log_in_and_the_api_refuses(timeline, web, api, personas, queued):
    job = ExportJob.objects.get(
        pk=api_as(personas["leader"])
        .post("/api/v1/reports/exports/", {**Q2, "format": "csv"}, format="json")
        .json()["id"]
    )
    assert web.get(f"/staff/reports/exports/{job.pk}/download").status_code == 302
    assert api.get(f"/api/v1/reports/exports/{job.pk}/").status_code in {401, 403}


def test_the_api_reports_progress_and_the_download_url(timeline, personas, queued, django_capture_on_commit_callbacks):
    client = api_as(personas["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/reports/exports/", {**Q2, "format": "quarterly"}, format="json")
    assert created.status_code == 202
    body = created.json()
    assert (body["status"], body["progress"], body["download_url"]) == ("pending", 0, None)
    assert queued == [body["id"]]
    build_export(body["id"])
    done = client.get(f"/api/v1/reports/exports/{body['id']}/").json()
    assert (done["status"], done["progress"]) == ("done", 100)
    assert done["download_url"].endswith(f"/api/v1/reports/exports/{body['id']}/download/")
    file = client.get(done["download_url"])
    workbook = load_workbook(io.BytesIO(b"".join(file.streaming_content)))
    assert workbook.sheetnames == ["report", "figures", "monthly", "agencies"]


def test_bad_requests_are_refused_field_by_field(timeline, personas, queued, settings):
    settings.LANGUAGE_CODE = "en"
    client = api_as(personas["leader"])
    bad_format = client.post(
        "/api/v1/reports/exports/", {**Q2, "format": "pdf"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad_format.status_code == 400 and "format" in bad_format.json()
    bad_period = client.post(
        "/api/v1/reports/exports/", {"period": "2026-13", "format": "csv"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad_period.status_code == 400 and "period" in bad_period.json()
    out_of_reach = client.post("/api/v1/reports/exports/", {**Q2, "agency": "BO-GDDT", "format": "csv"}, format="json")
    assert out_of_reach.status_code == 404
    assert (
        api_as(personas["official_a"])
        .post("/api/v1/reports/exports/", {**Q2, "format": "csv"}, format="json")
        .status_code
        == 404
    )
    assert not ExportJob.objects.exists() and queued == []


def test_a_file_expires_and_is_deleted(timeline, personas, web, queued, settings):
    settings.REPORTS_EXPORT_HOURS = 1
    job_id = (
        api_as(personas["leader"]).post("/api/v1/reports/exports/", {**Q2, "format": "csv"}, format="json").json()["id"]
    )
    build_export(job_id)
    path = ExportJob.objects.get(pk=job_id).file.path
    web.force_login(personas["leader"])
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert web.get(f"/staff/reports/exports/{job_id}/download").status_code == 404
        assert delete_expired_exports() == 1
    assert not ExportJob.objects.exists()
    import os

    assert not os.path.exists(path)

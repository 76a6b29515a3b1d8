"""Report files built by a Celery worker, not inside the request: the person asks (`export_job_request`), a
worker builds the file (`export_job_build`, reporting its progress), the person downloads it from private
storage until it expires (`export_job_delete_expired` then removes it).

The query is the dashboard's (ReportQuerySerializer: the same checks and messages); the scope is resolved
for the requester when asked (so a refusal is immediate) and again when built (so a leader who lost an
agency in between gets nothing of it). Only the requester may see or download a job (`access_export_job`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from caunoi.accounts.models import User
from caunoi.cases.web.errors import error_texts
from caunoi.core import clock
from caunoi.core.errors import NotFound, ValidationFailed
from caunoi.core.transactions import service_transaction

from .access import may_read_reports
from .api.serializers import ReportQuerySerializer
from .exports import export_csv, export_filename, export_quarterly_xlsx, export_xlsx
from .models import ExportFormat, ExportJob, ExportStatus
from .report import report_cached

logger = logging.getLogger(__name__)
QUERY_FIELDS = ("period", "start", "end", "agency", "kind", "category")


def _checked_query(user: User, query: dict[str, Any]) -> dict[str, str]:
    """The query's known fields, validated for `user`. Raises ValidationFailed with field messages, or
    NotFound when the user may not read reports or the agency is out of reach."""
    if not may_read_reports(user):
        raise NotFound(_("Not found."))
    kept = {name: str(query.get(name) or "") for name in QUERY_FIELDS if query.get(name)}
    checked = ReportQuerySerializer(data=kept)
    if not checked.is_valid():
        raise ValidationFailed({field: error_texts(detail) for field, detail in checked.errors.items()})
    checked.resolve(user)
    return kept


@service_transaction
def export_job_request(*, user: User, format: str, query: dict[str, Any]) -> ExportJob:
    """Records a job for `user` to build the report of `query` as `format` and queues it after commit.
    Raises ValidationFailed (400: an unknown format or a bad filter, with field messages) or NotFound."""
    if format not in ExportFormat.values:
        raise ValidationFailed({"format": [_("Choose CSV, XLSX or the quarterly report.")]})
    kept = _checked_query(user, query)
    job = ExportJob.objects.create(
        requester=user,
        format=format,
        query=kept,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        expires_at=clock.now() + dt.timedelta(hours=settings.REPORTS_EXPORT_HOURS),
    )
    from .tasks import build_export  # the tasks module imports this one

    transaction.on_commit(lambda: build_export.delay(str(job.pk)))
    return job


def _progress(job: ExportJob, percent: int, **fields: Any) -> None:
    ExportJob.objects.filter(pk=job.pk).update(progress=percent, **fields)


def _render(job: ExportJob) -> tuple[bytes, str]:
    query = ReportQuerySerializer(data=job.query)
    query.is_valid(raise_exception=True)
    scope, period, filters = query.resolve(job.requester)
    report = report_cached(scope=scope, period=period, filters=filters)
    _progress(job, 50)
    if job.format == ExportFormat.CSV:
        return export_csv(report), export_filename(report, "csv")
    if job.format == ExportFormat.XLSX:
        return export_xlsx(report), export_filename(report, "xlsx")
    return export_quarterly_xlsx(report), export_filename(report, "xlsx").replace("report", "quarterly-report")


def export_job_build(*, job_id: uuid.UUID | str) -> ExportJob | None:
    """Builds the job's file (progress 10 → 50 → 90 → 100) and stores it in private storage; a failure is
    recorded on the job (status failed) and logged, never raised. Idempotent: a job already finished, or
    unknown, is left alone (returns None)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, progress=10
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("requester").get(pk=job_id)
    try:
        with translation.override(job.language):
            body, filename = _render(job)
        _progress(job, 90)
        job.file.save(filename, ContentFile(body), save=False)
        job.filename, job.status, job.progress, job.finished_at = filename, ExportStatus.DONE, 100, clock.now()
        job.save(update_fields=["file", "filename", "status", "progress", "finished_at"])
    except Exception as exc:  # recorded for the person waiting; the worker carries on
        logger.exception("export %s failed", job.pk)
        job.status, job.error, job.finished_at = ExportStatus.FAILED, str(exc)[:500], clock.now()
        job.save(update_fields=["status", "error", "finished_at"])
    return job


def access_export_job(user: User, job_id: uuid.UUID | str) -> ExportJob:
    """The job `job_id` if `user` asked for it, may still read reports, and it has not expired. Raises
    NotFound otherwise (someone else's job looks the same as no job)."""
    if not may_read_reports(user):
        raise NotFound(_("Not found."))
    job = ExportJob.objects.filter(pk=job_id, requester=user).first()
    if job is None:
        raise NotFound(_("Not found."))
    if job.expires_at <= clock.now():
        raise NotFound(_("This file has expired: prepare it again from the reports page."))
    return job


def export_job_delete_expired() -> int:
    """Deletes expired jobs and their files; returns how many."""
    expired = list(ExportJob.objects.filter(expires_at__lte=clock.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(expired)

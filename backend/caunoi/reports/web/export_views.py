"""Report files prepared by a worker: the dashboard's buttons ask for one (POST), the job's page shows its
progress (refreshing itself without JavaScript; a small module updates it live), then links the download.
Only the person who asked sees the page and the file; for anyone else they do not exist (404)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from caunoi.accounts.models import User
from caunoi.core.errors import NotFound, ValidationFailed

from ..export_jobs import QUERY_FIELDS, access_export_job, export_job_request
from ..models import ExportJob, ExportStatus


def _job_or_404(request: HttpRequest, job_id: uuid.UUID) -> ExportJob:
    user: User = request.user  # type: ignore[assignment]
    try:
        return access_export_job(user, job_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    query = {name: request.POST.get(name, "") for name in QUERY_FIELDS}
    try:
        job = export_job_request(user=user, format=request.POST.get("format", ""), query=query)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except ValidationFailed:
        # Only a tampered form gets here (the buttons carry the dashboard's valid filters): the dashboard with
        # the same filters says what is wrong beside each field.
        return redirect(f"{reverse('reports:dashboard')}?{request.POST.urlencode()}")
    return redirect("reports:export-job", job_id=job.pk)


@login_required
@require_GET
def export_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job_or_404(request, job_id)
    waiting = job.status in {ExportStatus.PENDING, ExportStatus.RUNNING}
    return render(request, "reports/export_job.html", {"job": job, "waiting": waiting})


@login_required
@require_GET
def export_download(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    job = _job_or_404(request, job_id)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)

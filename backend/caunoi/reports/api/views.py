"""GET /api/v1/reports/summary/ (leaders and admins) and GET /api/v1/reports/league/ (public)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.accounts.models import User
from caunoi.core.errors import NotFound
from caunoi.core.replica import portal_read

from ..export_jobs import access_export_job, export_job_request
from ..league import league_as_dict, league_cached
from ..models import ExportJob, ExportStatus
from ..report import report_as_dict, report_cached
from .serializers import (
    ExportJobSerializer,
    ExportRequestSerializer,
    LeagueQuerySerializer,
    LeagueSerializer,
    ReportQuerySerializer,
    ReportSerializer,
)


class ReportSummaryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_summary",
        summary="Report figures for an agency (with the agencies below it) and a period",
        description=(
            "Leaders: their agencies and those below; administrators: every agency. The same figures as the "
            "dashboard and its CSV/XLSX exports. Other roles get 404."
        ),
        parameters=[ReportQuerySerializer],
        responses={
            200: ReportSerializer,
            400: OpenApiResponse(description="A parameter is invalid: {field: [message]}"),
            404: OpenApiResponse(description="Not a leader or admin, or the agency is out of reach"),
        },
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        scope, period, filters = query.resolve(user)
        return Response(report_as_dict(report_cached(scope=scope, period=period, filters=filters)))


class LeagueView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="reports_league",
        summary="Agencies ranked by on-time rate (public)",
        description="Only agencies with at least REPORTS_LEAGUE_MIN_ANSWERED answered items in the period.",
        parameters=[LeagueQuerySerializer],
        responses={200: LeagueSerializer, 400: OpenApiResponse(description="{period: [message]}")},
        tags=["reports"],
    )
    @method_decorator(portal_read)
    def get(self, request: Request) -> Response:
        query = LeagueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["parsed_period"]
        minimum = settings.REPORTS_LEAGUE_MIN_ANSWERED
        return Response(league_as_dict(period, minimum, league_cached(period=period, min_answered=minimum)))


def export_job_as_dict(request: Request, job: ExportJob) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(job.pk),
        "format": job.format,
        "query": job.query,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "created_at": job.created_at.isoformat(),
        "expires_at": job.expires_at.isoformat(),
        "download_url": None,
        "error": None,
    }
    if job.status == ExportStatus.DONE:
        body["download_url"] = request.build_absolute_uri(reverse("reports-export-download", args=[job.pk]))
    if job.status == ExportStatus.FAILED:
        body["error"] = "The file could not be prepared."
    return body


class ExportJobCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_export_create",
        summary="Ask for a report file (CSV, XLSX, quarterly XLSX), built in the background",
        description=(
            "Leaders and administrators. The filters are those of /api/v1/reports/summary/ plus `format`. "
            "Answers 202 with the job; poll its URL until `status` is `done`, then fetch `download_url` "
            "(only the requester may, until `expires_at`)."
        ),
        request=ExportRequestSerializer,
        responses={
            202: ExportJobSerializer,
            400: OpenApiResponse(description="{field: [message]}"),
            404: OpenApiResponse(description="Not a leader or admin, or the agency is out of reach"),
        },
        tags=["reports"],
    )
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        ExportRequestSerializer(data=data).is_valid(raise_exception=True)  # unknown fields, bad filters: 400
        user: User = request.user  # type: ignore[assignment]
        job = export_job_request(user=user, format=str(data.get("format") or ""), query=data)
        return Response(export_job_as_dict(request, job), status=202)


class ExportJobView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_export_detail",
        summary="A report file's job: status, progress, download URL when ready",
        responses={200: ExportJobSerializer, 404: OpenApiResponse(description="Not yours, unknown or expired")},
        tags=["reports"],
    )
    def get(self, request: Request, job_id: uuid.UUID) -> Response:
        user: User = request.user  # type: ignore[assignment]
        return Response(export_job_as_dict(request, access_export_job(user, job_id)))


class ExportJobDownloadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_export_download",
        summary="The report file, once ready",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="")},
        tags=["reports"],
    )
    def get(self, request: Request, job_id: uuid.UUID) -> FileResponse:
        user: User = request.user  # type: ignore[assignment]
        job = access_export_job(user, job_id)
        if job.status != ExportStatus.DONE or not job.file:
            raise NotFound(_("The file is not ready yet."))
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)

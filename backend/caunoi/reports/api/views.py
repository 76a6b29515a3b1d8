"""GET /api/v1/reports/summary/ (leaders and admins) and GET /api/v1/reports/league/ (public)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.accounts.models import User
from caunoi.core.replica import portal_read

from ..league import league_as_dict, league_cached
from ..report import report_as_dict, report_cached
from .serializers import LeagueQuerySerializer, LeagueSerializer, ReportQuerySerializer, ReportSerializer


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

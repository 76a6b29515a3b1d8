"""The citizen's data-protection rights by API (track endpoints: X-Access-Token, or the account that sent the
case) and the staff queue of deletion requests."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.accounts.models import Role

from ..access import access_erasure_request_for_staff, cases_for_staff
from ..models import Case, ErasureRequest
from ..selectors import erasure_requests_open
from ..services.rights import (
    account_data_export,
    case_consent_withdraw,
    case_data_export,
    case_erasure_request,
    erasure_request_carry_out,
)
from .views import ACCESS_TOKEN_HEADER, tracked_by_header

STAFF_ROLES: frozenset[str] = frozenset({Role.OFFICIAL, Role.LEADER, Role.ADMIN})


def personal_data_response(case: Case | None, data: dict[str, Any]) -> HttpResponse:
    """The download: a JSON file named after the tracking code, or the whole account's (the API and the
    pages send the same)."""
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    name = f"du-lieu-ca-nhan-{case.tracking_code}" if case is not None else "du-lieu-ca-nhan"
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["Cache-Control"] = "no-store"
    return response


class ConsentOut(serializers.Serializer[Any]):
    consent_to_publish = serializers.BooleanField()
    show_name_publicly = serializers.BooleanField()


class ErasureOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField(source="case.tracking_code")
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)


class CaseConsentWithdrawView(APIView):
    """POST /api/v1/cases/track/<code>/consent/withdraw/: the citizen withdraws consent to publication; a
    published question and answer leave the portal at once. Idempotent."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="cases_track_consent_withdraw", parameters=[ACCESS_TOKEN_HEADER], request=None,
                   responses={200: ConsentOut})  # fmt: skip
    def post(self, request: Request, tracking_code: str) -> Response:
        case = case_consent_withdraw(case=tracked_by_header(request, tracking_code), by=request.user)  # type: ignore[arg-type]
        return Response(ConsentOut(case).data)


class CasePersonalDataView(APIView):
    """POST /api/v1/cases/track/<code>/personal-data/: a JSON file of everything the platform holds about the
    citizen in the case. POST, not GET: the download is recorded on the case's timeline."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="cases_track_personal_data", parameters=[ACCESS_TOKEN_HEADER], request=None,
                   responses={(200, "application/json"): OpenApiTypes.OBJECT})  # fmt: skip
    def post(self, request: Request, tracking_code: str) -> HttpResponse:
        case = tracked_by_header(request, tracking_code)
        return personal_data_response(case, case_data_export(case=case, by=request.user))  # type: ignore[arg-type]


class AccountPersonalDataView(APIView):
    """POST /api/v1/cases/mine/personal-data/: a JSON file of everything the platform holds about the
    logged-in citizen: the account and every case sent from it (each records the download)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="cases_mine_personal_data", request=None,
                   responses={(200, "application/json"): OpenApiTypes.OBJECT})  # fmt: skip
    def post(self, request: Request) -> HttpResponse:
        return personal_data_response(None, account_data_export(user=request.user))  # type: ignore[arg-type]


class CaseErasureRequestView(APIView):
    """POST /api/v1/cases/track/<code>/erasure/: asks for the case's personal data to be deleted. 201 with the
    request (and its legal deadline); 200 with the waiting one when asked again; 409 when already deleted."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="cases_track_erasure", parameters=[ACCESS_TOKEN_HEADER], request=None,
                   responses={201: ErasureOut, 200: ErasureOut})  # fmt: skip
    def post(self, request: Request, tracking_code: str) -> Response:
        case = tracked_by_header(request, tracking_code)
        erasure, created = case_erasure_request(case=case, by=request.user)  # type: ignore[arg-type]
        return Response(ErasureOut(erasure).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ErasurePagination(PageNumberPagination):
    page_size = 50


class ErasureQueueView(ListAPIView):  # type: ignore[type-arg]
    """GET /api/v1/erasure-requests/: deletion requests waiting on the cases the user works on, most urgent
    first (officials, leaders, administrators)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ErasureOut
    pagination_class = ErasurePagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self.request.user, "role", "") not in STAFF_ROLES:
            raise PermissionDenied
        return erasure_requests_open(cases_for_staff(self.request.user))  # type: ignore[arg-type]


class ErasureCarryOutView(APIView):
    """POST /api/v1/erasure-requests/<id>/carry-out/: the case's personal data is removed now. 409 if done."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="erasure_requests_carry_out", request=None, responses={200: ErasureOut})
    def post(self, request: Request, request_id: int) -> Response:
        erasure = access_erasure_request_for_staff(request.user, request_id)  # type: ignore[arg-type]
        done = erasure_request_carry_out(request=erasure, by=request.user)  # type: ignore[arg-type]
        return Response(ErasureOut(ErasureRequest.objects.select_related("case").get(pk=done.pk)).data)

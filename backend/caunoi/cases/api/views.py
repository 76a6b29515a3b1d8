"""Case endpoints: submit, track (citizen with access code), detail (staff)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.core.errors import NotFound

from ..access import access_case_for_staff, access_case_for_tracker
from ..models import Case, Channel
from ..selectors import case_public_timeline, clock_state, due_explanation, is_overdue, status_label
from .serializers import (
    CaseSubmitSerializer,
    StaffCaseSerializer,
    SubmittedSerializer,
    TrackedCaseSerializer,
    submit_validated,
)

ACCESS_TOKEN_HEADER = OpenApiParameter(
    "X-Access-Token", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="The secret access code returned when the case was submitted.",
)  # fmt: skip


def _agency(case: Case) -> dict[str, str]:
    return {"code": case.agency.code, "name": case.agency.display_name}


class CaseSubmitView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=CaseSubmitSerializer, responses={201: SubmittedSerializer})
    def post(self, request: Request) -> Response:
        serializer = CaseSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submitted = submit_validated(serializer, channel=Channel.API, user=request.user)
        case = submitted.case
        body = {
            "tracking_code": case.tracking_code,
            "access_token": submitted.access_token,
            "status": case.status,
            "status_label": status_label(case),
            "agency": _agency(case),
            "due_at": case.due_at,
            "track_url": request.build_absolute_uri(reverse("cases:track-detail", args=[case.tracking_code])),
        }
        # The body is built as plain data: instantiating a response serializer costs more than the rest of
        # the response on this hot path (SubmittedSerializer documents the shape in the schema).
        return Response(body, status=status.HTTP_201_CREATED)


def tracked_case_data(case: Case) -> dict[str, Any]:
    return {
        "tracking_code": case.tracking_code,
        "kind": case.kind,
        "title": case.title,
        "status": case.status,
        "status_label": status_label(case),
        "clock": clock_state(case),
        "agency": _agency(case),
        "received_at": case.received_at,
        "due_at": case.due_at,
        "overdue": is_overdue(case),
        "timeline": case_public_timeline(case),
        "answer": None,
    }


class CaseTrackView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[ACCESS_TOKEN_HEADER], responses={200: TrackedCaseSerializer})
    def get(self, request: Request, tracking_code: str) -> Response:
        case = access_case_for_tracker(tracking_code, request.headers.get("X-Access-Token", ""))
        return Response(TrackedCaseSerializer(tracked_case_data(case)).data)


class CaseTrackAttachmentView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[ACCESS_TOKEN_HEADER], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, tracking_code: str, attachment_id: int) -> FileResponse:
        case = access_case_for_tracker(tracking_code, request.headers.get("X-Access-Token", ""))
        return attachment_response(case, attachment_id)


def attachment_response(case: Case, attachment_id: int) -> FileResponse:
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("Attachment not found.")
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


class StaffCaseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: StaffCaseSerializer})
    def get(self, request: Request, case_id: int) -> Response:
        case = access_case_for_staff(request.user, case_id)  # type: ignore[arg-type]
        case.status_label = status_label(case)  # type: ignore[attr-defined]
        case.overdue = is_overdue(case)  # type: ignore[attr-defined]
        case.due_computation = due_explanation(case)  # type: ignore[attr-defined]
        return Response(StaffCaseSerializer(case).data)

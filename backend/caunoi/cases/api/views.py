"""Case endpoints: submit, track (citizen with access code), detail (staff)."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.accounts.sso.session import session_identity
from caunoi.core import hooks
from caunoi.core.errors import NotFound, ValidationFailed
from caunoi.portals.selectors import site_of

from ..access import (
    access_case_for_action,
    access_case_for_citizen,
    access_case_for_staff,
    access_case_for_tracker,
    cases_for_staff,
    cases_of_submitter,
)
from ..clocks import case_clocks
from ..models import Case, Channel, Message, Rating
from ..selectors import (
    appeal_open_until,
    approved_answer,
    case_public_timeline,
    clock_state,
    due_explanation,
    forwarding_state,
    is_overdue,
    rating_summary,
    status_label,
)
from ..services import case_appeal, case_citizen_reply, case_rate
from ..services.idempotency import KEY_PATTERN, check_key
from .actions import ACTIONS, NoInput
from .serializers import (
    ActionResultSerializer,
    AppealInput,
    AppealResultSerializer,
    CaseSubmitSerializer,
    CitizenReplyInput,
    OwnCaseSerializer,
    RatingInput,
    RatingSummarySerializer,
    StaffCaseSerializer,
    SubmittedSerializer,
    TrackedCaseSerializer,
    submit_validated,
)

ACCESS_TOKEN_HEADER = OpenApiParameter(
    "X-Access-Token", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The secret access code returned when the case was submitted. Not needed by a client logged "
    "in as the account that sent the case.",
)  # fmt: skip

logger = logging.getLogger(__name__)
# At most this many similar published answers with a submission (?similar=N).
MAX_SIMILAR = 10


def tracked_by_header(request: Request, tracking_code: str) -> Case:
    """The case whose access code the client sent in X-Access-Token, or, without one, a case the logged-in
    client sent itself (NotFound otherwise)."""
    token = request.headers.get("X-Access-Token", "")
    if not token and request.user.is_authenticated:
        return access_case_for_citizen(user=request.user, tracked_ids=[], tracking_code=tracking_code)  # type: ignore[arg-type]
    return access_case_for_tracker(tracking_code, token)


class OwnCasesPagination(PageNumberPagination):
    page_size = 20


@extend_schema_view(get=extend_schema(operation_id="cases_mine"))
class OwnCasesView(ListAPIView):  # type: ignore[type-arg]
    """The cases the logged-in client sent while logged in, newest first, 20 a page."""

    permission_classes = [IsAuthenticated]
    pagination_class = OwnCasesPagination
    serializer_class = OwnCaseSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return cases_of_submitter(self.request.user).order_by("-received_at", "-id")  # type: ignore[arg-type]


def _agency(case: Case) -> dict[str, str]:
    return {"code": case.agency.code, "name": case.agency.display_name}


class CaseSubmitView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="cases_submit",
        request=CaseSubmitSerializer,
        responses={201: SubmittedSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                {"type": "string", "pattern": KEY_PATTERN.pattern, "minLength": 16, "maxLength": 255},
                location=OpenApiParameter.HEADER,
                required=False,
                description="A new random key (a UUID) per submission. Retrying with the same key and the same "
                "content returns the case already created (header Idempotent-Replayed: true) instead of a second "
                "one; the same key with other content is refused with 422.",
            ),
            OpenApiParameter(
                "similar",
                {"type": "integer", "minimum": 0, "maximum": MAX_SIMILAR},
                location=OpenApiParameter.QUERY,
                required=False,
                description="Also return up to this many published answers to similar questions (`similar`: "
                "title, address and the words shared), so a client can point the citizen to them at once.",
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        wanted = request.query_params.get("similar", "0")
        if not wanted.isdigit() or int(wanted) > MAX_SIMILAR:
            raise ValidationFailed({"similar": [str(_("Give a number from 0 to %(max)d.") % {"max": MAX_SIMILAR})]})
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            key = check_key(key)
        serializer = CaseSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submitted = submit_validated(
            serializer,
            channel=Channel.API,
            user=request.user,
            idempotency_key=key,
            site=site_of(request),
            identity=session_identity(request),
        )
        case = submitted.case
        body = {
            "id": case.pk,
            "tracking_code": case.tracking_code,
            "access_token": submitted.access_token,
            "status": case.status,
            "status_label": status_label(case),
            "agency": _agency(case),
            "due_at": case.due_at,
            "track_url": request.build_absolute_uri(reverse("cases:track-detail", args=[case.tracking_code])),
        }
        if int(wanted):
            # From the app that understands text (core/hooks.py), published answers only: never another
            # citizen's open case. None when it is not installed.
            found = hooks.similar_published.call(
                text=f"{case.title} {case.body}", within_path=site_of(request).agency_path, limit=int(wanted)
            )
            body["similar"] = [
                {
                    "title": s.obj.title,
                    "url": request.build_absolute_uri(reverse("publication:item", args=[s.obj.slug])),
                    "shared_words": s.shared,
                }
                for s in found or []
            ]
        # The body is built as plain data: instantiating a response serializer costs more than the rest of
        # the response on this hot path (SubmittedSerializer documents the shape in the schema).
        headers = {"Idempotent-Replayed": "true"} if submitted.replayed else None
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


def tracked_case_data(case: Case) -> dict[str, Any]:
    rating = Rating.objects.filter(case=case).values_list("score", flat=True).first()
    appeal_until = appeal_open_until(case)
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
        "clocks": case_clocks(case),
        "timeline": case_public_timeline(case),
        "answer": approved_answer(case),
        "messages": [
            {
                "at": m.created_at,
                "from_citizen": m.direction == Message.Direction.FROM_CITIZEN,
                "body": m.body,
                "attachments": [{"id": a.pk, "name": a.original_name, "size": a.size} for a in m.attachments.all()],
            }
            for m in case.messages.prefetch_related("attachments")
        ],
        "can_reply": case.status == "waiting_citizen",
        "rating": rating,
        "can_rate": case.status == "answered" and rating is None,
        "can_appeal": appeal_until is not None,
        "appeal_until": appeal_until,
    }


class CaseTrackView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[ACCESS_TOKEN_HEADER], responses={200: TrackedCaseSerializer})
    def get(self, request: Request, tracking_code: str) -> Response:
        case = tracked_by_header(request, tracking_code)
        return Response(TrackedCaseSerializer(tracked_case_data(case)).data)


class CaseTrackAttachmentView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[ACCESS_TOKEN_HEADER], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, tracking_code: str, attachment_id: int) -> FileResponse:
        case = tracked_by_header(request, tracking_code)
        return attachment_response(case, attachment_id)


def attachment_response(case: Case, attachment_id: int) -> FileResponse:
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("Attachment not found."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        # The row outlived its file (a restore from backup without the media volume, a file removed by hand):
        # for the client it is as absent as an unknown id. Logged, because someone should restore it.
        logger.error("attachment %s of case %s: file %s is missing", attachment.pk, case.pk, attachment.file.name)
        raise NotFound(_("Attachment not found.")) from None
    # A suspicious file goes out as opaque bytes, so no browser or viewer plug-in opens it by its type.
    content_type = "application/octet-stream" if attachment.suspicious_reason else attachment.content_type
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class StaffCaseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: StaffCaseSerializer})
    def get(self, request: Request, case_id: int) -> Response:
        case = access_case_for_staff(request.user, case_id)  # type: ignore[arg-type]
        return Response(staff_case_data(case))


class CaseActionView(APIView):
    """POST /api/v1/cases/<id>/<action>/: one handling action (see api/actions.py for the list)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="cases_action",
        description="The body depends on the action (none for claim and submit_for_review); a field the "
        "action does not take is refused with 400.",
        request=PolymorphicProxySerializer(
            component_name="CaseActionInput",
            serializers=list(dict.fromkeys(spec.input for spec in ACTIONS.values() if spec.input is not NoInput)),
            resource_type_field_name=None,
        ),
        responses={200: ActionResultSerializer},
    )
    def post(self, request: Request, case_id: int, action: str) -> Response:
        spec = ACTIONS.get(action)
        if spec is None:
            raise NotFound("Unknown action.")
        case = access_case_for_action(request.user, case_id, action)  # type: ignore[arg-type]
        data = spec.input(data=request.data, context={"user": request.user, "case": case})
        data.is_valid(raise_exception=True)
        spec.run(case, request.user, data.validated_data)  # type: ignore[arg-type]
        # The case as the action left it; it may now be out of the user's reach (a transfer), so the answer
        # is a summary, not the full case.
        case = Case.objects.select_related("agency", "assignee").get(pk=case_id)
        return Response(
            {
                "id": case.pk,
                "tracking_code": case.tracking_code,
                "status": case.status,
                "status_label": status_label(case, staff=True),
                "agency": _agency(case),
                "assignee": case.assignee.username if case.assignee else None,
                "due_at": case.due_at,
            }
        )


def staff_case_data(case: Case) -> dict[str, Any]:
    case.status_label = status_label(case, staff=True)  # type: ignore[attr-defined]
    case.overdue = is_overdue(case)  # type: ignore[attr-defined]
    case.due_computation = due_explanation(case)  # type: ignore[attr-defined]
    case.clocks = case_clocks(case)  # type: ignore[attr-defined]
    case.forwarding = forwarding_state(case)  # type: ignore[attr-defined]
    # Publication sits above cases: its item is reached through the reverse accessor, never imported here.
    item = getattr(case, "published_item", None)
    case.publication_review = {"id": item.pk, "status": item.status} if item is not None else None  # type: ignore[attr-defined]
    prefetch_related_objects(
        [case], "notes__author", "answer_versions__author", "answer_versions__approved_by", "messages__author",
        "events__actor", "events__agency",
    )  # fmt: skip
    return StaffCaseSerializer(case).data  # type: ignore[return-value]


class CaseTrackReplyView(APIView):
    """POST /api/v1/cases/track/<code>/reply/: the citizen answers the agency's request for information."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[ACCESS_TOKEN_HEADER], request=CitizenReplyInput, responses={200: TrackedCaseSerializer})
    def post(self, request: Request, tracking_code: str) -> Response:
        case = tracked_by_header(request, tracking_code)
        data = CitizenReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        case_citizen_reply(case=case, **data.validated_data)
        case.refresh_from_db()
        return Response(TrackedCaseSerializer(tracked_case_data(case)).data)


class CaseTrackAppealView(APIView):
    """POST /api/v1/cases/track/<code>/appeal/: the citizen asks, once and within the policy's period after
    the answer, for the answer to be reconsidered (the case's second stage). 201 with its status and due date;
    400 without a reason; 409 when not answered, appealed already, or too late."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[ACCESS_TOKEN_HEADER], request=AppealInput, responses={201: AppealResultSerializer})
    def post(self, request: Request, tracking_code: str) -> Response:
        case = tracked_by_header(request, tracking_code)
        data = AppealInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_appeal(case=case, reason=data.validated_data["reason"])
        result = {
            "tracking_code": case.tracking_code,
            "status": case.status,
            "status_label": status_label(case),
            "stage": case.stage,
            "due_at": case.due_at,
        }
        return Response(AppealResultSerializer(result).data, status=status.HTTP_201_CREATED)


class CaseTrackRatingView(APIView):
    """POST /api/v1/cases/track/<code>/rating/: the citizen rates the answer (1–5), once."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[ACCESS_TOKEN_HEADER], request=RatingInput, responses={201: RatingInput})
    def post(self, request: Request, tracking_code: str) -> Response:
        case = tracked_by_header(request, tracking_code)
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rating = case_rate(case=case, **data.validated_data)
        return Response({"score": rating.score, "comment": rating.comment}, status=status.HTTP_201_CREATED)


class RatingSummaryView(APIView):
    """GET /api/v1/queue/ratings/: satisfaction with the answers of the agencies the user works for,
    aggregated only (Decree 224/2026 Art. 10.3.b: who rated is never shown)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: RatingSummarySerializer})
    def get(self, request: Request) -> Response:
        if not request.user.works_cases:  # type: ignore[union-attr]
            raise PermissionDenied
        summary = rating_summary(cases_for_staff(request.user))  # type: ignore[arg-type]
        return Response(RatingSummarySerializer(summary).data)

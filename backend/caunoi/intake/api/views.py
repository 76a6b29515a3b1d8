"""POST /api/v1/intake/entered/: an official records a letter, call, visit or fax for a citizen."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.cases.selectors import status_label

from ..access import may_enter_for_citizen
from ..staff import StaffEnteredSerializer, case_enter_for_citizen


class EnteredSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The case's id for staff (GET /api/v1/cases/<id>/).")
    tracking_code = serializers.CharField()
    access_token = serializers.CharField(help_text="Shown once: give it to the citizen with the tracking code.")
    channel = serializers.CharField()
    received_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    agency = serializers.DictField(child=serializers.CharField())
    due_at = serializers.DateTimeField(allow_null=True)
    staff_url = serializers.CharField()


class StaffEnteredView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="intake_entered", request=StaffEnteredSerializer, responses={201: EnteredSerializer})
    def post(self, request: Request) -> Response:
        """Records a request that reached the agency by letter, phone, in person, fax or e-mail; the legal date
        of receipt (`received_on`) starts the clock. Officials, leaders and administrators only."""
        if not may_enter_for_citizen(request.user):  # type: ignore[arg-type]
            raise PermissionDenied()
        serializer = StaffEnteredSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submitted = case_enter_for_citizen(data=serializer.validated_data, by=request.user)  # type: ignore[arg-type]
        case = submitted.case
        return Response(
            {
                "id": case.pk,
                "tracking_code": case.tracking_code,
                "access_token": submitted.access_token,
                "channel": case.channel,
                "received_at": case.received_at,
                "status": case.status,
                "status_label": status_label(case),
                "agency": {"code": case.agency.code, "name": case.agency.display_name},
                "due_at": case.due_at,
                "staff_url": request.build_absolute_uri(reverse("cases:staff-case", args=[case.pk])),
            },
            status=status.HTTP_201_CREATED,
        )

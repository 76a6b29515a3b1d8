"""POST /api/v1/network/push/<code>/: the receiver of signed pushes from a partner portal (see
services/receiving.py). Partners sign as we do (README.md, "Webhooks"); no login, no CSRF token."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import signing
from ..services.receiving import push_receive

EVENT_SCHEMA = {
    "type": "object",
    "description": "A partner's event, exactly as this portal sends its own (syndication README, Webhooks).",
    "properties": {
        "id": {"type": "string", "description": "The delivery id: a redelivery is acknowledged, not applied."},
        "type": {"type": "string", "enum": ["item.published", "item.corrected", "item.unpublished"]},
        "occurred_at": {"type": "string", "format": "date-time"},
        "portal": {"type": "string"},
        "item": {"type": "object", "properties": {"slug": {"type": "string"}}, "required": ["slug"]},
    },
    "required": ["id", "type", "item"],
}


class PushReceiverView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="network_push_receive",
        summary="Receive a signed push from a partner portal",
        parameters=[
            OpenApiParameter(signing.TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                signing.SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of the timestamp, a full stop and the raw body>.",
            ),
        ],
        request={"application/json": EVENT_SCHEMA},
        responses={
            200: inline_serializer(
                "PushOutcome",
                {
                    "outcome": serializers.ChoiceField(
                        choices=["created", "updated", "unchanged", "unpublished", "skipped", "duplicate"]
                    )
                },
            )
        },
    )
    def post(self, request: Request, code: str) -> Response:
        outcome = push_receive(code=code, headers=request.headers, body=request.body)
        return Response({"outcome": outcome})

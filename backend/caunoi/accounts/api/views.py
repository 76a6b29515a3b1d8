"""API token login, with the same lockout, per-address limit and two-factor code as the login page, and the
caller's own devices (list, revoke)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caunoi.core.ratelimit import TOO_MANY_REQUESTS, request_allowed
from caunoi.core.serializers import RejectUnknownFieldsMixin

from .. import lockout, tokens, two_factor
from ..forms import lockout_message
from ..models import ApiToken

WRONG_CODE = _("Send the six-digit code from your authenticator app as otp_token (two-factor login is on).")
SET_UP_FIRST = _("Your role must use two-factor login: turn it on on the web before using the API.")


class TokenLoginSerializer(RejectUnknownFieldsMixin, AuthTokenSerializer):
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The code from the authenticator app, or an unused recovery code (two-factor login on).",
    )
    device = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=tokens.DEVICE_NAME_MAX,
        help_text="A name for this device; a new login from the same device name replaces its token.",
    )


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    device = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = ApiToken
        fields = ("id", "device", "created", "expiry")


ISSUED = inline_serializer(
    "IssuedToken",
    {
        "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only now."),
        "expiry": serializers.DateTimeField(),
        "id": serializers.UUIDField(),
        "device": serializers.CharField(),
    },
)


class TokenLoginView(APIView):
    """POST username, password, `otp_token` when two-factor login is on, and optionally `device` →
    a new token with its expiry."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="auth_token_create",
        summary="Log in and get an API token for this device",
        description=(
            "Every call issues a new token (the previous token of the same `device` stops working). The token "
            "is stored hashed and expires at `expiry`; log in again then. Accounts with two-factor login "
            "send `otp_token`: the authenticator's code or one of their recovery codes."
        ),
        request=TokenLoginSerializer,
        responses={
            200: ISSUED,
            400: OpenApiResponse(description="Wrong credentials or a missing or wrong code (field errors)."),
            403: OpenApiResponse(description="This account may not log in from this address for a while."),
            429: OpenApiResponse(description="This address has sent too many login attempts."),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request_allowed(request, "login"):
            return Response({"detail": str(TOO_MANY_REQUESTS)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        username = request.data.get("username") if isinstance(request.data, dict) else None
        wait = lockout.retry_after(username, request) if isinstance(username, str) and username else 0
        if wait:
            headers = {"Retry-After": str(wait)}
            return Response({"detail": lockout_message(wait)}, status=status.HTTP_403_FORBIDDEN, headers=headers)
        serializer = TokenLoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if two_factor.has_two_factor(user):
            code = serializer.validated_data.get("otp_token", "")
            # A missing code is not a guess: only a code that was sent counts against django-otp's throttle.
            if not code.strip() or two_factor.verify(user, code) is None:
                return Response({"otp_token": [str(WRONG_CODE)]}, status=status.HTTP_400_BAD_REQUEST)
        elif two_factor.required_for(user):
            return Response({"otp_token": [str(SET_UP_FIRST)]}, status=status.HTTP_400_BAD_REQUEST)
        lockout.record_success(user.get_username(), request)
        row, token = tokens.api_token_issue(
            user=user, device=tokens.device_name(serializer.validated_data.get("device"))
        )
        return Response({"token": token, **TokenSerializer(row).data})


class TokenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_list",
        summary="My devices with a valid API token",
        responses=TokenSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(TokenSerializer(tokens.api_tokens_of(request.user), many=True).data)  # type: ignore[arg-type]


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_destroy",
        summary="Revoke the API token of one of my devices",
        responses={204: None, 404: OpenApiResponse(description="No such device among mine.")},
    )
    def delete(self, request: Request, token_id: str) -> Response:
        if not tokens.api_token_revoke(user=request.user, public_id=token_id):  # type: ignore[arg-type]
            return Response({"detail": str(_("No such device."))}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)

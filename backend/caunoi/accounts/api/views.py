"""API token login, with the same lockout, per-address limit and two-factor code as the login page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from caunoi.core.parsers import JSONParser
from caunoi.core.ratelimit import TOO_MANY_REQUESTS, request_allowed

from .. import lockout, two_factor
from ..forms import lockout_message

WRONG_CODE = _("Send the six-digit code from your authenticator app as otp_token (two-factor login is on).")
SET_UP_FIRST = _("Administrators must turn on two-factor login on the web before using the API.")


class TokenLoginView(ObtainAuthToken):
    """POST username, password, and `otp_token` when two-factor login is on → {"token": ...}."""

    # ObtainAuthToken names DRF's parsers itself; the project's JSON parser limits depth and refuses NUL.
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request_allowed(request, "login"):
            return Response({"detail": str(TOO_MANY_REQUESTS)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        username = request.data.get("username") if isinstance(request.data, dict) else None
        if isinstance(username, str) and lockout.is_locked(username):
            return Response({"detail": lockout_message()}, status=status.HTTP_403_FORBIDDEN)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if two_factor.has_two_factor(user):
            code = request.data.get("otp_token", "")  # type: ignore[union-attr]  # a dict: the serializer passed
            # A missing code is not a guess: only a code that was sent counts against django-otp's throttle.
            if not isinstance(code, str) or not code.strip() or two_factor.verify(user, code) is None:
                return Response({"otp_token": [str(WRONG_CODE)]}, status=status.HTTP_400_BAD_REQUEST)
        elif two_factor.required_for(user):
            return Response({"otp_token": [str(SET_UP_FIRST)]}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

"""API token login, with the same lockout and per-address limit as the login page."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from caunoi.core.ratelimit import TOO_MANY_REQUESTS, request_allowed

from .. import lockout
from ..forms import lockout_message


class TokenLoginView(ObtainAuthToken):
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request_allowed(request, "login"):
            return Response({"detail": str(TOO_MANY_REQUESTS)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        username = request.data.get("username") if isinstance(request.data, dict) else None
        if isinstance(username, str) and lockout.is_locked(username):
            return Response({"detail": lockout_message()}, status=status.HTTP_403_FORBIDDEN)
        return super().post(request, *args, **kwargs)

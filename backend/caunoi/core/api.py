"""The one place where service errors become HTTP responses."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ApplicationError, NotFound, ValidationFailed
from .parsers import BodyRefused


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ValidationFailed):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotFound):
        return Response({"detail": str(exc.message)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, ApplicationError):
        return Response({"detail": str(exc.message), **exc.extra}, status=exc.status_code)
    if isinstance(exc, BodyRefused):
        return Response({"detail": str(exc.detail)}, status=400)
    if isinstance(exc, ParseError):
        # DRF's own message quotes the decoder in English; say what is wrong in the user's language.
        request = context.get("request")
        if "json" in (getattr(request, "content_type", "") or ""):
            return Response({"detail": _("The request body could not be read: it is not valid JSON.")}, status=400)
        return Response(
            {"detail": _("The request body could not be read: check its format and Content-Type.")}, status=400
        )
    return drf_exception_handler(exc, context)

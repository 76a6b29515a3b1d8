"""Input that no view can use is refused before any view sees it: one place, so that no route answers 500.

- A NUL character in the path, the query string or a header (cookies included): PostgreSQL cannot store or
  compare it, so every lookup by a path segment or a filter would fail with DataError.
- A DataError that still reaches the top (a number out of range, a value PostgreSQL cannot take) is the
  client's input, never the service's fault: 400, not 500.

Bodies are checked where they are parsed (caunoi.core.parsers, caunoi.core.safejson) and by the forms and
serializers (DRF's and Django's CharField refuse NUL). Error bodies are JSON under the API prefixes
(caunoi.core.error_views).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .error_views import bad_request, error_json, is_api_request

logger = logging.getLogger(__name__)


class RequestGuardMiddleware:
    """Refuses requests carrying NUL characters (400) and turns a DataError from a view into a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parameter = _parameter_with_nul(request)
        if parameter is not None:
            # Field-level, like every other refused parameter: {"q": ["..."]} (Open311: "q: ...").
            message = _("This parameter may not contain the NUL character (%00).")
            if request.path.startswith("/open311/"):
                return error_json(request, f"{parameter}: {message}", 400)
            if is_api_request(request):
                return JsonResponse({parameter: [message]}, status=400)
            return bad_request(request, BadRequest(message))
        problem = _nul_problem(request)
        if problem:
            return bad_request(request, BadRequest(problem))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DataError):
            return None
        logger.info("input refused by PostgreSQL for %s %s: %s", request.method, request.path, exception)
        return bad_request(request, BadRequest(_("A value in the request cannot be used: check it and try again.")))


def _parameter_with_nul(request: HttpRequest) -> str | None:
    """The name of a query parameter whose value holds NUL ("%00" and a literal NUL alike: QueryDict decodes)."""
    for key, values in request.GET.lists():
        if "\x00" not in key and any("\x00" in value for value in values):
            return key
    return None


def _nul_problem(request: HttpRequest) -> str | None:
    if "\x00" in request.path_info or "\x00" in request.path:
        return _("The address may not contain the NUL character (%00).")
    if any("\x00" in key for key in request.GET):
        return _("The query string may not contain the NUL character (%00).")
    # Cookies as parsed: a quoted cookie value spells NUL as "\\000", which parsing turns into the character.
    if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
        return _("A cookie may not contain the NUL character.")
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            return _("A header may not contain the NUL character.")
    return None

"""Middleware of the project's own: headers every response carries, and a clear 503 while PostgreSQL cannot
be reached (and only then: a deadlock or a failed statement is a bug, left to Django's 500 and Sentry)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .transactions import is_connection_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class ContentSecurityPolicyMiddleware:
    """Adds CONTENT_SECURITY_POLICY to every response that does not set its own (Django 5.2 has no CSP), its
    connect-src extended with this site's own websocket origin (ws://host or wss://host, as the request came)."""

    CONNECT_SRC = "connect-src 'self'"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self._policy_for(request))
        return response

    def _policy_for(self, request: HttpRequest) -> str:
        try:
            host = request.get_host()  # validated against ALLOWED_HOSTS
        except DisallowedHost:
            return self.policy  # the response is a 400 already: 'self' alone
        origin = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        return self.policy.replace(self.CONNECT_SRC, f"{self.CONNECT_SRC} {origin}", 1)


class DatabaseUnavailableMiddleware:
    """A request that fails because PostgreSQL cannot be reached (down, restarting, the pool exhausted) gets
    503 with Retry-After, in JSON under /api/ and as a page elsewhere, instead of a 500: clients and load
    balancers retry, people read that it is temporary. Nothing was stored: the transaction did not commit.

    Other database errors (a deadlock that outlasted its retries, a statement timeout, a constraint) are not
    "unavailable": they propagate, are logged as errors and reach Sentry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_connection_error(exception):
            return None
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        if request.path.startswith("/api/") or request.path.startswith("/open311/"):
            response: HttpResponse = JsonResponse(
                {"detail": _("The service is briefly unavailable. Please try again in a minute.")}, status=503
            )
        else:
            # The page needs neither the request nor the database (no user, no session).
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

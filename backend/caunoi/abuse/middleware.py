"""Applies the abuse policy (caunoi.core.policy) to every request whose route it names, before the view.

A refusal is a 429 with Retry-After and the message in the request's language: JSON `{"detail": ...}` under
/api/, Open311's error list under /open311/, and on pages either the page itself (a view marked with
`@shows_refusal` renders its form again with the message and what the person typed) or a short page saying
when to try again. Answers that say "not found" on tracking routes count as failures afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from caunoi.core.policy import (
    RETRY_AFTER_ATTRIBUTE,
    Refusal,
    normalise_email,
    normalise_phone,
    record_failure,
    refusal_for,
    request_fields,
    scopes_for,
)
from caunoi.core.ratelimit import TOO_MANY_REQUESTS, client_address, retry_after_header

from .blocklist import blocked
from .counters import count_event

# Deliberately vague: a blocked sender learns nothing about which rule matched.
BLOCKED = _(
    "This submission could not be accepted. If you think this is a mistake, contact the agency by another channel."
)

REFUSAL_ATTRIBUTE = "rate_limit_refusal"


def shows_refusal(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a page view that shows a rate-limit refusal itself: the middleware lets it run with
    `request.rate_limit_refusal` set, and the view renders its form again with the message and status 429."""
    view.shows_refusal = True  # type: ignore[attr-defined]
    return view


def refusal(request: HttpRequest) -> Refusal | None:
    """The refusal the middleware found for this request (views marked with @shows_refusal), or None."""
    return getattr(request, REFUSAL_ATTRIBUTE, None)


class AbusePolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for scope in scopes_for(request):
            if scope.failures and response.status_code == 404:
                record_failure(request, scope.name)
        wait = getattr(request, RETRY_AFTER_ATTRIBUTE, 0)
        if response.status_code == 429 and wait and not response.has_header("Retry-After"):
            response["Retry-After"] = retry_after_header(wait)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        scopes = scopes_for(request)
        if any(scope.screened for scope in scopes) and self.is_blocked(request):
            count_event("blocked")
            return self.refuse(request, view, Refusal("blocked", 0, status=403, message=str(BLOCKED)))
        for scope in scopes:
            refused = refusal_for(request, scope.name)
            if refused is not None:
                count_event(f"refused:{scope.name}")
                return self.refuse(request, view, refused)
        return None

    @staticmethod
    def is_blocked(request: HttpRequest) -> bool:
        fields = request_fields(request)
        return blocked(
            address=client_address(request),
            email=normalise_email(fields.get("email")),
            phone=normalise_phone(fields.get("phone")),
        )

    def refuse(self, request: HttpRequest, view: Callable[..., Any], refused: Refusal) -> HttpResponse | None:
        message, code = refused.message or str(TOO_MANY_REQUESTS), refused.status
        if request.path.startswith("/open311/"):
            response: HttpResponse = JsonResponse([{"code": code, "description": message}], safe=False, status=code)
        elif request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=code)
        elif getattr(view, "shows_refusal", False):
            setattr(request, REFUSAL_ATTRIBUTE, refused)
            return None
        else:
            heading = _("Too many requests") if code == 429 else _("Not accepted")
            response = render(request, "abuse/refused.html", {"message": message, "heading": heading}, status=code)
        if refused.wait:
            response["Retry-After"] = retry_after_header(refused.wait)
        return response

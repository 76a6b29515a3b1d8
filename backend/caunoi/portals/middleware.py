from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .selectors import site_for_host


class CurrentSiteMiddleware:
    """Sets `request.portal` (a `portals.selectors.PortalSite`) from the Host header Django has already validated.

    Looked up on first use only: health probes, the API schema and files need no site, and must not depend on
    the sites table (nor on Redis, which the per-process copy consults)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = request.get_host()
        request.portal = SimpleLazyObject(lambda: site_for_host(host))  # type: ignore[attr-defined]
        return self.get_response(request)

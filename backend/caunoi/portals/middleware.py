from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .selectors import site_for_host


class CurrentSiteMiddleware:
    """Sets `request.portal` (a `portals.selectors.PortalSite`) from the Host header Django has already validated."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.portal = site_for_host(request.get_host())  # type: ignore[attr-defined]
        return self.get_response(request)

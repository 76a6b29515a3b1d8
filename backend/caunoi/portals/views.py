"""The public files of a site: its logo and its colours. Media is private, so the logo is served here."""

from __future__ import annotations

from typing import TypeVar

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from .models import Portal
from .selectors import site_of
from .theme import theme_css

R = TypeVar("R", bound=HttpResponseBase)
YEAR = 365 * 24 * 3600
# An address without the current version (an old page, a hand-typed URL) is cached briefly only.
SHORT = 300


def _cache_headers(response: R, request: HttpRequest, version: str) -> R:
    response["ETag"] = f'"{version}"'
    response["Cache-Control"] = (
        f"public, max-age={YEAR}, immutable" if request.GET.get("v") == version else f"public, max-age={SHORT}"
    )
    return response


def _not_modified(request: HttpRequest, version: str) -> bool:
    return request.headers.get("If-None-Match", "").strip() == f'"{version}"'


@require_safe
def portal_logo(request: HttpRequest, portal_id: int) -> HttpResponseBase:
    portal = Portal.objects.filter(pk=portal_id, is_active=True).exclude(logo="").first()
    if portal is None:
        raise Http404
    if _not_modified(request, portal.logo_digest):
        return _cache_headers(HttpResponseNotModified(), request, portal.logo_digest)
    try:
        response = FileResponse(portal.logo.open("rb"), content_type="image/png")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["X-Content-Type-Options"] = "nosniff"
    return _cache_headers(response, request, portal.logo_digest)


@require_safe
def portal_theme(request: HttpRequest) -> HttpResponse:
    """The current site's colours as CSS custom properties (the CSP forbids inline styles)."""
    site = site_of(request)
    version = site.theme_version
    if _not_modified(request, version):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(
            theme_css(primary=site.primary_colour, accent=site.accent_colour), content_type="text/css; charset=utf-8"
        )
    # One URL serves every host: shared caches must keep one copy per host.
    response["Vary"] = "Host"
    return _cache_headers(response, request, version)

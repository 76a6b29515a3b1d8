from __future__ import annotations

from django.http import HttpRequest

from .selectors import PortalSite, site_of


def current_site(request: HttpRequest) -> dict[str, PortalSite]:
    return {"portal": site_of(request)}

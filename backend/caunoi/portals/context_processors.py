from __future__ import annotations

from django.http import HttpRequest

from .selectors import BUILT_IN, PortalSite


def current_site(request: HttpRequest) -> dict[str, PortalSite]:
    return {"portal": getattr(request, "portal", BUILT_IN)}

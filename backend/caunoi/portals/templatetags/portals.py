from __future__ import annotations

from typing import Any

from django import template

from ..selectors import PortalSite, site_url

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_url(context: dict[str, Any], site: PortalSite, path: str = "/") -> str:
    """`path` on `site`, reached with the scheme and port of the current request."""
    request = context["request"]
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    return site_url(site, scheme=request.scheme, port=port, path=path)

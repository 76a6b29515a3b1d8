"""Public pages of the understanding app: an agency's frequently asked questions."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from caunoi.agencies.models import Agency
from caunoi.core.page_cache import public_page
from caunoi.core.replica import portal_read
from caunoi.portals.selectors import site_of

from ..faq import agency_faq


@public_page
@portal_read
def faq(request: HttpRequest, code: str) -> HttpResponse:
    site = site_of(request)
    agency = Agency.objects.filter(code=code, is_active=True, path__startswith=site.agency_path).first()
    if agency is None:  # unknown, or outside this site's subtree
        raise Http404
    return render(
        request,
        "understanding/faq.html",
        {"agency": agency, "groups": agency_faq(agency, within_path=site.agency_path)},
    )

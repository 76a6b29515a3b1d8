"""The public portal: home, search, an item, an agency. Server-rendered and light for phones."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from caunoi.abuse.middleware import refusal, shows_refusal
from caunoi.agencies.models import Agency, Category
from caunoi.analytics.beacon import item_view_beacon, search_beacon
from caunoi.cases.models import Kind
from caunoi.core.errors import NotFound
from caunoi.core.page_cache import public_page
from caunoi.core.ratelimit import TOO_MANY_REQUESTS
from caunoi.core.replica import portal_read
from caunoi.portals.selectors import site_of

from ..access import access_published_item
from ..filters import PAGE_SIZE, PublishedSearchFilterSet
from ..models import PublishedItem
from ..search import SearchFilters, published_search
from ..selectors import item_timing, portal_home, site_agencies, with_origins


@public_page
@portal_read
def home(request: HttpRequest) -> HttpResponse:
    site = site_of(request)
    home_data = portal_home(within_path=site.agency_path)
    with_origins(home_data.latest, site)
    return render(
        request,
        "portal/home.html",
        {
            "kinds": Kind.choices,
            "latest": home_data.latest,
            "by_agency": home_data.by_agency,
            "by_category": home_data.by_category,
        },
    )


@public_page
@shows_refusal
@portal_read
def search(request: HttpRequest) -> HttpResponse:
    site = site_of(request)
    filterset = PublishedSearchFilterSet(request.GET, queryset=PublishedItem.objects.none())
    context = {
        "filterset": filterset,
        "data": request.GET,
        "kinds": Kind.choices,
        "agencies": site_agencies(site),
        "categories": Category.objects.filter(is_active=True).order_by("name"),
        "searched": any(request.GET.get(name) for name in ("q", "agency", "category", "kind", "from", "to")),
    }
    if refusal(request) is not None:  # the abuse policy's limit on searches (caunoi.core.policy)
        context["errors"] = {"non_field_errors": [str(TOO_MANY_REQUESTS)]}
        return render(request, "portal/search.html", context, status=429)
    if not filterset.is_valid():
        context["errors"] = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
        return render(request, "portal/search.html", context, status=400)
    page = filterset.page_number()
    result = published_search(
        q=filterset.query(),
        filters=filterset.search_filters(within_path=site.agency_path),
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    with_origins(result.items, site)
    params = request.GET.copy()
    params.pop("page", None)
    context.update(
        result=result,
        page=page,
        has_next=page * PAGE_SIZE < result.total,
        query_string=params.urlencode(),
        beacon_url=search_beacon(query=filterset.query(), result_count=result.total, page=page),
    )
    return render(request, "portal/search.html", context)


@public_page
@portal_read
def item(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = access_published_item(slug)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    corrections = found.revisions.filter(number__gt=1).order_by("number").only("at", "reason")
    with_origins([found], site_of(request))
    return render(
        request,
        "portal/item.html",
        {
            "item": found,
            "timing": item_timing(found),
            "corrections": corrections,
            "beacon_url": item_view_beacon(found.pk),
        },
    )


@public_page
@portal_read
def agency(request: HttpRequest, code: str) -> HttpResponse:
    site = site_of(request)
    found = Agency.objects.filter(code=code, is_active=True, path__startswith=site.agency_path).first()
    if found is None:  # unknown, or outside this site's subtree (the parent portal shows it)
        raise Http404
    result = published_search(q="", filters=SearchFilters(agency=found, within_path=site.agency_path), limit=PAGE_SIZE)
    with_origins(result.items, site)
    return render(
        request,
        "portal/agency.html",
        {
            "agency": found,
            "result": result,
            "children": found.children.filter(is_active=True).order_by("name"),
        },
    )

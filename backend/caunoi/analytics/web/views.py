"""The analytics pages for leaders and administrators: most-read answers, most-searched words and searches
that found nothing, for a site and a period; SVG charts with tables of the same numbers; CSV of each table.
Works without JavaScript (a GET form)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from caunoi.core.errors import NotFound
from caunoi.publication.models import PublishedItem
from caunoi.publication.signals import item_viewed, search_performed
from caunoi.reports.charts import ranked_chart
from caunoi.reports.periods import current_quarter

from ..access import access_analytics
from ..beacon import PIXEL
from ..beacon import read as beacon_payload
from ..exports import items_csv, terms_csv
from ..selectors import analytics_totals, most_read_items, searched_terms
from .query import AnalyticsQuery

TABLE_ROWS = 50
EXPORT_ROWS = 1000
TABLES = ("answers", "terms", "unmet")


def _allowed(request: HttpRequest) -> None:
    try:
        access_analytics(request.user)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc


def _form_context(request: HttpRequest, query: AnalyticsQuery) -> dict[str, Any]:
    return {
        "data": request.GET,
        "site_choices": query.fields["site"].choices,  # type: ignore[attr-defined]
        "default_period": current_quarter().code,
        "query_string": request.GET.urlencode(),
    }


# More bars than this stop being readable on a phone (the tables have the rest); labels cut to what fits at 14 px.
CHART_ROWS, LABEL_CHARS = 10, 28


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    query = AnalyticsQuery(request.GET)
    context = _form_context(request, query)
    if not query.is_valid():
        context["errors"] = query.errors_by_field()
        return render(request, "analytics/dashboard.html", context, status=400)
    site, period = query.resolved()
    items = most_read_items(site=site, period=period, limit=TABLE_ROWS)
    terms = searched_terms(site=site, period=period, limit=TABLE_ROWS)
    unmet = searched_terms(site=site, period=period, limit=TABLE_ROWS, unmet_only=True)
    context.update(
        period=period,
        site_label=dict(context["site_choices"])[site.key],
        totals=analytics_totals(site=site, period=period),
        items=items,
        terms=terms,
        unmet=unmet,
        items_svg=ranked_chart(
            "chart-answers",
            _("Most-read answers"),
            [(r.title, r.views) for r in items[:CHART_ROWS]],
            _("No views in this period."),
            label_chars=LABEL_CHARS,
        ),
        terms_svg=ranked_chart(
            "chart-terms",
            _("Most-searched words"),
            [(r.label, r.searches) for r in terms[:CHART_ROWS]],
            _("No searches in this period."),
            label_chars=LABEL_CHARS,
        ),
        unmet_svg=ranked_chart(
            "chart-unmet",
            _("Searches that found nothing"),
            [(r.label, r.found_nothing) for r in unmet[:CHART_ROWS]],
            _("Every search found something."),
            label_chars=LABEL_CHARS,
        ),
    )
    return render(request, "analytics/dashboard.html", context)


@login_required
@require_GET
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    _allowed(request)
    if table not in TABLES:
        raise Http404
    query = AnalyticsQuery(request.GET)
    if not query.is_valid():
        context = _form_context(request, query) | {"errors": query.errors_by_field()}
        return render(request, "analytics/dashboard.html", context, status=400)
    site, period = query.resolved()
    if table == "answers":
        body = items_csv(most_read_items(site=site, period=period, limit=EXPORT_ROWS))
    else:
        body = terms_csv(searched_terms(site=site, period=period, limit=EXPORT_ROWS, unmet_only=table == "unmet"))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"caunoi-analytics-{table}-{site.key}-{period.code.replace('..', '_')}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def beacon(request: HttpRequest) -> HttpResponse:
    """The image a public page loads to be counted (caunoi.analytics.beacon); always the same pixel."""
    payload = beacon_payload(request.GET.get("t", ""))
    if payload is not None and request.method == "GET":
        if "v" in payload:
            item_viewed.send(PublishedItem, request=request, item_id=payload["v"])
        elif "q" in payload:
            search_performed.send(
                PublishedItem, request=request, query=payload["q"], result_count=payload["n"], page=payload["p"]
            )
    response = HttpResponse(PIXEL, content_type="image/gif")
    add_never_cache_headers(response)
    return response

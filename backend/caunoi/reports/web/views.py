"""Report pages: the leaders' and admins' dashboard with its exports, and the public league table.

The dashboard's filters are a GET form parsed by the API's ReportQuerySerializer, so the page and the API
refuse the same values with the same messages. Charts are SVG drawn on the server; tables carry the same
numbers. Officials, moderators and citizens get 404 (not allowed looks like not found).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caunoi.accounts.models import User
from caunoi.agencies.models import Category
from caunoi.cases.models import Kind
from caunoi.cases.web.errors import error_texts
from caunoi.core.errors import NotFound
from caunoi.core.page_cache import public_page
from caunoi.core.replica import portal_read

from ..access import agencies_for_choice, may_read_reports
from ..api.serializers import LeagueQuerySerializer, ReportQuerySerializer
from ..charts import backlog_chart, category_chart, month_label, on_time_chart
from ..export_jobs import QUERY_FIELDS
from ..exports import export_csv, export_filename, export_quarterly_xlsx, export_xlsx, scope_label
from ..hooks import dialogue_figures
from ..league import league_cached
from ..periods import current_quarter
from ..report import Report, report_cached

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_or_errors(request: HttpRequest) -> tuple[Report | None, dict[str, list[str]]]:
    user: User = request.user  # type: ignore[assignment]
    if not may_read_reports(user):
        raise Http404
    query = ReportQuerySerializer(data=request.GET)
    if not query.is_valid():
        return None, {field: error_texts(detail) for field, detail in query.errors.items()}
    try:
        scope, period, filters = query.resolve(user)
    except NotFound as exc:
        # The agency field named an agency out of reach: say so beside the field, as for any bad value.
        return None, {"agency": [str(exc.message)]}
    return report_cached(scope=scope, period=period, filters=filters), {}


def _form_context(request: HttpRequest) -> dict[str, Any]:
    data: QueryDict = request.GET
    return {
        "data": data,
        "agencies": agencies_for_choice(request.user),  # type: ignore[arg-type]
        "kinds": Kind.choices,
        "categories": Category.objects.filter(is_active=True),
        "default_period": current_quarter().code,
        "query_string": data.urlencode(),
        "export_fields": QUERY_FIELDS,
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    report, errors = _report_or_errors(request)
    context = _form_context(request)
    if report is None:
        context["errors"] = errors
        return render(request, "reports/dashboard.html", context, status=400)
    category_rows = [(category.display_name, figures.received) for category, figures in report.by_category]
    by_dialogue, by_agency = dialogue_figures(report.scope.paths, report.period.start, report.period.end)
    context.update(
        dialogues=by_dialogue,
        dialogue_agencies=by_agency,
        report=report,
        scope_label=scope_label(report),
        kind_labels=report.kind_labels,
        figures=report.total,
        months=[(month_label(m.month), m) for m in report.monthly],
        on_time_svg=on_time_chart(report.monthly),
        backlog_svg=backlog_chart(report.monthly),
        category_svg=category_chart([row for row in category_rows if row[1]]),
        category_rows=category_rows,
    )
    return render(request, "reports/dashboard.html", context)


def _download(request: HttpRequest, extension: str) -> HttpResponse:
    report, errors = _report_or_errors(request)
    if report is None:
        context = _form_context(request) | {"errors": errors}
        return render(request, "reports/dashboard.html", context, status=400)
    if extension == "csv":
        body, content_type = export_csv(report), "text/csv; charset=utf-8"
    elif extension == "xlsx":
        body, content_type = export_xlsx(report), XLSX
    else:
        body, content_type = export_quarterly_xlsx(report), XLSX
    filename = export_filename(report, "xlsx" if extension == "quarterly" else extension)
    if extension == "quarterly":
        filename = filename.replace("report", "quarterly-report")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def export_csv_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "csv")


@login_required
@require_GET
def export_xlsx_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@login_required
@require_GET
def quarterly_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "quarterly")


@public_page(seconds=60)
@require_GET
@portal_read
def league(request: HttpRequest) -> HttpResponse:
    """Public: agencies ranked by on-time rate, only those with enough answered items to mean something."""
    query = LeagueQuerySerializer(data=request.GET)
    minimum = settings.REPORTS_LEAGUE_MIN_ANSWERED
    context: dict[str, Any] = {"data": request.GET, "min_answered": minimum, "default_period": current_quarter().code}
    if not query.is_valid():
        context["errors"] = {field: error_texts(detail) for field, detail in query.errors.items()}
        return render(request, "reports/league.html", context, status=400)
    period = query.validated_data["parsed_period"]
    context.update(period=period, rows=league_cached(period=period, min_answered=minimum))
    return render(request, "reports/league.html", context)

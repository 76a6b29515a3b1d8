"""One report: every figure a page, an export or the API shows, computed once from the selectors.

Pages, CSV, XLSX and JSON all render a `Report`, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from caunoi.agencies.models import Category
from caunoi.cases.models import Kind
from caunoi.core import clock

from .figures import Figures
from .periods import Period
from .scope import Filters, Scope
from .series import Month, RankedAgency, rank_agencies
from .stats import stats_figure_sets, stats_monthly
from .workdays import working_days_ready

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    scope: Scope
    period: Period
    filters: Filters
    generated_at: dt.datetime
    total: Figures
    by_kind: list[tuple[str, Figures]]  # (kind code, figures), in Kind order
    by_category: list[tuple[Category, Figures]]  # by name
    monthly: list[Month]
    ranking: list[RankedAgency]
    categories: dict[int, Category]

    @property
    def kind_labels(self) -> dict[str, str]:
        return {str(value): str(label) for value, label in Kind.choices}


def report_build(*, scope: Scope, period: Period, filters: Filters | None = None) -> Report:
    """Every figure of `scope` in `period`: the totals, by kind, by category, month by month, and the
    agencies of the scope ranked by on-time rate, read from the per-agency, per-period aggregates
    (stats.py), so its cost does not grow with the length of the history."""
    filters = filters or Filters()
    now = clock.now()
    sets = stats_figure_sets(
        scope=scope, period=period, filters=filters, now=now, sets=[(), ("kind",), ("category",), ("agency",)]
    )
    kinds, by_category = sets[("kind",)], sets[("category",)]
    categories = Category.objects.in_bulk()
    return Report(
        scope=scope,
        period=period,
        filters=filters,
        generated_at=now,
        total=sets[()][()],
        by_kind=[(str(kind), kinds[(kind,)]) for kind in Kind.values if (kind,) in kinds],
        by_category=sorted(
            ((categories[key[0]], figures) for key, figures in by_category.items()),
            key=lambda pair: pair[0].display_name,
        ),
        monthly=stats_monthly(scope=scope, period=period, filters=filters, now=now),
        ranking=rank_agencies(sets[("agency",)]),
        categories=categories,
    )


def report_as_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data (the API's body; exports write the same values)."""
    agency = report.scope.agency
    return {
        "agency": {"code": agency.code, "name": agency.display_name} if agency else None,
        "period": {
            "code": report.period.code,
            "kind": report.period.kind,
            "first_day": report.period.first_day.isoformat(),
            "last_day": report.period.last_day.isoformat(),
        },
        "filters": {
            "kind": report.filters.kind,
            "category": report.filters.category.slug if report.filters.category else None,
        },
        "generated_at": report.generated_at.isoformat(),
        "figures": report.total.as_dict(),
        "by_kind": [{"kind": kind, **figures.as_dict()} for kind, figures in report.by_kind],
        "by_category": [
            {"category": category.slug, "name": category.display_name, **figures.as_dict()}
            for category, figures in report.by_category
        ],
        "monthly": [
            {
                "month": month.month.strftime("%Y-%m"),
                "received": month.received,
                "answered": month.answered,
                "answered_on_time": month.answered_on_time,
                "on_time_rate": None if month.on_time_rate is None else round(month.on_time_rate, 4),
                "backlog": month.backlog,
                "overdue": month.overdue,
                "received_by_category": {
                    report.categories[category_id].slug: count
                    for category_id, count in sorted(month.received_by_category.items())
                },
            }
            for month in report.monthly
        ],
        "ranking": [
            {
                "agency": {"code": ranked.agency.code, "name": ranked.agency.display_name},
                "answered": ranked.figures.answered,
                "answered_on_time": ranked.figures.answered_on_time,
                "on_time_rate": round(ranked.figures.on_time_rate or 0, 4),
                "appeals": ranked.figures.appeals,
                "reopen_rate": round(ranked.figures.reopen_rate or 0, 4),
            }
            for ranked in report.ranking
        ],
    }


# A leader who looks at the dashboard and then downloads the CSV or the XLSX should get the very figures
# they saw without waiting twice. The key holds everything the figures depend on: the question, the
# aggregates' last refresh (they change only then), the agency tree's last change, the calendar, and the
# minute ("overdue now"); so a cached report is never stale, only reused.
REPORT_CACHE_SECONDS = 10 * 60


def report_cached(*, scope: Scope, period: Period, filters: Filters | None = None) -> Report:
    """`report_build`, reused while nothing it depends on has changed (Django's cache, i.e. Redis)."""
    filters = filters or Filters()
    working_days_ready()  # before the key, which names the calendar the figures are counted with
    key = _cache_key(scope, period, filters)
    try:
        report = cache.get(key)
    except Exception:  # Redis down: compute, as without a cache
        logger.warning("report cache unavailable", exc_info=True)
        report = None
    if isinstance(report, Report):
        return report
    report = report_build(scope=scope, period=period, filters=filters)
    try:
        cache.set(key, report, REPORT_CACHE_SECONDS)
    except Exception:
        logger.warning("report cache unavailable", exc_info=True)
    return report


def _cache_key(scope: Scope, period: Period, filters: Filters) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT concat_ws(':', event_id, rating_id, refreshed_at) FROM reports_statsprogress LIMIT 1),"
            " (SELECT max(updated_at) FROM agencies_agency), (SELECT fingerprint FROM reports_workingdaytable),"
            # A database created afresh (tests create one per run) reuses ids: its identity tells them apart.
            " (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        versions = cursor.fetchone()
    minute = clock.now().replace(second=0, microsecond=0).isoformat()
    parts = [
        ",".join(scope.paths),
        scope.agency.code if scope.agency else "",
        period.code,
        filters.kind or "",
        str(filters.category_id or ""),
        get_language() or "",
        minute,
        *(str(v) for v in versions),
    ]
    return "reports:" + hashlib.sha256("|".join(parts).encode()).hexdigest()

"""Month-by-month figures for the charts, and agencies ranked by on-time rate.

Months are local (Vietnam) calendar months. Backlog and overdue "at month end" are read at the end of each
month (or now, for the month in progress): cases received before that moment and not closed by it, counted
at their current agency, overdue when their stored due date had passed by then. The stored due date is the
last one in force, so a case extended or transferred after a month end can be counted late in that month
though its earlier due date had not passed; the timeline would say exactly, at a cost of one lookup per
case per month, which the charts do not need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from caunoi.agencies.models import Agency
from caunoi.core import clock

from .figures import Figures, Key, report_figure_sets
from .periods import Period, local_midnight, next_month
from .scope import EVERY_AGENCY, Filters, Scope

# The charts show at least this many months ending with the period's last, so a quarter has a trend.
MIN_SERIES_MONTHS = 6


@dataclass
class Month:
    month: dt.date  # its first day
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    backlog: int = 0  # open at month end
    overdue: int = 0  # open and past due at month end
    received_by_category: dict[int, int] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return self.answered_on_time / self.answered if self.answered else None


def series_months(period: Period) -> list[dt.date]:
    months = period.months()
    while len(months) < MIN_SERIES_MONTHS:
        first = months[0]
        months.insert(0, dt.date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1))
    return months


def _scope_sql(scope: Scope, filters: Filters) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if not scope.everything:
        where.append("a.path LIKE ANY(%s)")
        params.append(scope.like_patterns)
    if filters.kind:
        where.append("c.kind = %s")
        params.append(filters.kind)
    if filters.category_id:
        where.append("c.category_id = %s")
        params.append(filters.category_id)
    return "".join(f" AND {w}" for w in where), params


def report_monthly(
    *, scope: Scope, period: Period, filters: Filters | None = None, now: dt.datetime | None = None
) -> list[Month]:
    """One `Month` per month of `series_months(period)`, oldest first. Two aggregate queries."""
    filters = filters or Filters()
    now = now or clock.now()
    months = series_months(period)
    by_month = {m: Month(m) for m in months}
    start, end = local_midnight(months[0]), local_midnight(next_month(months[-1]))
    conditions, params = _scope_sql(scope, filters)
    tz = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT date_trunc('month', e.at AT TIME ZONE %s)::date AS month, c.category_id,
                count(DISTINCT e.case_id) FILTER (WHERE e.type IN ('routed', 'transferred')),
                count(*) FILTER (WHERE e.type = 'answered'),
                count(*) FILTER (WHERE e.type = 'answered' AND (c.due_at IS NULL OR e.at <= c.due_at))
            FROM cases_caseevent e
            JOIN cases_case c ON c.id = e.case_id
            JOIN agencies_agency a ON a.id = e.agency_id
            WHERE e.type IN ('routed', 'transferred', 'answered') AND e.at >= %s AND e.at < %s{conditions}
            GROUP BY 1, 2
            """,  # noqa: S608 (placeholders only; the interpolated fragments are constants of this module)
            [tz, start, end, *params],
        )
        for month, category_id, received, answered, on_time in cursor.fetchall():
            row = by_month[month]
            row.received += received
            row.answered += answered
            row.answered_on_time += on_time
            if received:
                row.received_by_category[category_id] = received
        # Month ends in the future are read now; months not begun yet have no backlog to show.
        ends = [min(local_midnight(next_month(m)), now) for m in months if local_midnight(m) <= now]
        if ends:
            cursor.execute(
                f"""
                SELECT m.at, count(*), count(*) FILTER (WHERE c.due_at < m.at)
                FROM unnest(%s::timestamptz[]) AS m(at)
                JOIN cases_case c ON c.received_at < m.at AND (c.closed_at IS NULL OR c.closed_at >= m.at)
                JOIN agencies_agency a ON a.id = c.agency_id
                WHERE c.received_at < %s AND (c.closed_at IS NULL OR c.closed_at >= %s){conditions}
                GROUP BY m.at
                """,  # noqa: S608 (placeholders only; the interpolated fragments are constants of this module)
                [ends, max(ends), min(ends), *params],
            )
            counts = {at: (backlog, overdue) for at, backlog, overdue in cursor.fetchall()}
            for month, at in zip(months, ends, strict=False):
                by_month[month].backlog, by_month[month].overdue = counts.get(at, (0, 0))
    return [by_month[m] for m in months]


@dataclass(frozen=True)
class RankedAgency:
    agency: Agency
    figures: Figures


def report_ranking(
    *, scope: Scope, period: Period, filters: Filters | None = None, min_answered: int = 1
) -> list[RankedAgency]:
    """Agencies of `scope`, each on its own (not rolled up), that answered at least `min_answered` items in
    the period, best on-time rate first (ties: more answered first, then by name)."""
    grouped = report_figure_sets(
        scope=scope, period=period, filters=filters, sets=[("agency",)], transfers_by_agency=False
    )[("agency",)]
    return rank_agencies(grouped, min_answered=min_answered)


def rank_agencies(grouped: dict[Key, Figures], *, min_answered: int = 1) -> list[RankedAgency]:
    """Figures grouped by agency, as a ranking (see report_ranking)."""
    kept = {key[0]: figures for key, figures in grouped.items() if figures.answered >= max(min_answered, 1)}
    agencies = Agency.objects.in_bulk(list(kept))
    ranked = [RankedAgency(agencies[agency_id], figures) for agency_id, figures in kept.items()]
    ranked.sort(key=lambda r: (-(r.figures.on_time_rate or 0), -r.figures.answered, r.agency.name))
    return ranked


def league_table(*, period: Period, min_answered: int) -> list[RankedAgency]:
    """The public league: every agency with at least `min_answered` answered items in the period."""
    return report_ranking(scope=EVERY_AGENCY, period=period, min_answered=min_answered)

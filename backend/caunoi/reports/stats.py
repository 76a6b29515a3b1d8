"""The report figures read from the aggregates (AgencyPeriodStats, built by aggregates.py): what the league,
the dashboard, the exports and the API show.

A read sums the rows of the period's groups: month rows for the months of the period that have ended, day
rows for the rest. Its cost follows the number of (agency, kind, category) groups active in the period,
not the number of events, so it stays flat as the history grows; every grouping of a read is one statement
(GROUPING SETS). Medians and percentiles come from histograms of days, not averages, kept in fixed bins
(day_bins.py) so that a row costs the same however many answers it counts: exact up to 60 days, beyond that
the lower bound of a coarse bin. "Overdue now" and this month's backlog come from the open cases
as the minute's refresh counted them (rows of period `now`). A period that ended before `closed_before()` is cached
for ever: nothing rewrites its rows any more.

Reads go to the replica inside a portal view when one is configured (`core.replica.read_alias`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import connections

from caunoi.core import clock
from caunoi.core.replica import read_alias

from .aggregates import closed_before
from .day_bins import BIN_COUNT, bin_sums_sql, histogram_of
from .figures import DIMENSIONS, Figures, GroupSet, Key
from .hooks import dialogue_participation
from .models import StatsPeriod
from .periods import Period, local_midnight, next_month
from .scope import EVERY_AGENCY, Filters, Scope
from .series import Month, RankedAgency, rank_agencies, series_months

logger = logging.getLogger(__name__)

_COLUMNS = {"kind": "s.kind", "category": "s.category_id", "agency": "s.agency_id"}
_SUMS = (
    "sum(s.received), sum(s.answered), sum(s.answered_on_time), sum(s.returns), sum(s.transfers_out), "
    "sum(s.answered_transferred), sum(s.appeals), sum(s.ratings), sum(s.rating_sum), "
    + ", ".join(f"sum(s.rating_counts[{score}])" for score in range(1, 6))
)
_SUM_COUNT = 14
_BIN_SUMS = ", ".join([*bin_sums_sql("s.answer_bins"), *bin_sums_sql("s.citizen_bins")])


def _run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _months_built(months: list[dt.date]) -> list[dt.date]:
    """Of `months` (ended ones), those whose month rows exist; the others are read from their day rows."""
    if not months:
        return []
    rows = _run(
        "SELECT DISTINCT first_day FROM reports_agencyperiodstats WHERE period = %(month)s"
        " AND first_day = ANY(%(months)s)",
        {"month": StatsPeriod.MONTH, "months": months},
    )
    return sorted(row[0] for row in rows)


def _ended_whole_months(first_day: dt.date, last_day: dt.date, today: dt.date) -> list[dt.date]:
    months, month = [], first_day.replace(day=1)
    if month < first_day:
        month = next_month(month)
    while next_month(month) - dt.timedelta(days=1) <= last_day and month < today.replace(day=1):
        months.append(month)
        month = next_month(month)
    return months


def _rows_of(first_day: dt.date, last_day: dt.date, today: dt.date) -> tuple[str, dict[str, Any]]:
    """SQL selecting the aggregate rows that cover [first_day, last_day] exactly once (month rows for the
    built months, day rows for each stretch of days between them), and its parameters. Each part is an index
    range on (period, first_day): no row outside the period is read."""
    months = _months_built(_ended_whole_months(first_day, last_day, today))
    parts = ["(s.period = 'month' AND s.first_day = ANY(%(months)s))"] if months else []
    params: dict[str, Any] = {"months": months}
    stretches, start = [], first_day
    for month in months:
        if start < month:
            stretches.append((start, month - dt.timedelta(days=1)))
        start = next_month(month)
    if start <= last_day:
        stretches.append((start, last_day))
    for index, (first, last) in enumerate(stretches):
        parts.append(f"(s.period = 'day' AND s.first_day BETWEEN %(first{index})s AND %(last{index})s)")
        params |= {f"first{index}": first, f"last{index}": last}
    return "(" + (" OR ".join(parts) or "FALSE") + ")", params


def _where(scope: Scope, filters: Filters) -> str:
    sql = "" if scope.everything else " AND a.path LIKE ANY(%(scope)s)"
    if filters.kind:
        sql += " AND s.kind = %(kind)s"
    if filters.category_id:
        sql += " AND s.category_id = %(category)s"
    return sql


def _percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont (linear interpolation) over the values the histogram counts."""
    total = sum(histogram.values())
    if not total:
        return None
    position = fraction * (total - 1)
    wanted = {math.floor(position), math.ceil(position)}
    found: dict[int, int] = {}
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        for index in wanted:
            if seen <= index < seen + count:
                found[index] = value
        seen += count
    low, high = found[math.floor(position)], found[math.ceil(position)]
    return low + (position - math.floor(position)) * (high - low)


def _grouped_rows(
    sets: Sequence[GroupSet], selected: str, where: str, params: dict[str, Any]
) -> list[tuple[GroupSet, Key, list[Any]]]:
    """`selected` (aggregates) for every grouping of `sets`, in one pass over the rows `where` picks
    (GROUPING SETS): (grouping, key, [the aggregates...])."""
    used = [name for name in DIMENSIONS if any(name in group for group in sets)]
    columns = [_COLUMNS[name] for name in used]
    grouping = ", ".join("(" + ", ".join(_COLUMNS[name] for name in group) + ")" for group in sets)
    mask = f"GROUPING({', '.join(columns)})" if columns else "0"
    rows = _run(
        f"SELECT {''.join(f'{c}, ' for c in columns)}{mask}, {selected}"  # noqa: S608 (constants)
        " FROM reports_agencyperiodstats s JOIN agencies_agency a ON a.id = s.agency_id"
        f" {where} GROUP BY GROUPING SETS ({grouping})",
        params,
    )
    width = len(columns)
    result = []
    for row in rows:
        # GROUPING(): a bit per column, the first column the most significant; 1 = not grouped by it.
        grouped = tuple(name for index, name in enumerate(used) if not row[width] & (1 << (width - 1 - index)))
        values = dict(zip(used, row[:width], strict=True))
        result.append((grouped, tuple(values[name] for name in grouped), list(row[width + 1 :])))
    return result


def _sums(
    sets: Sequence[GroupSet], scope: Scope, period: Period, filters: Filters, today: dt.date
) -> dict[GroupSet, dict[Key, Figures]]:
    """Everything the aggregates hold for each grouping, in one statement: the sums and the binned histograms.
    Every row costs the same (fixed bins, day_bins.py), so the read follows the number of rows, not the
    answers they count."""
    rows_sql, params = _rows_of(period.first_day, period.last_day, today)
    params |= {"scope": scope.like_patterns, "kind": filters.kind, "category": filters.category_id}
    where = f"WHERE {rows_sql}{_where(scope, filters)}"
    result: dict[GroupSet, dict[Key, Figures]] = {group: ({(): Figures()} if not group else {}) for group in sets}
    for group, key, row in _grouped_rows(sets, f"{_SUMS}, {_BIN_SUMS}", where, params):
        values = [int(value or 0) for value in row[:_SUM_COUNT]]
        received, answered, on_time, returns, transfers, transferred, appeals, ratings, score_sum = values[:9]
        if not any(values) and group:
            continue
        f = result[group].setdefault(key, Figures())
        f.received, f.answered, f.answered_on_time, f.returns = received, answered, on_time, returns
        f.transfers, f.answered_transferred, f.appeals, f.ratings = transfers, transferred, appeals, ratings
        f.rating_average = score_sum / ratings if ratings else None
        f.rating_distribution = {score: values[8 + score] for score in range(1, 6)}
        answer_days = histogram_of(row[_SUM_COUNT : _SUM_COUNT + BIN_COUNT])
        f.median_days = _percentile(answer_days, 0.5)
        f.p90_days = _percentile(answer_days, 0.9)
        f.citizen_median_days = _percentile(histogram_of(row[_SUM_COUNT + BIN_COUNT :]), 0.5)
    return result


def _cached_sums(
    sets: Sequence[GroupSet], scope: Scope, period: Period, filters: Filters
) -> dict[GroupSet, dict[Key, Figures]]:
    today = clock.local_date()
    if period.last_day >= closed_before():
        return _sums(sets, scope, period, filters, today)
    # A closed period: its rows are never rewritten, so its sums are kept under a key that never changes.
    parts = [",".join(scope.paths), period.code, filters.kind or "", str(filters.category_id or ""), repr(sets)]
    key = "reports:stats:v1:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
    try:
        stored = cache.get(key)
    except Exception:  # Redis down: compute, as without a cache
        logger.warning("statistics cache unavailable", exc_info=True)
        return _sums(sets, scope, period, filters, today)
    if stored is not None:
        return stored
    result = _sums(sets, scope, period, filters, today)
    try:
        cache.set(key, result, None)
    except Exception:
        logger.warning("statistics cache unavailable", exc_info=True)
    return result


def _open_now(sets: Sequence[GroupSet], scope: Scope, filters: Filters) -> dict[GroupSet, dict[Key, int]]:
    """Open cases past their due date, by grouping, as the last refresh counted them (rows of period `now`),
    every grouping in one statement."""
    params = {"scope": scope.like_patterns, "kind": filters.kind, "category": filters.category_id}
    where = f"WHERE s.period = 'now'{_where(scope, filters)}"
    result: dict[GroupSet, dict[Key, int]] = {group: {} for group in sets}
    for group, key, (overdue,) in _grouped_rows(sets, "sum(s.overdue_end)", where, params):
        if overdue:
            result[group][key] = int(overdue)
    return result


def stats_figure_sets(
    *,
    scope: Scope,
    period: Period,
    sets: Sequence[GroupSet],
    filters: Filters | None = None,
    now: dt.datetime | None = None,
) -> dict[GroupSet, dict[Key, Figures]]:
    """`figures.report_figure_sets` read from the aggregates (same shape: set → key → Figures; the total
    `()`, when asked for, is always present). See the module docstring for the cost."""
    sets = [tuple(name for name in DIMENSIONS if name in s) for s in sets]
    if {name for s in sets for name in s} - set(DIMENSIONS):
        raise ValueError(f"cannot group by {sets}")
    filters = filters or Filters()
    result = _cached_sums(sets, scope, period, filters)
    for group, counts in _open_now(sets, scope, filters).items():
        for key, count in counts.items():
            result[group].setdefault(key, Figures()).overdue_now = count
    if () in result:
        result[()][()].dialogue_participation = dialogue_participation(scope.paths, period.start, period.end)
    return result


def stats_monthly(
    *, scope: Scope, period: Period, filters: Filters | None = None, now: dt.datetime | None = None
) -> list[Month]:
    """`series.report_monthly` read from the aggregates: month rows for ended months (backlog and overdue
    as counted at the month's end), day rows and open cases (read now) for the month in progress."""
    filters = filters or Filters()
    now = now or clock.now()
    today = clock.local_date(now)
    months = series_months(period)
    by_month = {m: Month(m) for m in months}
    rows_sql, params = _rows_of(months[0], next_month(months[-1]) - dt.timedelta(days=1), today)
    params |= {"scope": scope.like_patterns, "kind": filters.kind, "category": filters.category_id}
    for month, category_id, received, answered, on_time, backlog, overdue in _run(
        "SELECT date_trunc('month', s.first_day)::date, s.category_id, sum(s.received), sum(s.answered),"  # noqa: S608
        " sum(s.answered_on_time), sum(s.backlog_end), sum(s.overdue_end)"
        " FROM reports_agencyperiodstats s JOIN agencies_agency a ON a.id = s.agency_id"
        f" WHERE {rows_sql}{_where(scope, filters)} GROUP BY 1, 2",
        params,
    ):
        row = by_month[month]
        row.received += int(received)
        row.answered += int(answered)
        row.answered_on_time += int(on_time)
        row.backlog += int(backlog)
        row.overdue += int(overdue)
        if received:
            row.received_by_category[category_id] = int(received)
    # The month in progress: its backlog is the open cases now (as the last refresh counted them).
    current = today.replace(day=1)
    if current in by_month and local_midnight(current) <= now:
        [(backlog, overdue)] = _run(
            "SELECT COALESCE(sum(s.backlog_end), 0), COALESCE(sum(s.overdue_end), 0)"  # noqa: S608 (constants)
            " FROM reports_agencyperiodstats s JOIN agencies_agency a ON a.id = s.agency_id"
            f" WHERE s.period = 'now'{_where(scope, filters)}",
            params,
        )
        by_month[current].backlog, by_month[current].overdue = int(backlog), int(overdue)
    return [by_month[m] for m in months]


def stats_league_table(*, period: Period, min_answered: int) -> list[RankedAgency]:
    """The public league from the aggregates: every agency with at least `min_answered` answered items."""
    grouped = stats_figure_sets(scope=EVERY_AGENCY, period=period, sets=[("agency",)])[("agency",)]
    return rank_agencies(grouped, min_answered=min_answered)


def stats_ranking(
    *, scope: Scope, period: Period, filters: Filters | None = None, min_answered: int = 1
) -> list[RankedAgency]:
    grouped = stats_figure_sets(scope=scope, period=period, filters=filters, sets=[("agency",)])[("agency",)]
    return rank_agencies(grouped, min_answered=min_answered)

"""The per-agency, per-period aggregates (AgencyPeriodStats): how they are built and kept up to date.

Why: the figures are defined over the case timeline (figures.py), and computing them from it costs a scan of
every event of the period, growing with history and with the number of readers. The aggregates hold the same
sums per (local day, agency, kind, category), and per ended month, so a read sums a few rows per group.
The histograms of days are kept twice: exact ({days: answers}, what a rebuild is checked against) and in
fixed bins (day_bins.py), which the readers sum, so a row costs a read the same however many answers it holds.

How they stay current (all through `stats_refresh`, run every minute by the beat, see config/celery.py):
- events and ratings are append-only, so the days to rebuild are the days of the rows added since the last
  refresh (a primary-key range: `StatsProgress` keeps the newest ids counted), and the days of the earlier
  answers and rating of each case those rows touch (a transfer or an appeal moves the case's rating and
  its "answered after a transfer" with it); plus today and yesterday (a transaction that commits late,
  with an id below the mark, is caught by those);
- a month's row is built once it has ended (and again if one of its days is rebuilt later);
- the open cases (backlog and "overdue now") are counted afresh each time, as rows of period `now`;
- `stats_rebuild_recent` (nightly) rebuilds the last REPORTS_STATS_REBUILD_DAYS days, which catches the
  figures that read mutable columns (a case's current agency for ratings, its stored due date for answers
  recorded before the due date was kept in the event, a change of a case's kind or category).
Older periods are never rewritten: they are closed, and readers may cache them for ever.

One difference from the live selectors: `received` is a count of distinct cases per agency and day, so a
case that reaches two agencies of one scope (or one agency on two days) counts at each arrival.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from caunoi.core import clock

from .day_bins import bins_from_histogram_sql
from .figures import ANSWER_CLOCK_STARTED, ANSWER_DUE, working_unit_sql
from .models import AgencyPeriodStats, StatsPeriod, StatsProgress
from .periods import local_midnight, next_month
from .workdays import working_days_ready

_LOCK_KEY = 0x53544154  # "STAT": one writer of the aggregates at a time, across processes
FLOW_TYPES = ("routed", "transferred", "answered", "returned", "appealed")
# Events that move a case to another agency or change its due date: the figures counted earlier at its
# agency or by its due date (its rating, "answered after a transfer", the month-end backlog) move with it.
# The sweep's reminders and the like change nothing counted, so they never reach back into older periods.
MOVING_TYPES = (
    "routed", "transferred", "appealed", "split", "extended", "deadline_set", "deadline_recomputed",
    "clock_resumed", "released",
)  # fmt: skip
_BUCKET = {
    StatsPeriod.DAY: "({column} AT TIME ZONE %(tz)s)::date",
    StatsPeriod.MONTH: "date_trunc('month', {column} AT TIME ZONE %(tz)s)::date",
}

_BUILD = """
WITH ev AS (
    SELECT {event_bucket} AS first_day, e.agency_id, c.kind, c.category_id, e.type, e.case_id,
        CASE WHEN e.type = 'answered' THEN {days} END AS days,
        CASE WHEN e.type = 'answered' THEN {citizen_days} END AS citizen_days,
        (e.type = 'answered' AND ({answer_due} IS NULL OR e.at <= {answer_due})) AS on_time,
        (e.type = 'answered' AND EXISTS (
            SELECT 1 FROM cases_clocksegment cs WHERE cs.case_id = e.case_id AND cs.ended_on IS NOT NULL
        )) AS transferred
    FROM cases_caseevent e
    JOIN cases_case c ON c.id = e.case_id
    LEFT JOIN reports_workingday wa ON e.type = 'answered' AND wa.day = (e.at AT TIME ZONE %(tz)s)::date
    LEFT JOIN reports_workingday ws ON e.type = 'answered' AND ws.day = {clock_started}
    LEFT JOIN reports_workingday wr ON e.type = 'answered'
        AND wr.day = (c.received_at AT TIME ZONE %(tz)s)::date
    WHERE e.type IN ('routed', 'transferred', 'answered', 'returned', 'appealed')
        AND e.at >= %(start)s AND e.at < %(end)s
), flows AS (
    SELECT first_day, agency_id, kind, category_id,
        count(DISTINCT case_id) FILTER (WHERE type IN ('routed', 'transferred')) AS received,
        count(*) FILTER (WHERE type = 'answered') AS answered,
        count(*) FILTER (WHERE on_time) AS answered_on_time,
        count(*) FILTER (WHERE transferred) AS answered_transferred,
        count(*) FILTER (WHERE type = 'returned') AS returns,
        count(*) FILTER (WHERE type = 'appealed') AS appeals
    FROM ev GROUP BY 1, 2, 3, 4
), answer_days AS (
    SELECT first_day, agency_id, kind, category_id, jsonb_object_agg(days, n) AS histogram
    FROM (SELECT first_day, agency_id, kind, category_id, days, count(*) AS n
          FROM ev WHERE days IS NOT NULL GROUP BY 1, 2, 3, 4, 5) h
    GROUP BY 1, 2, 3, 4
), citizen_days AS (
    SELECT first_day, agency_id, kind, category_id, jsonb_object_agg(citizen_days, n) AS histogram
    FROM (SELECT first_day, agency_id, kind, category_id, citizen_days, count(*) AS n
          FROM ev WHERE citizen_days IS NOT NULL GROUP BY 1, 2, 3, 4, 5) h
    GROUP BY 1, 2, 3, 4
), sent AS (
    SELECT {event_bucket} AS first_day, s.id AS agency_id, c.kind, c.category_id, count(*) AS transfers_out
    FROM cases_caseevent e
    JOIN cases_case c ON c.id = e.case_id
    JOIN agencies_agency s ON s.code = e.payload ->> 'from'
    WHERE e.type = 'transferred' AND e.at >= %(start)s AND e.at < %(end)s
    GROUP BY 1, 2, 3, 4
), rated AS (
    SELECT {rating_bucket} AS first_day, c.agency_id, c.kind, c.category_id,
        count(*) AS ratings, sum(r.score) AS rating_sum,
        ARRAY[{score_counts}] AS rating_counts
    FROM cases_rating r JOIN cases_case c ON c.id = r.case_id
    WHERE r.created_at >= %(start)s AND r.created_at < %(end)s
    GROUP BY 1, 2, 3, 4
), backlog AS (
    -- Month rows only (the list of month ends is empty for days): open cases at each month's end.
    SELECT m.first_day, c.agency_id, c.kind, c.category_id,
        count(*) AS backlog_end, count(*) FILTER (WHERE c.due_at < m.at) AS overdue_end
    FROM unnest(%(month_firsts)s::date[], %(month_ends)s::timestamptz[]) AS m(first_day, at)
    JOIN cases_case c ON c.received_at < m.at AND (c.closed_at IS NULL OR c.closed_at >= m.at)
    GROUP BY 1, 2, 3, 4
), keys AS (
    SELECT first_day, agency_id, kind, category_id FROM flows
    UNION SELECT first_day, agency_id, kind, category_id FROM sent
    UNION SELECT first_day, agency_id, kind, category_id FROM rated
    UNION SELECT first_day, agency_id, kind, category_id FROM backlog
)
INSERT INTO reports_agencyperiodstats (
    period, first_day, agency_id, kind, category_id, received, answered, answered_on_time,
    answered_transferred, returns, transfers_out, appeals, ratings, rating_sum, rating_counts,
    answer_days, citizen_days, answer_bins, citizen_bins, backlog_end, overdue_end, refreshed_at
)
SELECT %(period)s, k.first_day, k.agency_id, k.kind, k.category_id,
    COALESCE(f.received, 0), COALESCE(f.answered, 0), COALESCE(f.answered_on_time, 0),
    COALESCE(f.answered_transferred, 0), COALESCE(f.returns, 0), COALESCE(s.transfers_out, 0),
    COALESCE(f.appeals, 0), COALESCE(r.ratings, 0), COALESCE(r.rating_sum, 0),
    COALESCE(r.rating_counts, ARRAY[0, 0, 0, 0, 0]), COALESCE(ad.histogram, '{{}}'::jsonb),
    COALESCE(cd.histogram, '{{}}'::jsonb),
    {answer_bins},
    {citizen_bins},
    COALESCE(b.backlog_end, 0), COALESCE(b.overdue_end, 0), %(now)s
FROM keys k
LEFT JOIN flows f USING (first_day, agency_id, kind, category_id)
LEFT JOIN answer_days ad USING (first_day, agency_id, kind, category_id)
LEFT JOIN citizen_days cd USING (first_day, agency_id, kind, category_id)
LEFT JOIN sent s USING (first_day, agency_id, kind, category_id)
LEFT JOIN rated r USING (first_day, agency_id, kind, category_id)
LEFT JOIN backlog b USING (first_day, agency_id, kind, category_id)
"""


def _build_sql(period: str) -> tuple[str, dict[str, Any]]:
    unit_sql, unit_params = working_unit_sql()
    days = (
        f"CASE WHEN {unit_sql} THEN wa.ordinal - ws.ordinal "
        f"ELSE (e.at AT TIME ZONE %(tz)s)::date - {ANSWER_CLOCK_STARTED} END"
    )
    citizen_days = (
        f"CASE WHEN {unit_sql} THEN wa.ordinal - wr.ordinal "
        "ELSE (e.at AT TIME ZONE %(tz)s)::date - (c.received_at AT TIME ZONE %(tz)s)::date END"
    )
    sql = _BUILD.format(
        event_bucket=_BUCKET[StatsPeriod(period)].format(column="e.at"),
        rating_bucket=_BUCKET[StatsPeriod(period)].format(column="r.created_at"),
        days=days,
        citizen_days=citizen_days,
        answer_due=ANSWER_DUE,
        clock_started=ANSWER_CLOCK_STARTED,
        answer_bins=bins_from_histogram_sql("COALESCE(ad.histogram, '{}'::jsonb)"),
        citizen_bins=bins_from_histogram_sql("COALESCE(cd.histogram, '{}'::jsonb)"),
        score_counts=", ".join(f"count(*) FILTER (WHERE r.score = {score})" for score in range(1, 6)),
    )
    return sql, unit_params


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _rebuild(period: str, first_day: dt.date, end_day: dt.date, months: list[dt.date]) -> int:
    """Replaces the rows of `period` whose first day is in [first_day, end_day) by a recomputation from the
    timeline; one statement, however many days. `months`: the months whose end-of-month backlog to count
    (month rows only). Inside the caller's transaction and lock."""
    AgencyPeriodStats.objects.filter(period=period, first_day__gte=first_day, first_day__lt=end_day).delete()
    sql, params = _build_sql(period)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                **params,
                "period": period,
                "tz": settings.TIME_ZONE,
                "start": local_midnight(first_day),
                "end": local_midnight(end_day),
                "month_firsts": months,
                "month_ends": [local_midnight(next_month(month)) for month in months],
                "now": clock.now(),
            },
        )
        return cursor.rowcount


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days [first, end)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] == day:
            runs[-1] = (runs[-1][0], day + dt.timedelta(days=1))
        else:
            runs.append((day, day + dt.timedelta(days=1)))
    return runs


_OPEN_NOW = """
INSERT INTO reports_agencyperiodstats (
    period, first_day, agency_id, kind, category_id, received, answered, answered_on_time,
    answered_transferred, returns, transfers_out, appeals, ratings, rating_sum, rating_counts,
    answer_days, citizen_days, backlog_end, overdue_end, refreshed_at
)
SELECT %(period)s, %(today)s, c.agency_id, c.kind, c.category_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, ARRAY[0, 0, 0, 0, 0],
    '{}'::jsonb, '{}'::jsonb, count(*), count(*) FILTER (WHERE c.due_at < %(now)s), %(now)s
FROM cases_case c WHERE c.closed_at IS NULL
GROUP BY c.agency_id, c.kind, c.category_id
"""


def _rebuild_open_now() -> None:
    """The open cases and those past due now, per group: "overdue now" and this month's backlog for every
    reader until the next refresh, counted once a minute instead of once per reader (the queue's partial
    index on open cases; its cost follows the backlog, not the history)."""
    AgencyPeriodStats.objects.filter(period=StatsPeriod.NOW).delete()
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_NOW, {"period": StatsPeriod.NOW, "today": clock.local_date(), "now": clock.now()})


def _ended_months(days: Iterable[dt.date], today: dt.date) -> list[dt.date]:
    this_month = today.replace(day=1)
    return sorted({day.replace(day=1) for day in days if day.replace(day=1) < this_month})


def _rebuild_days_and_months(days: Iterable[dt.date], months: Iterable[dt.date]) -> None:
    for first, end in _runs(days):
        _rebuild(StatsPeriod.DAY, first, end, [])
    for month in sorted(set(months)):
        _rebuild(StatsPeriod.MONTH, month, next_month(month), [month])


def stats_rebuild(*, first_day: dt.date, last_day: dt.date) -> None:
    """Recomputes every day of [first_day, last_day] and every ended month those days touch, from the
    timeline. Idempotent; holds the aggregates' lock for its transaction (other refreshes wait)."""
    working_days_ready()
    today = clock.local_date()
    days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    with transaction.atomic():
        _lock()
        _rebuild_days_and_months(days, _ended_months(days, today))


def stats_rebuild_all() -> None:
    """Rebuilds the aggregates of the whole history and marks everything counted (the first deployment:
    `manage.py rebuild_statistics`). A day's rows for all history in one statement, a month's in another."""
    working_days_ready()
    today = clock.local_date()
    with transaction.atomic():
        _lock()
        marks = _newest_ids()
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(at) FROM cases_caseevent")
            (oldest,) = cursor.fetchone()
        first = clock.local_date(oldest) if oldest else today
        # One statement for every day (not one per day: each would scan the event index again).
        _rebuild(StatsPeriod.DAY, first, today + dt.timedelta(days=1), [])
        months, month = [], first.replace(day=1)
        while month < today.replace(day=1):
            months.append(month)
            month = next_month(month)
        if months:
            _rebuild(StatsPeriod.MONTH, months[0], next_month(months[-1]), months)
        _rebuild_open_now()
        _save_progress(marks, months[-1] if months else None)


def _newest_ids() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COALESCE(max(id), 0) FROM cases_caseevent), (SELECT COALESCE(max(id), 0) FROM cases_rating)"
        )
        event_id, rating_id = cursor.fetchone()
    return event_id, rating_id


def _progress() -> StatsProgress:
    progress = StatsProgress.objects.order_by("pk").first()
    return progress or StatsProgress.objects.create()


def _save_progress(marks: tuple[int, int], month_built: dt.date | None) -> None:
    progress = _progress()
    progress.event_id, progress.rating_id = marks
    if month_built is not None and (progress.months_built_to is None or month_built > progress.months_built_to):
        progress.months_built_to = month_built
    progress.refreshed_at = clock.now()
    progress.save()


def _days_changed_since(progress: StatsProgress, marks: tuple[int, int]) -> set[dt.date]:
    """The local days whose figures the events and ratings added since the last refresh change: their own
    days, and the days of the earlier answers and the rating of every case they touch (a transfer or an
    appeal moves the case, and its rating and "answered after a transfer" with it). Read by primary key and
    by case: the cost follows what is new, not the history."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH new AS (
                SELECT case_id, type, at FROM cases_caseevent WHERE id > %(event_from)s AND id <= %(event_to)s
            ), touched AS (SELECT DISTINCT case_id FROM new WHERE type = ANY(%(moving)s))
            SELECT DISTINCT (at AT TIME ZONE %(tz)s)::date FROM new WHERE type = ANY(%(types)s)
            UNION SELECT DISTINCT (e.at AT TIME ZONE %(tz)s)::date
                FROM touched t JOIN cases_caseevent e ON e.case_id = t.case_id AND e.type = 'answered'
            UNION SELECT DISTINCT (r.created_at AT TIME ZONE %(tz)s)::date
                FROM touched t JOIN cases_rating r ON r.case_id = t.case_id
            UNION SELECT DISTINCT (created_at AT TIME ZONE %(tz)s)::date FROM cases_rating
                WHERE id > %(rating_from)s AND id <= %(rating_to)s
            """,
            {
                "tz": settings.TIME_ZONE,
                "event_from": progress.event_id,
                "event_to": marks[0],
                "types": list(FLOW_TYPES),
                "moving": list(MOVING_TYPES),
                "rating_from": progress.rating_id,
                "rating_to": marks[1],
            },
        )
        return {row[0] for row in cursor.fetchall()}


def _month_ends_changed_since(progress: StatsProgress, marks: tuple[int, int]) -> set[dt.date]:
    """The months at whose end a case touched by the new events was open: its month-end backlog is counted
    at its agency and by its due date, which the new events may have changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT generate_series(
                date_trunc('month', c.received_at AT TIME ZONE %(tz)s),
                date_trunc('month', COALESCE(c.closed_at, %(now)s) AT TIME ZONE %(tz)s),
                interval '1 month')::date
            FROM cases_case c
            WHERE c.id IN (SELECT case_id FROM cases_caseevent
                           WHERE id > %(event_from)s AND id <= %(event_to)s AND type = ANY(%(moving)s))
            """,
            {
                "tz": settings.TIME_ZONE,
                "now": clock.now(),
                "event_from": progress.event_id,
                "event_to": marks[0],
                "moving": list(MOVING_TYPES),
            },
        )
        return {row[0] for row in cursor.fetchall()}


def stats_refresh() -> list[dt.date]:
    """Brings the aggregates up to date (see the module docstring); returns the days rebuilt (none when
    another refresh or rebuild holds the lock). Reads what changed since the last refresh, so its cost
    follows the day's activity, not the history's length."""
    working_days_ready()
    today = clock.local_date()
    with transaction.atomic():
        # Another refresh or rebuild is running (a long first one, the nightly pass): this minute's work is
        # theirs or the next run's; waiting would only pile workers up behind the lock.
        if not _try_lock():
            return []
        progress = _progress()
        marks = _newest_ids()
        changed = _days_changed_since(progress, marks)
        days = changed | {today, today - dt.timedelta(days=1)}
        months = set(_ended_months(changed | _month_ends_changed_since(progress, marks), today))
        # Each month once it has ended: the months since the last one built (the first refresh: the
        # previous month only; the history is `manage.py rebuild_statistics`'s job).
        last_ended = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        month = next_month(progress.months_built_to) if progress.months_built_to else last_ended
        while month <= last_ended:
            months.add(month)
            month = next_month(month)
        _rebuild_days_and_months(days, months)
        _rebuild_open_now()
        _save_progress(marks, last_ended)
    return sorted(days)


def stats_rebuild_recent() -> None:
    """The nightly pass: rebuilds the last REPORTS_STATS_REBUILD_DAYS days and the ended months they touch."""
    today = clock.local_date()
    stats_rebuild(first_day=today - dt.timedelta(days=settings.REPORTS_STATS_REBUILD_DAYS), last_day=today)


def closed_before() -> dt.date:
    """Periods that ended before this day are never rewritten any more: readers may cache them for ever."""
    return clock.local_date() - dt.timedelta(days=settings.REPORTS_STATS_REBUILD_DAYS + 1)

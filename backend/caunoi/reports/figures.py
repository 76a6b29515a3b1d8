"""The report figures, computed by set-based SQL over the case timeline (CaseEvent), cases and ratings.

Definitions (the same for every page, export and API, because they all call these selectors):

- received: cases that reached an agency in scope in the period, by routing at intake (or a split) or by a
  transfer in (`routed`, `transferred` events whose agency is in scope); a case counts once per group even
  if it moved between two agencies of the same scope.
- answered: `answered` events in the period at an agency in scope (the agency that answered).
- answered on time: answered no later than the due date in force when it was answered: the one the
  `answered` event records (an appeal later gives the case a new clock), else the stored `Case.due_at`. (The
  lifecycle answers only from review, never while the clock is paused; a case without a due date would
  count as on time, its period not having run out.)
- overdue now: open cases of agencies in scope whose due date has passed (not limited to the period).
- days to answer: from the day the answering agency's clock started (`clock_started_on`) to the local date of
  the answer, counted as the deadline policy of the case counts them: working days (holidays, weekends and
  overrides excluded, through the WorkingDay table) or calendar days. Waiting for the citizen is included:
  it is how long the citizen waited. Median and 90th percentile by linear interpolation (percentile_cont).
- transfers: `transferred` events in the period whose sending agency is in scope (items forwarded away).
- answered on time is judged by the answering agency's own clock (`Case.due_at`, see `cases/clocks.py`):
  time it held the case accumulates across its holdings, so transfers back and forth cannot reset it.
- citizen's days: from the first receipt (`received_at`, never restarted) to the answer, counted like
  "days to answer" (median); answered transferred: answered items that were transferred at least once.
- returns: `returned` events in the period (a reviewer sent the draft back) at agencies in scope.
- appeals: `appealed` events in the period, counted at the agency whose answer was appealed (the event's
  agency); reopen rate: appeals / answered of the same group and period (0–1; None when nothing was answered).
- satisfaction: ratings given in the period on cases whose agency is in scope: count, average, 1–5 counts.
- dialogue participation: from `hooks.dialogue_participation` (0 until the dialogues app provides it).

Several groupings (the total, by kind, by category, by agency) come out of the same statements through
GROUPING SETS: one pass over the period's events, one over open cases, one over the period's ratings,
whatever the number of cases or groupings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from caunoi.core import clock
from caunoi.workflows.registry import workflows

from .hooks import dialogue_participation
from .periods import Period
from .scope import Filters, Scope
from .workdays import working_days_ready

DIMENSIONS = ("kind", "category", "agency")
# The clock an answer ended: kept in the `answered` event since appeals (a second stage restarts the case's
# clock and due date); the case's own for answers recorded before.
ANSWER_CLOCK_STARTED = "COALESCE((e.payload ->> 'clock_started_on')::date, c.clock_started_on)"
ANSWER_DUE = "COALESCE((e.payload ->> 'due_at')::timestamptz, c.due_at)"
Key = tuple[Any, ...]
GroupSet = tuple[str, ...]


@dataclass
class Figures:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue_now: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    transfers: int = 0
    returns: int = 0
    citizen_median_days: float | None = None
    answered_transferred: int = 0
    ratings: int = 0
    rating_average: float | None = None
    rating_distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    dialogue_participation: int = 0
    appeals: int = 0

    @property
    def reopen_rate(self) -> float | None:
        """Share of answers appealed (the case reopened for a second stage), 0–1; None when none answered."""
        return self.appeals / self.answered if self.answered else None

    @property
    def on_time_rate(self) -> float | None:
        """Share of answered items answered on time, 0–1; None when nothing was answered."""
        return self.answered_on_time / self.answered if self.answered else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "on_time_rate": _round(self.on_time_rate, 4),
            "overdue_now": self.overdue_now,
            "median_days": _round(self.median_days, 2),
            "p90_days": _round(self.p90_days, 2),
            "transfers": self.transfers,
            "returns": self.returns,
            "citizen_median_days": _round(self.citizen_median_days, 2),
            "answered_transferred": self.answered_transferred,
            "ratings": self.ratings,
            "rating_average": _round(self.rating_average, 2),
            "rating_distribution": {str(k): v for k, v in self.rating_distribution.items()},
            "dialogue_participation": self.dialogue_participation,
            "appeals": self.appeals,
            "reopen_rate": _round(self.reopen_rate, 4),
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def working_unit_sql() -> tuple[str, dict[str, Any]]:
    """SQL true for cases whose deadline policy (version, kind) counts working days, and its parameters."""
    pairs = [
        (version, kind)
        for version, policy in workflows().deadlines.items()
        for kind, period in policy.kinds.items()
        if period.unit == "working_days"
    ]
    if not pairs:
        return "FALSE", {}
    placeholders = ", ".join(f"(%(wv{i})s, %(wk{i})s)" for i in range(len(pairs)))
    params = {name: value for i, (v, k) in enumerate(pairs) for name, value in ((f"wv{i}", v), (f"wk{i}", k))}
    return f"(c.deadline_version, c.kind) IN ({placeholders})", params


class _Grouped:
    """One aggregate statement over several GROUPING SETS, and the split of its rows back into the sets."""

    def __init__(self, sets: Sequence[GroupSet], agency_column: str) -> None:
        self.sets = list(sets)
        columns = {"kind": "c.kind", "category": "c.category_id", "agency": agency_column}
        self.used = [name for name in DIMENSIONS if any(name in s for s in self.sets)]
        self.columns = [columns[name] for name in self.used]

    def select(self) -> str:
        """The dimension columns and their GROUPING() mask, each followed by a comma."""
        if not self.columns:
            return ""
        return "".join(f"{column}, " for column in self.columns) + f"GROUPING({', '.join(self.columns)}), "

    def group_by(self) -> str:
        if not self.columns:
            return ""
        columns = {name: column for name, column in zip(self.used, self.columns, strict=True)}
        sets = ", ".join("(" + ", ".join(columns[name] for name in s) + ")" for s in self.sets)
        return f"GROUP BY GROUPING SETS ({sets})"

    def split(self, rows: list[tuple[Any, ...]]) -> dict[GroupSet, dict[Key, tuple[Any, ...]]]:
        result: dict[GroupSet, dict[Key, tuple[Any, ...]]] = {s: {} for s in self.sets}
        width = len(self.columns)
        for row in rows:
            mask = row[width] if width else 0
            # GROUPING(): a bit per column, the first column the most significant; 1 = not grouped by it.
            grouped = tuple(name for index, name in enumerate(self.used) if not mask & (1 << (width - 1 - index)))
            values = dict(zip(self.used, row[:width], strict=True))
            result[grouped][tuple(values[name] for name in grouped)] = row[width + 1 if width else 0 :]
        return result


def _in_scope(alias: str, scope: Scope) -> str:
    return "TRUE" if scope.everything else f"{alias}.path LIKE ANY(%(scope)s)"


def _filters(filters: Filters) -> str:
    sql = ""
    if filters.kind:
        sql += " AND c.kind = %(kind)s"
    if filters.category_id:
        sql += " AND c.category_id = %(category)s"
    return sql


def _run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _timeline(
    sets: Sequence[GroupSet], scope: Scope, filters: Filters, params: dict[str, Any]
) -> dict[GroupSet, dict[Key, tuple[Any, ...]]]:
    """One pass over the period's events for every grouping. A transfer is joined to its sending agency, so
    transfers (counted at the sender) come from the same pass; the events of a transfer out of the scope
    are read for that alone. Grouped by agency, that column holds transfers received (see the caller)."""
    grouped = _Grouped(sets, "e.agency_id")
    unit_sql, unit_params = working_unit_sql()
    mine = _in_scope("a", scope)
    sent = f"s.id IS NOT NULL AND {_in_scope('s', scope)}"
    days = (
        f"CASE WHEN {unit_sql} THEN wa.ordinal - ws.ordinal "
        f"ELSE (e.at AT TIME ZONE %(tz)s)::date - {ANSWER_CLOCK_STARTED} END"
    )
    citizen_days = (
        f"CASE WHEN {unit_sql} THEN wa.ordinal - wr.ordinal "
        "ELSE (e.at AT TIME ZONE %(tz)s)::date - (c.received_at AT TIME ZONE %(tz)s)::date END"
    )
    answered = f"e.type = 'answered' AND {mine}"
    sender_join = "LEFT JOIN agencies_agency s ON e.type = 'transferred' AND s.code = e.payload ->> 'from'"
    transfers_sql = f"count(*) FILTER (WHERE e.type = 'transferred' AND {sent})"
    reach = f"({mine} OR (e.type = 'transferred' AND {sent}))"
    sql = f"""
        SELECT {grouped.select()}
            count(DISTINCT e.case_id) FILTER (WHERE e.type IN ('routed', 'transferred') AND {mine}),
            count(*) FILTER (WHERE {answered}),
            count(*) FILTER (WHERE {answered} AND ({ANSWER_DUE} IS NULL OR e.at <= {ANSWER_DUE})),
            count(*) FILTER (WHERE e.type = 'returned' AND {mine}),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {answered}),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {answered}),
            {transfers_sql},
            percentile_cont(0.5) WITHIN GROUP (ORDER BY {citizen_days}) FILTER (WHERE {answered}),
            count(*) FILTER (WHERE {answered} AND EXISTS (
                SELECT 1 FROM cases_clocksegment cs WHERE cs.case_id = e.case_id AND cs.ended_on IS NOT NULL)),
            count(*) FILTER (WHERE e.type = 'appealed' AND {mine})
        FROM cases_caseevent e
        JOIN cases_case c ON c.id = e.case_id
        JOIN agencies_agency a ON a.id = e.agency_id
        {sender_join}
        LEFT JOIN reports_workingday wa ON e.type = 'answered' AND wa.day = (e.at AT TIME ZONE %(tz)s)::date
        LEFT JOIN reports_workingday ws ON e.type = 'answered' AND ws.day = {ANSWER_CLOCK_STARTED}
        LEFT JOIN reports_workingday wr ON e.type = 'answered'
            AND wr.day = (c.received_at AT TIME ZONE %(tz)s)::date
        WHERE e.type IN ('routed', 'transferred', 'answered', 'returned', 'appealed')
            AND e.at >= %(start)s AND e.at < %(end)s AND {reach}{_filters(filters)}
        {grouped.group_by()}
    """  # noqa: S608 (named placeholders only; the interpolated fragments are constants of this module)
    return grouped.split(_run(sql, {**params, **unit_params}))


def _transfers(sets: Sequence[GroupSet], filters: Filters, params: dict[str, Any], scope: Scope) -> Any:
    """Transfers counted at the sending agency (named by code in the event's payload)."""
    grouped = _Grouped(sets, "a.id")
    sql = f"""
        SELECT {grouped.select()} count(*)
        FROM cases_caseevent e
        JOIN cases_case c ON c.id = e.case_id
        JOIN agencies_agency a ON a.code = e.payload ->> 'from'
        WHERE e.type = 'transferred' AND e.at >= %(start)s AND e.at < %(end)s
            AND {_in_scope("a", scope)}{_filters(filters)}
        {grouped.group_by()}
    """  # noqa: S608 (named placeholders only; the interpolated fragments are constants of this module)
    return grouped.split(_run(sql, params))


def _overdue(sets: Sequence[GroupSet], scope: Scope, filters: Filters, params: dict[str, Any]) -> Any:
    grouped = _Grouped(sets, "c.agency_id")
    sql = f"""
        SELECT {grouped.select()} count(*)
        FROM cases_case c
        JOIN agencies_agency a ON a.id = c.agency_id
        WHERE c.closed_at IS NULL AND c.due_at < %(now)s AND {_in_scope("a", scope)}{_filters(filters)}
        {grouped.group_by()}
    """  # noqa: S608 (named placeholders only; the interpolated fragments are constants of this module)
    return grouped.split(_run(sql, params))


def _ratings(sets: Sequence[GroupSet], scope: Scope, filters: Filters, params: dict[str, Any]) -> Any:
    grouped = _Grouped(sets, "c.agency_id")
    scores = ", ".join(f"count(*) FILTER (WHERE r.score = {score})" for score in range(1, 6))
    sql = f"""
        SELECT {grouped.select()} count(*), avg(r.score), {scores}
        FROM cases_rating r
        JOIN cases_case c ON c.id = r.case_id
        JOIN agencies_agency a ON a.id = c.agency_id
        WHERE r.created_at >= %(start)s AND r.created_at < %(end)s AND {_in_scope("a", scope)}{_filters(filters)}
        {grouped.group_by()}
    """  # noqa: S608 (named placeholders only; the interpolated fragments are constants of this module)
    return grouped.split(_run(sql, params))


def report_figure_sets(
    *,
    scope: Scope,
    period: Period,
    sets: Sequence[GroupSet],
    filters: Filters | None = None,
    now: dt.datetime | None = None,
    transfers_by_agency: bool = True,
) -> dict[GroupSet, dict[Key, Figures]]:
    """The figures of `scope` in `period` for each grouping in `sets` (each a tuple of dimension names in
    DIMENSIONS order: () for the total, ("kind",), ("category",), ("agency",), ("kind", "category")...).

    Result: set → key → Figures; the key holds the values of the set's dimensions (kind code, category id,
    agency id). The total `()`, when asked for, is always present. Grouped by agency, an agency is on its
    own (not rolled up). Three aggregate statements (four when transfers are asked by agency, which needs a
    second pass over the events, counted by sender: pass `transfers_by_agency=False` when not shown).
    """
    sets = [tuple(name for name in DIMENSIONS if name in s) for s in sets]
    unknown = {name for s in sets for name in s} - set(DIMENSIONS)
    if unknown or any(len(set(s)) != len(s) for s in sets):
        raise ValueError(f"cannot group by {sets}")
    filters = filters or Filters()
    working_days_ready()
    params: dict[str, Any] = {
        "start": period.start,
        "end": period.end,
        "now": now or clock.now(),
        "tz": settings.TIME_ZONE,
        "scope": scope.like_patterns,
        "kind": filters.kind,
        "category": filters.category_id,
    }
    by_agency = [s for s in sets if "agency" in s]
    result: dict[GroupSet, dict[Key, Figures]] = {s: ({(): Figures()} if s == () else {}) for s in sets}

    def at(group: GroupSet, key: Key) -> Figures:
        return result[group].setdefault(key, Figures())

    for group, rows in _timeline(sets, scope, filters, params).items():
        for key, row in rows.items():
            if "agency" in group:
                # An event has one agency, the receiver's: transfers by agency need the sender (below), and
                # rows of agencies outside the scope (kept for their transfers out of it) have nothing else.
                if row[:4] != (0, 0, 0, 0) or row[9]:
                    _set_timeline(at(group, key), row)
            else:
                _set_timeline(at(group, key), row)
                at(group, key).transfers = row[6]
    if by_agency and transfers_by_agency:
        for group, rows in _transfers(by_agency, filters, params, scope).items():
            for key, row in rows.items():
                at(group, key).transfers = row[0]
    for group, rows in _overdue(sets, scope, filters, params).items():
        for key, row in rows.items():
            at(group, key).overdue_now = row[0]
    for group, rows in _ratings(sets, scope, filters, params).items():
        for key, row in rows.items():
            figures = at(group, key)
            figures.ratings, figures.rating_average = row[0], (float(row[1]) if row[1] is not None else None)
            figures.rating_distribution = {score: row[1 + score] for score in range(1, 6)}
    if () in result:
        result[()][()].dialogue_participation = dialogue_participation(scope.paths, period.start, period.end)
    return result


def _set_timeline(figures: Figures, row: tuple[Any, ...]) -> None:
    figures.received, figures.answered, figures.answered_on_time, figures.returns = row[:4]
    figures.median_days, figures.p90_days = row[4], row[5]
    figures.citizen_median_days, figures.answered_transferred = row[7], row[8]
    figures.appeals = row[9]


def report_figures(
    *,
    scope: Scope,
    period: Period,
    filters: Filters | None = None,
    group_by: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> dict[Key, Figures]:
    """The figures of `scope` in `period`, one `Figures` per group of `group_by` (see report_figure_sets);
    without `group_by`, one entry under the key `()`, always present."""
    group = tuple(group_by)
    return report_figure_sets(scope=scope, period=period, sets=[group], filters=filters, now=now)[
        tuple(name for name in DIMENSIONS if name in group)
    ]


def report_summary(*, scope: Scope, period: Period, filters: Filters | None = None) -> Figures:
    """The figures of the whole scope, all groups together."""
    return report_figures(scope=scope, period=period, filters=filters)[()]

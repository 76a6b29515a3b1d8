"""Due-date arithmetic: when must an agency answer, and which days did not count, with why.

Pure: no database, no Django; the same inputs always give the same `DueComputation`, so a due date can be
recomputed (and explained to the citizen) whenever the calendar or a pause changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from caunoi.workflows.types import Period

from .calendar import DayOff, WorkingCalendar

_ONE_DAY = dt.timedelta(days=1)
# Periods are at most 365 days (deadlines.schema.json); examining more than three years of days means the
# inputs are broken (e.g. overrides marking every day off), so fail loudly instead of looping forever.
_MAX_DAYS_EXAMINED = 3 * 366
_PAUSED_REASON = ("Tạm dừng tính thời hạn", "Deadline clock paused")
_UNITS = frozenset({"working_days", "calendar_days"})


@dataclass(frozen=True)
class Pause:
    """The clock stood still on every day d with start <= d < end (end exclusive); end None: still paused.

    `kind` and the reasons say why, in the explanation: "paused" (waiting for the citizen) by default, or e.g.
    "elsewhere" for days another agency held the case."""

    start: dt.date
    end: dt.date | None
    kind: str = "paused"
    reason_vi: str = _PAUSED_REASON[0]
    reason_en: str = _PAUSED_REASON[1]

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class SkippedDay:
    """A day that did not count towards a period, and why."""

    day: dt.date
    kind: str  # weekend | holiday | override | paused
    reason_vi: str
    reason_en: str

    @classmethod
    def from_day_off(cls, day_off: DayOff) -> SkippedDay:
        return cls(day_off.day, day_off.kind, day_off.reason_vi, day_off.reason_en)

    def reason(self, language: str) -> str:
        return self.reason_en if language == "en" else self.reason_vi


@dataclass(frozen=True)
class DueComputation:
    """The result of `compute_due`, with everything needed to explain it.

    `skipped` lists, in date order, the days from received_on + 1 up to the due date that did not count. For a
    calendar-day period that is only paused days plus, when the period was rolled forward, the days passed
    over (starting with `rolled_forward_from` itself, which counted but cannot be the due date).
    """

    received_on: dt.date
    period: Period
    first_counted_day: dt.date | None
    due_date: dt.date | None  # None only while paused: the count ran into a pause that has not ended
    days_counted: int
    skipped: tuple[SkippedDay, ...]
    rolled_forward_from: dt.date | None
    paused: bool

    def as_dict(self, language: str) -> dict[str, Any]:
        """JSON-serialisable form; reasons in `language` ("vi" or "en"; anything else gives Vietnamese)."""
        return {
            "received_on": self.received_on.isoformat(),
            "unit": self.period.unit,
            "days": self.period.days,
            "legal_basis": self.period.legal_basis,
            "first_counted_day": _iso(self.first_counted_day),
            "due_date": _iso(self.due_date),
            "days_counted": self.days_counted,
            "paused": self.paused,
            "rolled_forward_from": _iso(self.rolled_forward_from),
            "skipped": [
                {"date": skipped.day.isoformat(), "kind": skipped.kind, "reason": skipped.reason(language)}
                for skipped in self.skipped
            ],
        }


def compute_due(
    *,
    received_on: dt.date,
    period: Period,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause] = (),
) -> DueComputation:
    """The due date of a `period` that starts with receipt on `received_on`.

    Rules:
    - Counting starts on the day after receipt (Civil Code 2015, art. 147), whatever time and day it arrived.
    - Days inside a pause never count, whatever the unit; a paused day is reported as "paused" even if it is
      also a weekend or holiday (the clock was stopped either way).
    - `working_days`: only working days of `calendar` count; the due date is the Nth counted day.
    - `calendar_days`: every day counts; if the Nth day is not a working day, the period ends on the next
      working day (Civil Code 2015, art. 148) and `rolled_forward_from` keeps the original last day. Pauses
      do not affect the roll-forward: the period has already run out by then.
    - If the count reaches a pause that has not ended (end None) before the Nth day, the due date is unknown:
      due_date is None, paused is True and days_counted says how far the count got.

    Raises ValueError for an unknown unit, a period of fewer than one day, or a count that does not finish
    within three years of days.
    """
    if period.unit not in _UNITS:
        raise ValueError(f"unknown period unit {period.unit!r}")
    if period.days < 1:
        raise ValueError(f"a period must be at least one day, not {period.days}")
    working_days_only = period.unit == "working_days"
    skipped: list[SkippedDay] = []
    first_counted: dt.date | None = None
    counted = 0
    day = received_on
    for _ in range(_MAX_DAYS_EXAMINED):
        day += _ONE_DAY
        pause = next((pause for pause in pauses if pause.covers(day)), None)
        if pause is not None:
            if pause.end is None:
                return DueComputation(
                    received_on=received_on,
                    period=period,
                    first_counted_day=first_counted,
                    due_date=None,
                    days_counted=counted,
                    skipped=tuple(skipped),
                    rolled_forward_from=None,
                    paused=True,
                )
            skipped.append(SkippedDay(day, pause.kind, pause.reason_vi, pause.reason_en))
            continue
        if working_days_only:
            day_off = calendar.day_off(day)
            if day_off is not None:
                skipped.append(SkippedDay.from_day_off(day_off))
                continue
        counted += 1
        if first_counted is None:
            first_counted = day
        if counted == period.days:
            break
    else:
        raise ValueError(
            f"{period.days} {period.unit} from {received_on} did not finish within {_MAX_DAYS_EXAMINED} days"
        )

    due, rolled_forward_from = day, None
    if not working_days_only and not calendar.is_working_day(day):
        rolled_forward_from, due = day, calendar.next_working_day(day)
        # Every day from the original last day up to (not including) the new one is a day off.
        passed_over = (calendar.day_off(rolled_forward_from + n * _ONE_DAY) for n in range((due - day).days))
        skipped.extend(SkippedDay.from_day_off(day_off) for day_off in passed_over if day_off is not None)
    return DueComputation(
        received_on=received_on,
        period=period,
        first_counted_day=first_counted,
        due_date=due,
        days_counted=counted,
        skipped=tuple(skipped),
        rolled_forward_from=rolled_forward_from,
        paused=False,
    )


def count_days(
    *, start: dt.date, end: dt.date, unit: str, calendar: WorkingCalendar, pauses: Sequence[Pause] = ()
) -> int:
    """How many days of a period in `unit` ran from the day after `start` up to `end` inclusive: the days a
    clock started on `start` has used by the end of `end`. Days in a pause never count; for working days,
    only working days count. 0 when `end` is not after `start`."""
    if unit not in _UNITS:
        raise ValueError(f"unknown period unit {unit!r}")
    counted, day = 0, start + _ONE_DAY
    while day <= end:
        if not any(pause.covers(day) for pause in pauses) and (unit == "calendar_days" or calendar.is_working_day(day)):
            counted += 1
        day += _ONE_DAY
    return counted


def add_working_days(start: dt.date, days: int, calendar: WorkingCalendar) -> dt.date:
    """The `days`-th working day after `start` (start itself never counts); `days` must be at least 1.

    For clocks that are not a case's answer period, e.g. the time an agency has to forward an item it is not
    competent for. No pauses: use `compute_due` when pauses matter.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    day, counted = start, 0
    for _ in range(_MAX_DAYS_EXAMINED):
        day += _ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
            if counted == days:
                return day
    raise ValueError(f"{days} working days from {start} did not finish within {_MAX_DAYS_EXAMINED} days")


def nth_working_day_before(day: dt.date, days: int, calendar: WorkingCalendar) -> dt.date:
    """The `days`-th working day before `day` (`day` itself never counts); `days` must be at least 1.

    A date d has at least `days` whole working days after it and before `day` exactly when
    d < nth_working_day_before(day, days): how the sweep tells how many working days late a case is.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    counted = 0
    for n in range(1, _MAX_DAYS_EXAMINED + 1):
        earlier = day - n * _ONE_DAY
        if calendar.is_working_day(earlier):
            counted += 1
            if counted == days:
                return earlier
    raise ValueError(f"{days} working days before {day} did not finish within {_MAX_DAYS_EXAMINED} days")


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()

"""Vietnam's working calendar: which days are working days, and why the others are not.

Pure: no database, no Django. Three sources, strongest first:

1. Overrides (`CalendarEntry`, from workflows/calendars/YEAR.yaml): decisions taken after the `holidays`
   package was released. A `day_off` entry makes any day a day off (compensatory day off, "nghỉ bù"); a
   `working_day` entry makes a Saturday, Sunday or holiday a working day (make-up working day, "làm bù").
2. Public holidays from the `holidays` package, with their Vietnamese and English names. The package also
   knows some swaps decided earlier (e.g. 31/08/2026 off in exchange for working on Saturday 22/08/2026): the
   day off is one of its holidays and the weekend day worked in exchange is in its `weekend_workdays`, which
   we honour as working days too so that a swap is never counted as two days off.
3. Weekends: Saturday and Sunday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays

from caunoi.workflows.types import CalendarEntry

_COUNTRY = "VN"
_SATURDAY, _SUNDAY = 5, 6
_WEEKEND_NAMES = {_SATURDAY: ("Thứ Bảy", "Saturday"), _SUNDAY: ("Chủ nhật", "Sunday")}
_OVERRIDE_KINDS = frozenset({"day_off", "working_day"})
# A run of consecutive days off longer than this can only come from broken overrides; stop rather than loop.
_MAX_DAYS_OFF_IN_A_ROW = 366


@dataclass(frozen=True)
class DayOff:
    """Why `day` is not a working day."""

    day: dt.date
    kind: str  # weekend | holiday | override
    reason_vi: str
    reason_en: str


@dataclass(frozen=True)
class _Year:
    """One year of the `holidays` package's calendar, in both languages."""

    names_vi: dict[dt.date, str]
    names_en: dict[dt.date, str]
    weekend_workdays: frozenset[dt.date]  # weekend days worked in exchange for a day off (may be in another year)


class WorkingCalendar:
    """Answers "is this a working day in Vietnam, and if not, why?" for any date.

    Holiday years are loaded from the `holidays` package on first use and cached for the process, so a
    calendar is cheap to build: one per request is fine.
    """

    def __init__(self, overrides: Iterable[CalendarEntry] = ()) -> None:
        self._overrides: dict[dt.date, CalendarEntry] = {}
        for entry in overrides:
            if entry.kind not in _OVERRIDE_KINDS:
                raise ValueError(f"calendar override for {entry.day} has unknown kind {entry.kind!r}")
            self._overrides[entry.day] = entry  # the loader rejects duplicates; if any slip through, last wins

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_off(day) is None

    def day_off(self, day: dt.date) -> DayOff | None:
        """Why `day` is not a working day, or None when it is one."""
        override = self._overrides.get(day)
        if override is not None:
            if override.kind == "working_day":
                return None
            return DayOff(day, "override", override.reason_vi, override.reason_en)
        year = self._year(day.year)
        # A holiday on a weekend is reported as the holiday: that is the more useful explanation.
        if day in year.names_vi:
            return DayOff(day, "holiday", year.names_vi[day], year.names_en.get(day, year.names_vi[day]))
        if day.weekday() in _WEEKEND_NAMES and not self._is_weekend_workday(day):
            reason_vi, reason_en = _WEEKEND_NAMES[day.weekday()]
            return DayOff(day, "weekend", reason_vi, reason_en)
        return None

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day on or after `day`."""
        candidate = day
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(candidate):
                return candidate
            candidate += dt.timedelta(days=1)
        raise ValueError(f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days of {day}: check the calendar overrides")

    def _is_weekend_workday(self, day: dt.date) -> bool:
        # The package records a swapped weekend workday under the year whose holiday it pays for, which can be
        # the year before or after (31/12/2018 off, paid for by working on Saturday 05/01/2019).
        return any(day in self._year(year).weekend_workdays for year in (day.year - 1, day.year, day.year + 1))

    def _year(self, year: int) -> _Year:
        return _holiday_year(year)


@lru_cache(maxsize=64)
def _holiday_year(year: int) -> _Year:
    """The package's calendar for one year. It never changes while a process runs, so every calendar shares
    one copy: building it costs milliseconds, which intake would otherwise pay on every submission."""
    vi = holidays.country_holidays(_COUNTRY, years=year, language="vi")
    en = holidays.country_holidays(_COUNTRY, years=year, language="en_US")
    return _Year(names_vi=dict(vi.items()), names_en=dict(en.items()), weekend_workdays=frozenset(vi.weekend_workdays))

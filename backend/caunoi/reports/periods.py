"""Report periods: a month, a quarter, a year or a custom range of local (Vietnam) dates.

Written as `2026-07` (month), `2026-Q3` (quarter), `2026` (year); a custom range is two dates. Bounds are
local days: a period covers [first day 00:00, day after the last 00:00) in settings.TIME_ZONE.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from caunoi.core import clock

# Spaces a typed period may carry around it; only ASCII ones, so the API's documented pattern says the same.
ASCII_SPACES = " \t\n\r\f\v"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
MAX_CUSTOM_DAYS = 3 * 366  # a longer range is a mistake more often than a need, and costs a long scan


class PeriodError(ValueError):
    """The period cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year | custom
    first_day: dt.date
    last_day: dt.date  # inclusive

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.first_day:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first_day.year)
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """Exclusive."""
        return local_midnight(self.last_day + dt.timedelta(days=1))

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches."""
        months, month = [], self.first_day.replace(day=1)
        while month <= self.last_day:
            months.append(month)
            month = next_month(month)
        return months


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_period(year: int, month: int) -> Period:
    first = dt.date(year, month, 1)
    return Period("month", first, next_month(first) - dt.timedelta(days=1))


def quarter_period(year: int, quarter: int) -> Period:
    first = dt.date(year, 3 * (quarter - 1) + 1, 1)
    last = next_month(next_month(next_month(first))) - dt.timedelta(days=1)
    return Period("quarter", first, last)


def current_quarter(today: dt.date | None = None) -> Period:
    today = today or clock.local_date()
    return quarter_period(today.year, (today.month - 1) // 3 + 1)


def parse_period(code: str | None, first_day: dt.date | None = None, last_day: dt.date | None = None) -> Period:
    """The period named by `code`, or the custom range [first_day, last_day] when both are given and the code
    is empty or "custom"; the current quarter when nothing is given. Raises PeriodError."""
    code = (code or "").strip(ASCII_SPACES)
    if code in {"", "custom"} and (first_day or last_day):
        if not (first_day and last_day):
            raise PeriodError(_("Give both the first and the last day of the period."))
        if last_day < first_day:
            raise PeriodError(_("The last day must not be before the first day."))
        if (last_day - first_day).days >= MAX_CUSTOM_DAYS:
            raise PeriodError(_("A custom period may be at most three years long."))
        return Period("custom", first_day, last_day)
    if code in {"", "custom"}:
        return current_quarter()
    if match := _MONTH.match(code):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and year >= 2000:
            return month_period(year, month)
    elif match := _QUARTER.match(code):
        if int(match[1]) >= 2000:
            return quarter_period(int(match[1]), int(match[2]))
    elif (match := _YEAR.match(code)) and int(match[1]) >= 2000:
        year = int(match[1])
        return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31))
    raise PeriodError(
        _("Write the period as a month (2026-07), a quarter (2026-Q3) or a year (2026), or give two dates.")
    )

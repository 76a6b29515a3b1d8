"""The one source of "now" and "today" in the portal's time zone, so tests can move time (time-machine)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The calendar date in Vietnam (settings.TIME_ZONE) at `moment` (default: now)."""
    return timezone.localtime(moment or now()).date()


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in the portal's time zone: legal periods end when their last day ends."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)

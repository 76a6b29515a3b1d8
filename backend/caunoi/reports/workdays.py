"""The working-day table behind "days to answer" in working days.

Why a table and not a SQL function: the calendar's truth lives in Python (`caunoi.deadlines`: the
`holidays` package's Vietnamese holidays, its swapped weekend workdays, and the stored overrides), and a
report must count days exactly as the due dates were counted. A PL/pgSQL function would have to repeat
those rules; a table built from the very `WorkingCalendar` that computes due dates cannot disagree with it.
With a running ordinal per day, counting working days between two dates is two hash-join lookups, cheap
enough for millions of answered cases in one statement.

The table spans TABLE_FIRST_YEAR to two years after today and carries a fingerprint of what it was built
from (the overrides, the range, the `holidays` version). Reports call `working_days_ready()`, which
rebuilds it only when the fingerprint changed: after an override is added, or when the year rolls over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from importlib.metadata import version

from django.db import connection, transaction

from caunoi.core import clock
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.selectors import calendar_entries

from .models import WorkingDay, WorkingDayTable

TABLE_FIRST_YEAR = 2010
_YEARS_AHEAD = 2
_LOCK_KEY = 0x5245504F  # "REPO": one builder at a time across processes


def _range() -> tuple[dt.date, dt.date]:
    return dt.date(TABLE_FIRST_YEAR, 1, 1), dt.date(clock.local_date().year + _YEARS_AHEAD, 12, 31)


def _fingerprint(entries: list, first: dt.date, last: dt.date) -> str:
    parts = [first.isoformat(), last.isoformat(), version("holidays")]
    parts += sorted(f"{e.day.isoformat()}:{e.kind}" for e in entries)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def working_days_ready() -> None:
    """Makes sure the WorkingDay table matches the calendar in force; rebuilds it when it does not.

    Costs two small queries when the table is current. Safe to call from several processes at once: the
    rebuild holds a transaction-level advisory lock and re-checks under it.
    """
    entries = calendar_entries()
    first, last = _range()
    wanted = _fingerprint(entries, first, last)
    if WorkingDayTable.objects.filter(fingerprint=wanted).exists():
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        if WorkingDayTable.objects.filter(fingerprint=wanted).exists():
            return
        _rebuild(WorkingCalendar(entries), first, last)
        WorkingDayTable.objects.all().delete()
        WorkingDayTable.objects.create(fingerprint=wanted, first_day=first, last_day=last)


def _rebuild(calendar: WorkingCalendar, first: dt.date, last: dt.date) -> None:
    # One pass over ~6,000 days (not over cases): the calendar answers each day in microseconds.
    rows, ordinal, day = [], 0, first
    while day <= last:
        working = calendar.is_working_day(day)
        ordinal += int(working)
        rows.append(WorkingDay(day=day, is_working=working, ordinal=ordinal))
        day += dt.timedelta(days=1)
    WorkingDay.objects.all().delete()
    WorkingDay.objects.bulk_create(rows, batch_size=2000)

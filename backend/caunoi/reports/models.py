"""A table of days with their running count of working days, so SQL can count working days between two
dates with two index lookups (`ordinal(b) - ordinal(a)`) instead of asking the Python calendar per case.

It is derived data: rebuilt from `caunoi.deadlines` (the `holidays` package plus the stored overrides)
whenever its fingerprint no longer matches (see workdays.py). Nothing else writes to it.
"""

from __future__ import annotations

from django.db import models


class WorkingDay(models.Model):
    day = models.DateField(primary_key=True)
    is_working = models.BooleanField()
    # Working days from the table's first day up to and including `day`: the working days in (a, b] are
    # ordinal(b) - ordinal(a), which is how compute_due counts (receipt day excluded, due day included).
    ordinal = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day} #{self.ordinal}{'' if self.is_working else ' off'}"


class WorkingDayTable(models.Model):
    """One row: what the WorkingDay rows were built from, so a stale table is noticed and rebuilt."""

    fingerprint = models.CharField(max_length=64)
    first_day = models.DateField()
    last_day = models.DateField()
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"working days {self.first_day}–{self.last_day}"

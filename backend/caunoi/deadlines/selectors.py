"""Reads of the calendar in force."""

from __future__ import annotations

from caunoi.workflows.types import CalendarEntry

from .calendar import WorkingCalendar
from .models import CalendarOverride


def calendar_entries() -> list[CalendarEntry]:
    return [
        CalendarEntry(row.day, row.kind, row.reason_vi, row.reason_en)
        for row in CalendarOverride.objects.all().only("day", "kind", "reason_vi", "reason_en")
    ]


def calendar_in_force() -> WorkingCalendar:
    """The working calendar: weekends, Vietnam's public holidays, and the overrides stored in the database."""
    return WorkingCalendar(calendar_entries())

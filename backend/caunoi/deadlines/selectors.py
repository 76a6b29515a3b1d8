"""Reads of the calendar in force."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from caunoi.core.versioned_cache import VersionedCache
from caunoi.workflows.types import CalendarEntry

from .calendar import WorkingCalendar
from .models import CalendarOverride


def calendar_entries() -> list[CalendarEntry]:
    return [
        CalendarEntry(row.day, row.kind, row.reason_vi, row.reason_en)
        for row in CalendarOverride.objects.all().only("day", "kind", "reason_vi", "reason_en")
    ]


# Every submission computes a due date; the overrides change a few times a year.
calendar_cache = VersionedCache("calendar", lambda: WorkingCalendar(calendar_entries()))


def calendar_in_force() -> WorkingCalendar:
    """The working calendar: weekends, Vietnam's public holidays, and the overrides stored in the database."""
    return calendar_cache.get()


def _changed(**kwargs: object) -> None:
    calendar_cache.invalidate()


post_save.connect(_changed, sender=CalendarOverride, dispatch_uid="calendar-override-save")
post_delete.connect(_changed, sender=CalendarOverride, dispatch_uid="calendar-override-delete")

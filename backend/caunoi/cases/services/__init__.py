"""Writes to cases. Each service runs in one transaction and records its CaseEvents."""

from .calendar import calendar_override_add, calendar_sync_from_workflows, recompute_due_dates
from .clock import ClockAlreadyPaused, ClockNotPaused, case_clock_pause, case_clock_resume
from .submission import Contact, Submitted, case_submit, hash_token

__all__ = [
    "ClockAlreadyPaused",
    "ClockNotPaused",
    "Contact",
    "Submitted",
    "calendar_override_add",
    "calendar_sync_from_workflows",
    "case_clock_pause",
    "case_clock_resume",
    "case_submit",
    "hash_token",
    "recompute_due_dates",
]

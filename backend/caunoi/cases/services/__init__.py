"""Writes to cases. Each service runs in one transaction and records its CaseEvents.

Lock order (so two services never wait on each other in opposite orders): the case row first
(`lifecycle.lock`), then rows that belong to it (clock segments, pauses, extensions, answer versions), then any
other case (the primary in `case_link_duplicate`). The deadline sweep takes no row locks: its marks' unique
index serialises two sweeps.
"""

from .answering import case_approve, case_reject
from .calendar import calendar_override_add, calendar_sync_from_workflows, recompute_due_dates
from .citizen import case_citizen_reply, case_rate, case_request_info
from .clock import ClockAlreadyPaused, ClockNotPaused, case_clock_pause, case_clock_resume
from .handling import (
    case_answer_draft,
    case_assign,
    case_claim,
    case_extend,
    case_note_add,
    case_return,
    case_submit_for_review,
)
from .lifecycle import InvalidTransition
from .movement import case_link_duplicate, case_split, case_transfer
from .submission import Contact, Submitted, case_submit, hash_token

__all__ = [
    "ClockAlreadyPaused",
    "ClockNotPaused",
    "Contact",
    "InvalidTransition",
    "Submitted",
    "calendar_override_add",
    "calendar_sync_from_workflows",
    "case_answer_draft",
    "case_approve",
    "case_assign",
    "case_citizen_reply",
    "case_claim",
    "case_clock_pause",
    "case_clock_resume",
    "case_extend",
    "case_link_duplicate",
    "case_note_add",
    "case_rate",
    "case_reject",
    "case_request_info",
    "case_return",
    "case_split",
    "case_submit",
    "case_submit_for_review",
    "case_transfer",
    "hash_token",
    "recompute_due_dates",
]

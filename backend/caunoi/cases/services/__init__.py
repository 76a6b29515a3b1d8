"""Writes to cases. Each service runs in one transaction and records its CaseEvents.

Transactions: the services a view, consumer or task calls run through `core.transactions.service_transaction`
(durable: never inside a caller's transaction; retried on a deadlock or serialisation failure, then logged as
an error). `case_submit` and the clock services are also called inside other services' transactions.

Lock order of the cases app (so two services never wait on each other in opposite orders):
1. the cases a service is named for, in id order (`lifecycle.lock`, `lifecycle.lock_in_order`: linking A to
   B while someone links B to A makes the second wait, then refuses);
2. rows that belong to them (clock segments, pauses, extensions, answer versions);
3. other cases reached from them: a primary's open duplicates, in id order (answering.py); the case's own
   duplicates when it is merged (movement.py); a split part's whole, after the part (answering.py
   `_complete_split`), then the whole's duplicates.
Case locks are FOR UPDATE OF the case row only: joined rows (the agency) are read, never locked. The deadline
sweep takes no row locks: its marks' unique index serialises two sweeps.
"""

from .answering import case_approve, case_reject
from .appeal import AppealRefused, case_appeal
from .calendar import calendar_override_add, calendar_sync_from_workflows, recompute_due_dates
from .citizen import case_citizen_message, case_citizen_reply, case_rate, case_request_info
from .clock import ClockAlreadyPaused, ClockNotPaused, case_clock_pause, case_clock_resume
from .flood import NotHeld, case_release_hold
from .handling import (
    DraftConflict,
    case_answer_autosave,
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
    "AppealRefused",
    "ClockAlreadyPaused",
    "ClockNotPaused",
    "Contact",
    "DraftConflict",
    "InvalidTransition",
    "NotHeld",
    "Submitted",
    "calendar_override_add",
    "calendar_sync_from_workflows",
    "case_answer_autosave",
    "case_answer_draft",
    "case_appeal",
    "case_approve",
    "case_assign",
    "case_citizen_message",
    "case_citizen_reply",
    "case_claim",
    "case_clock_pause",
    "case_clock_resume",
    "case_extend",
    "case_link_duplicate",
    "case_note_add",
    "case_rate",
    "case_reject",
    "case_release_hold",
    "case_request_info",
    "case_return",
    "case_split",
    "case_submit",
    "case_submit_for_review",
    "case_transfer",
    "hash_token",
    "recompute_due_dates",
]

"""Pausing and resuming a case's clock while the agency waits for the citizen."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.core import clock
from caunoi.core.errors import ApplicationError
from caunoi.deadlines.compute import DueComputation

from ..events import record
from ..models import Case, EventType, Pause
from .deadline import refresh_due
from .lifecycle import lock


class ClockAlreadyPaused(ApplicationError):
    status_code = 409


class ClockNotPaused(ApplicationError):
    status_code = 409


def pause_clock(case: Case, *, reason: str = "") -> None:
    """Stops a locked case's clock from today; its due date is unknown until it resumes. Saves the case."""
    if case.pauses.filter(ended_on__isnull=True).exists():
        raise ClockAlreadyPaused(_("The clock of this case is already paused."))
    Pause.objects.create(case=case, started_on=clock.local_date(), reason=reason)
    case.due_at = None
    case.save(update_fields=["due_at", "status", "updated_at"])


def resume_clock(case: Case) -> DueComputation:
    """Restarts a locked case's clock from today; the paused days do not count. Saves the case."""
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        raise ClockNotPaused(_("The clock of this case is not paused."))
    pause.ended_on = max(clock.local_date(), pause.started_on)
    pause.save(update_fields=["ended_on"])
    computation = refresh_due(case)
    case.save(update_fields=["due_at", "due_explanation", "status", "updated_at"])
    return computation


@transaction.atomic
def case_clock_pause(*, case: Case, by: User | None, reason: str = "") -> Case:
    """Stops the clock from today. Raises ClockAlreadyPaused."""
    case = lock(case)
    pause_clock(case, reason=reason)
    record(case, EventType.CLOCK_PAUSED, actor=by, payload={"reason": reason})
    return case


@transaction.atomic
def case_clock_resume(*, case: Case, by: User | None) -> Case:
    """Restarts the clock from today and recomputes the due date. Raises ClockNotPaused."""
    case = lock(case)
    computation = resume_clock(case)
    due_date = computation.due_date.isoformat() if computation.due_date else None
    record(case, EventType.CLOCK_RESUMED, actor=by, payload={"due_date": due_date})
    return case

"""Pausing and resuming a case's clock while the agency waits for the citizen."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.core import clock
from caunoi.core.errors import ApplicationError
from caunoi.deadlines.selectors import calendar_in_force

from ..events import record
from ..models import Case, EventType, Pause
from .deadline import case_due_computation, due_at, explanation


class ClockAlreadyPaused(ApplicationError):
    pass


class ClockNotPaused(ApplicationError):
    pass


@transaction.atomic
def case_clock_pause(*, case: Case, by: User | None, reason: str = "") -> Case:
    """Stops the clock from today; the due date is unknown until it resumes. Raises ClockAlreadyPaused."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.pauses.filter(ended_on__isnull=True).exists():
        raise ClockAlreadyPaused(_("The clock of this case is already paused."))
    Pause.objects.create(case=case, started_on=clock.local_date(), reason=reason)
    case.due_at = None
    case.save(update_fields=["due_at", "updated_at"])
    record(case, EventType.CLOCK_PAUSED, actor=by, payload={"reason": reason})
    return case


@transaction.atomic
def case_clock_resume(*, case: Case, by: User | None) -> Case:
    """Restarts the clock from today and recomputes the due date, the paused days not counting.

    Raises ClockNotPaused."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    pause = case.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        raise ClockNotPaused(_("The clock of this case is not paused."))
    pause.ended_on = max(clock.local_date(), pause.started_on)
    pause.save(update_fields=["ended_on"])
    computation = case_due_computation(case, calendar=calendar_in_force())
    case.due_at = due_at(computation)
    case.due_explanation = explanation(computation)
    case.save(update_fields=["due_at", "due_explanation", "updated_at"])
    due_date = computation.due_date.isoformat() if computation.due_date else None
    record(case, EventType.CLOCK_RESUMED, actor=by, payload={"due_date": due_date})
    return case

"""Due-date computation for a case: the policy version it opened under, its pauses, the calendar in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caunoi.core import clock
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.compute import DueComputation, Pause, compute_due
from caunoi.workflows.registry import workflows

from ..models import Case


def case_due_computation(case: Case, *, calendar: WorkingCalendar, pauses: list[Pause] | None = None) -> DueComputation:
    period = workflows().deadlines[case.deadline_version].kinds[case.kind]
    if pauses is None:
        pauses = [Pause(p.started_on, p.ended_on) for p in case.pauses.all()]
    return compute_due(received_on=case.clock_started_on, period=period, calendar=calendar, pauses=pauses)


def explanation(computation: DueComputation) -> dict[str, Any]:
    """Stored with the case so the official's page and the API show how its due date was reached."""
    return {"vi": computation.as_dict("vi"), "en": computation.as_dict("en")}


def due_at(computation: DueComputation) -> dt.datetime | None:
    """A period ends when its last day ends (Vietnam time); None while the clock is paused."""
    return clock.end_of_local_day(computation.due_date) if computation.due_date else None

"""Due-date computation for a case: the policy version it opened under, its pauses and extensions, the
calendar in force."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from caunoi.core import clock
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.compute import DueComputation, Pause, add_working_days, compute_due
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.workflows.registry import workflows

from ..models import Case


def case_due_computation(case: Case, *, calendar: WorkingCalendar, pauses: list[Pause] | None = None) -> DueComputation:
    """The due date of the case's current clock: its period (the kind's, or the appeal's in stage 2) plus
    approved extensions, pauses not counting.

    Pauses before the clock (re)started, e.g. at a previous agency, cannot matter: counting starts after it.
    """
    policy = workflows().deadlines[case.deadline_version]
    # The second stage (an appeal) has its own period; case_appeal sets a deadline version that has one.
    appeal = policy.appeal if case.stage >= 2 else None
    period = appeal.handling if appeal is not None else policy.kinds[case.kind]
    # A case being created (intake, split parts) has no extensions or pauses yet: no query for them.
    stored = not case._state.adding
    extra = (
        sum(case.extensions.filter(clock_started_on=case.clock_started_on).values_list("days", flat=True))
        if stored
        else 0
    )
    if extra:
        period = dataclasses.replace(period, days=period.days + extra)
    if pauses is None:
        pauses = [Pause(p.started_on, p.ended_on) for p in case.pauses.all()] if stored else []
    return compute_due(received_on=case.clock_started_on, period=period, calendar=calendar, pauses=pauses)


def explanation(computation: DueComputation) -> dict[str, Any]:
    """Stored with the case so the official's page and the API show how its due date was reached."""
    return {"vi": computation.as_dict("vi"), "en": computation.as_dict("en")}


def due_at(computation: DueComputation) -> dt.datetime | None:
    """A period ends when its last day ends (Vietnam time); None while the clock is paused."""
    return clock.end_of_local_day(computation.due_date) if computation.due_date else None


def refresh_due(case: Case) -> DueComputation:
    """Recomputes and sets (unsaved) the case's due date and its explanation."""
    computation = case_due_computation(case, calendar=calendar_in_force())
    case.due_at = due_at(computation)
    case.due_explanation = explanation(computation)
    return computation


def forwarding_deadline(case: Case, arrived_on: dt.date) -> dt.date:
    """The last day an agency that is not competent may forward the case (5 working days, Decree 20/2008)."""
    period = workflows().deadlines[case.deadline_version].forwarding
    return add_working_days(arrived_on, period.days, calendar_in_force())

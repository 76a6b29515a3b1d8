"""Due-date computation for a case: the policy version it opened under, the holding agency's clock (see
`cases/clocks.py`), its pauses and extensions, the calendar in force.

`refresh_due` is the one function that sets a case's due date (transfer, extension, resuming a paused clock,
an appeal...; intake and the calendar recompute use `apply_due`, its bulk-friendly half). The sweep's marks
name the date they were made for (`SweepMark.due_on`), so every new date is swept afresh: setting it is all a
new path has to do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from caunoi.core import clock
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.compute import DueComputation, Pause, add_working_days, compute_due
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.workflows.registry import workflows

from ..clocks import case_period, elsewhere_pauses, extension_days, pauses_of, segments_of
from ..models import Case


def case_due_computation(case: Case, *, calendar: WorkingCalendar, pauses: list[Pause] | None = None) -> DueComputation:
    """The due date of the holding agency's clock: its legal period plus the extensions granted on that clock,
    counted from the agency's first arrival (`clock_started_on`), the days the case waited for the citizen and
    the days other agencies held it not counting. In an appeal's second stage (`stage` 2) the period is the
    policy's `appeal.handling`, counted from the appeal (case_appeal restarts the clock).

    Pauses before the clock started, e.g. at a previous agency, cannot matter: counting starts after it.
    """
    period = case_period(case)
    extra = extension_days(case)
    if extra:
        period = dataclasses.replace(period, days=period.days + extra)
    if pauses is None:
        pauses = pauses_of(case)
    pauses = [*pauses, *elsewhere_pauses(segments_of(case), case.agency_id)]
    return compute_due(received_on=case.clock_started_on, period=period, calendar=calendar, pauses=pauses)


def explanation(computation: DueComputation, *, extension: int = 0) -> dict[str, Any]:
    """Stored with the case so the official's page and the API show how its due date was reached.

    `days` is the number of days counted (the legal period plus extensions); `legal_days` the legal period
    alone and `extension_days` the extensions, so a page never cites the extended total as the legal period.
    """
    parts = {"legal_days": computation.period.days - extension, "extension_days": extension}
    return {"vi": {**computation.as_dict("vi"), **parts}, "en": {**computation.as_dict("en"), **parts}}


def due_at(computation: DueComputation) -> dt.datetime | None:
    """A period ends when its last day ends (Vietnam time); None while the clock is paused."""
    return clock.end_of_local_day(computation.due_date) if computation.due_date else None


def apply_due(case: Case, computation: DueComputation) -> None:
    """Sets (unsaved) the case's due date and its explanation from `computation`."""
    case.due_at = due_at(computation)
    case.due_explanation = explanation(computation, extension=extension_days(case))


def refresh_due(case: Case) -> DueComputation:
    """Recomputes and sets (unsaved) the case's due date and its explanation: the one function that sets a
    due date. Other code may call it to recompute (a stored due date always equals a fresh recompute)."""
    computation = case_due_computation(case, calendar=calendar_in_force())
    apply_due(case, computation)
    return computation


def forwarding_deadline(case: Case, arrived_on: dt.date) -> dt.date:
    """The last day an agency that is not competent may forward the case (5 working days, Decree 20/2008)."""
    period = workflows().deadlines[case.deadline_version].forwarding
    return add_working_days(arrived_on, period.days, calendar_in_force())

"""A case's two clocks, derived from its clock segments (`ClockSegment`: which agency held it, from when to
when) and its pauses (`Pause`: when it waited for the citizen).

- The citizen's clock runs from the first receipt and is never restarted: how long the citizen has waited.
- An agency's clock starts the first day the agency held the case (a lawful forward to an agency that never
  held it starts that agency's own period, Decree 20/2008) and counts only the days it held it: the days
  between two of its holdings, when another agency had the case, do not count (they are passed to the
  arithmetic as pauses of kind "elsewhere"). So a case transferred back continues the agency's earlier
  clock, and transferring back and forth cannot hide lateness.
`Case.due_at` is the holding agency's clock's due date (`services/deadline.py` computes it); the sweep, the
work queue's "overdue", the reports and the public league all read it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from caunoi.core import clock
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.compute import Pause, compute_due, count_days
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.workflows.registry import workflows
from caunoi.workflows.types import Period

from .models import Case, ClockSegment

_ONE_DAY = dt.timedelta(days=1)
ELSEWHERE_REASON = ("Hồ sơ do cơ quan khác giữ", "Held by another agency")


def case_period(case: Case) -> Period:
    """The legal period of the holding agency's current clock: the case's kind's, or in an appeal's second
    stage the policy's `appeal.handling` (case_appeal moves the case to a policy version that has one)."""
    policy = workflows().deadlines[case.deadline_version]
    if case.stage >= 2 and policy.appeal is not None:
        return policy.appeal.handling
    return policy.kinds[case.kind]


def segments_of(case: Case) -> list[ClockSegment]:
    """The case's holdings in order (prefetched ones are used as they are); none for an unsaved case."""
    if case._state.adding:
        return []
    return sorted(case.clock_segments.all(), key=lambda s: (s.started_on, s.pk or 0))


def pauses_of(case: Case) -> list[Pause]:
    if case._state.adding:
        return []
    return [Pause(p.started_on, p.ended_on) for p in case.pauses.all()]


def agency_clock_start(segments: Sequence[ClockSegment], agency_id: int) -> dt.date | None:
    """The first day `agency_id` held the case: its clock's start (None if it never held it)."""
    return next((s.started_on for s in segments if s.agency_id == agency_id), None)


def elsewhere_pauses(segments: Sequence[ClockSegment], agency_id: int) -> list[Pause]:
    """The days between two holdings of `agency_id`, when others had the case: they do not count on its clock.

    A holding that ended on day T (the transfer's day, which still counted for the sender) followed by one that
    started on day R (the arrival; counting restarts the day after, Civil Code art. 147) leaves out T+1..R."""
    mine = [s for s in segments if s.agency_id == agency_id]
    gaps = []
    for before, after in itertools.pairwise(mine):
        if before.ended_on is None:  # cannot happen with one open holding per case; be safe
            continue
        gaps.append(
            Pause(
                before.ended_on + _ONE_DAY,
                max(after.started_on, before.ended_on) + _ONE_DAY,
                kind="elsewhere",
                reason_vi=ELSEWHERE_REASON[0],
                reason_en=ELSEWHERE_REASON[1],
            )
        )
    return gaps


def extension_days(case: Case) -> int:
    """Days added by extensions granted on the holding agency's clock."""
    if case._state.adding:
        return 0
    return sum(e.days for e in case.extensions.all() if e.clock_started_on == case.clock_started_on)


def _until(case: Case, today: dt.date) -> dt.date:
    return clock.local_date(case.closed_at) if case.closed_at else today


def case_clocks(case: Case, *, today: dt.date | None = None, calendar: WorkingCalendar | None = None) -> dict[str, Any]:
    """Both clocks of a case, for the staff page, the track page and the API (JSON-serialisable; ISO dates).

    citizen: received_on, unit, legal_days, legal_basis, legal_due_date (the legal period from the first
    receipt, pauses for the citizen not counting, without extensions), days_elapsed (days of the unit used
    since receipt, up to today or the answer), transfers, agencies (how many agencies held it).
    agency: code, name, started_on (its first arrival), holdings (how many times it held the case),
    days_used, legal_days, extension_days, due_date (None while paused)."""
    calendar = calendar or calendar_in_force()
    today = today or clock.local_date()
    until = _until(case, today)
    period = workflows().deadlines[case.deadline_version].kinds[case.kind]
    segments = segments_of(case)
    pauses = pauses_of(case)
    received_on = clock.local_date(case.received_at)
    legal = compute_due(received_on=received_on, period=period, calendar=calendar, pauses=pauses)
    mine = [s for s in segments if s.agency_id == case.agency_id]
    started_on = agency_clock_start(segments, case.agency_id) or case.clock_started_on
    agency_pauses = [*pauses, *elsewhere_pauses(segments, case.agency_id)]
    due_date = case.due_explanation.get("vi", {}).get("due_date") if case.due_explanation else None
    return {
        "citizen": {
            "received_on": received_on.isoformat(),
            "unit": period.unit,
            "legal_days": period.days,
            "legal_basis": period.legal_basis,
            "legal_due_date": legal.due_date.isoformat() if legal.due_date else None,
            "days_elapsed": count_days(
                start=received_on, end=until, unit=period.unit, calendar=calendar, pauses=pauses
            ),
            "transfers": max(len(segments) - 1, 0),
            "agencies": len({s.agency_id for s in segments}) or 1,
        },
        "agency": {
            "code": case.agency.code,
            "name": case.agency.display_name,
            "started_on": started_on.isoformat(),
            "holdings": len(mine) or 1,
            "days_used": count_days(
                start=started_on, end=until, unit=period.unit, calendar=calendar, pauses=agency_pauses
            ),
            "legal_days": case_period(case).days,
            "extension_days": extension_days(case),
            "due_date": due_date,
        },
    }

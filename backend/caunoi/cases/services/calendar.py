"""Changes to the working calendar, and the due dates of open cases that they move."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Prefetch, Q

from caunoi.deadlines.compute import Pause as PauseSpan
from caunoi.deadlines.models import CalendarOverride
from caunoi.deadlines.selectors import calendar_cache, calendar_in_force
from caunoi.workflows.registry import workflows

from ..events import build_event
from ..models import Case, CaseEvent, EventType, Pause
from .deadline import apply_due, case_due_computation, due_at


@dataclass(frozen=True)
class CalendarChange:
    added: int
    updated: int
    removed: int
    cases_moved: int


def _final_states() -> set[str]:
    return {name for lc in workflows().lifecycles.values() for name, s in lc.states.items() if s.final}


def _open_cases_spanning(days: set[dt.date]) -> list[Case]:
    """Open, running cases whose counting window contains one of `days`: only those can move."""
    if not days:
        return []
    spans = reduce(or_, (Q(clock_started_on__lt=day, due_at__date__gte=day) for day in days))
    return list(
        Case.objects.filter(spans, due_at__isnull=False)
        .exclude(status__in=_final_states())
        .prefetch_related(
            Prefetch("pauses", queryset=Pause.objects.order_by("started_on")), "clock_segments", "extensions"
        )
    )


def recompute_due_dates(changed_days: set[dt.date], *, reason: dict[str, str]) -> int:
    """Recomputes the due dates of open cases affected by calendar changes on `changed_days`.

    Records a deadline_recomputed event on each case whose due date moved; returns how many moved.
    """
    calendar = calendar_in_force()
    moved: list[Case] = []
    events: list[CaseEvent] = []
    for case in _open_cases_spanning(changed_days):
        pauses = [PauseSpan(p.started_on, p.ended_on) for p in case.pauses.all()]
        computation = case_due_computation(case, calendar=calendar, pauses=pauses)
        if due_at(computation) == case.due_at:
            continue
        old_date = case.due_explanation.get("vi", {}).get("due_date")
        apply_due(case, computation)
        moved.append(case)
        new_date = computation.due_date.isoformat() if computation.due_date else None
        events.append(
            build_event(
                case, EventType.DEADLINE_RECOMPUTED, payload={"old_due_date": old_date, "due_date": new_date, **reason}
            )
        )
    Case.objects.bulk_update(moved, ["due_at", "due_explanation"], batch_size=500)
    CaseEvent.objects.bulk_create(events, batch_size=500)
    return len(moved)


@transaction.atomic
def calendar_override_add(*, day: dt.date, kind: str, reason_vi: str, reason_en: str) -> CalendarChange:
    """Adds (or replaces) an administrator's calendar override and moves the due dates it affects."""
    _row, created = CalendarOverride.objects.update_or_create(
        day=day,
        defaults={
            "kind": kind,
            "reason_vi": reason_vi,
            "reason_en": reason_en,
            "source": CalendarOverride.Source.ADMIN,
        },
    )
    moved = recompute_due_dates({day}, reason={"reason_vi": reason_vi, "reason_en": reason_en})
    return CalendarChange(int(created), int(not created), 0, moved)


@transaction.atomic
def calendar_sync_from_workflows() -> CalendarChange:
    """Makes the stored overrides from /workflows/calendars match the files, then moves affected due dates.

    Administrators' own overrides are left alone. Running it twice changes nothing the second time.
    """
    wanted = {entry.day: entry for entry in workflows().calendar}
    stored = {row.day: row for row in CalendarOverride.objects.select_for_update()}
    changed: set[dt.date] = set()
    added = updated = removed = 0
    for day, entry in wanted.items():
        row = stored.get(day)
        values = {"kind": entry.kind, "reason_vi": entry.reason_vi, "reason_en": entry.reason_en}
        if row is None:
            CalendarOverride.objects.create(day=day, source=CalendarOverride.Source.WORKFLOWS, **values)
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()) or row.source != CalendarOverride.Source.WORKFLOWS:
            CalendarOverride.objects.filter(pk=row.pk).update(source=CalendarOverride.Source.WORKFLOWS, **values)
            updated += 1
        else:
            continue
        changed.add(day)
    for day, row in stored.items():
        if day not in wanted and row.source == CalendarOverride.Source.WORKFLOWS:
            row.delete()
            removed += 1
            changed.add(day)
    if changed:
        calendar_cache.invalidate()  # queryset updates send no signals
    reason = {"reason_vi": "Cập nhật lịch làm việc", "reason_en": "Working calendar updated"}
    moved = recompute_due_dates(changed, reason=reason)
    return CalendarChange(added, updated, removed, moved)

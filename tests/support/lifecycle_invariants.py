"""Invariants of the case lifecycle, checked against the database as it is (issue 13's model-based proof).

Each checker reads what it needs in a few bulk queries and returns a list of violations, one readable
sentence each (empty when the invariant holds), so a failing model run says what broke and where. They are
used after every step of tests/integration/test_case_lifecycle_model.py, and tests/integration/
test_lifecycle_invariant_checkers.py shows that each one reports a violation built on purpose.

The invariants, as the issue states them:
- queues: each open case is in exactly the queues it belongs to (the queues of the staff whose reach holds
  its agency, unless it is a duplicate waiting for its open primary's answer);
- due_dates: each stored due date equals a fresh recompute from the policy and the calendar;
- notifications: every threshold (reminders, overdue, late cadence) of every deadline is notified exactly
  once; alerts: and each notice reaches a person (a message is queued for someone);
- clocks: no open case without a running or paused clock;
- askers: every asker of an answered case (duplicates, split parts) has the answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from caunoi.accounts.models import Role, User
from caunoi.agencies.models import Agency
from caunoi.agencies.selectors import agency_ids_in_reach
from caunoi.cases.clocks import case_period, elsewhere_pauses
from caunoi.cases.models import AnswerVersion, Case, CaseEvent, ClockSegment, EventType, Extension, Pause
from caunoi.cases.queue import MAX_LIMIT, Cursor, QueueFilters, case_list_for_queue
from caunoi.core import clock
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.compute import Pause as PauseSpan
from caunoi.deadlines.compute import add_working_days, compute_due
from caunoi.deadlines.selectors import calendar_entries
from caunoi.notifications.models import Notification
from caunoi.workflows.registry import workflows
from django.db.models import Exists, OuterRef

# The thresholds of the answer's deadline, as the sweep names them.
ANSWER_MARK = re.compile(r"remind:\d+|overdue|late:\d+")
INVARIANTS = ("queues", "due_dates", "notifications", "alerts", "clocks", "askers")
ANSWERED, REJECTED = "answered", "rejected"
SWEEP_EVENTS = {EventType.REMINDED: "staff_reminder", EventType.OVERDUE: "staff_escalation",
                EventType.LATE_UPDATE: "late_status_update"}  # fmt: skip


CASE_FIELDS = ("kind", "status", "lifecycle_version", "deadline_version", "clock_started_on", "due_at", "closed_at",
               "agency", "contact_email", "duplicate_of", "split_from", "stage")  # fmt: skip


def load_cases() -> list[Case]:
    """Every case with what the checkers read, and whether its clock has an open pause: one query, shared
    by the checkers of one step."""
    paused = Exists(Pause.objects.filter(case=OuterRef("pk"), ended_on__isnull=True))
    return list(Case.objects.annotate(paused=paused).only(*CASE_FIELDS).order_by("pk"))


def fresh_calendar() -> WorkingCalendar:
    """The calendar as stored now, read past the per-process copy: a stale copy is a violation to find."""
    return WorkingCalendar(calendar_entries())


# -- queues -------------------------------------------------------------------------------------------------


def belongs_in_a_queue(case: Case, open_ids: set[int]) -> bool:
    """An open case is work for its agency unless another case's answer will close it: a duplicate waits
    for its open primary. A duplicate whose primary closed without answering it is work again. A split case
    stays in its agency's queue beside its parts: it is the case its citizen follows and its agency
    oversees (notes, the combined answer)."""
    return case.duplicate_of_id is None or case.duplicate_of_id not in open_ids


def queue_violations(staff: Iterable[User], cases: list[Case] | None = None) -> list[str]:
    """Compares each staff member's work queue (the selector the page and the API use, every page) with the
    open cases of the agencies in their reach that belong in a queue."""
    cases = load_cases() if cases is None else cases
    open_cases = [c for c in cases if c.closed_at is None]
    open_ids = {c.pk for c in open_cases}
    queued = [c for c in open_cases if belongs_in_a_queue(c, open_ids)]
    queued_ids = {c.pk for c in queued}
    all_agencies = set(Agency.objects.values_list("pk", flat=True))
    violations = []
    for user in staff:
        reach = all_agencies if user.role == Role.ADMIN else set(agency_ids_in_reach(user))
        expected = {c.pk for c in queued if c.agency_id in reach}
        shown = _whole_queue(user)
        for case_id in sorted(expected - shown):
            violations.append(f"queues: open case {case_id} is missing from {user.username}'s queue")
        for case_id in sorted(shown - expected):
            if case_id not in open_ids:
                why = "closed"
            elif case_id not in queued_ids:
                why = "waiting for another case's answer"
            else:
                why = "outside their agencies"
            violations.append(f"queues: case {case_id} is in {user.username}'s queue but is {why}")
    return violations


def _whole_queue(user: User) -> set[int]:
    shown: set[int] = set()
    after = None
    while True:
        page = case_list_for_queue(user=user, filters=QueueFilters(), after=after, limit=MAX_LIMIT)
        shown.update(row.pk for row in page.rows)
        if page.next_cursor is None:
            return shown
        after = Cursor.decode(page.next_cursor)


# -- due dates ----------------------------------------------------------------------------------------------


def recomputed_due_at(
    case: Case, *, calendar: WorkingCalendar, pauses: list[PauseSpan], extension_days: int
) -> dt.datetime | None:
    """The due moment of the holding agency's clock from first principles: its kind's period under the policy
    version it opened under, plus the extensions granted on this clock, counted from the agency's first
    arrival, `pauses` (the citizen's, and the days other agencies held the case) not counting."""
    period = case_period(case)  # the kind's, or in an appeal's second stage the policy's appeal period
    period = dataclasses.replace(period, days=period.days + extension_days)
    computation = compute_due(received_on=case.clock_started_on, period=period, calendar=calendar, pauses=pauses)
    return clock.end_of_local_day(computation.due_date) if computation.due_date else None


def due_date_violations(calendar: WorkingCalendar | None = None, cases: list[Case] | None = None) -> list[str]:
    """Every open case's stored due_at against a fresh recompute (NULL while paused). Four queries."""
    cases = [c for c in (load_cases() if cases is None else cases) if c.closed_at is None]
    ids = [c.pk for c in cases]
    pauses: dict[int, list[PauseSpan]] = {}
    for p in Pause.objects.filter(case_id__in=ids).order_by("started_on", "id"):
        pauses.setdefault(p.case_id, []).append(PauseSpan(p.started_on, p.ended_on))
    segments: dict[int, list[ClockSegment]] = {}
    for segment in ClockSegment.objects.filter(case_id__in=ids).order_by("started_on", "id"):
        segments.setdefault(segment.case_id, []).append(segment)
    extensions: Counter[tuple[int, dt.date]] = Counter()
    for case_id, started_on, days in Extension.objects.filter(case_id__in=ids).values_list(
        "case_id", "clock_started_on", "days"
    ):
        extensions[(case_id, started_on)] += days
    calendar = calendar or fresh_calendar()
    violations = []
    for case in cases:
        expected = recomputed_due_at(
            case,
            calendar=calendar,
            pauses=[*pauses.get(case.pk, []), *elsewhere_pauses(segments.get(case.pk, []), case.agency_id)],
            extension_days=extensions[(case.pk, case.clock_started_on)],
        )
        if expected != case.due_at:
            violations.append(
                f"due_dates: case {case.pk} stores due {_day(case.due_at)}, a fresh recompute gives {_day(expected)}"
            )
    return violations


def _day(moment: dt.datetime | None) -> str:
    return "none (paused)" if moment is None else clock.local_date(moment).isoformat()


# -- clocks -------------------------------------------------------------------------------------------------


def clock_violations(cases: list[Case] | None = None) -> list[str]:
    """An open case has a running clock (a due date, no open pause) or a paused one (an open pause, no due
    date) as its lifecycle state says; a case is closed exactly when its state is final."""
    lifecycles = workflows().lifecycles
    violations = []
    for case in load_cases() if cases is None else cases:
        state = lifecycles[case.lifecycle_version].states[case.status]
        where = f"clocks: case {case.pk} ({case.status})"
        if case.closed_at is not None:
            if not state.final:
                violations.append(f"{where} is closed in a state that is not final")
            continue
        if state.final:
            violations.append(f"{where} is open in a final state, with no clock")
        elif state.clock == "running" and (case.due_at is None or case.paused):
            violations.append(f"{where} should have a running clock: due {case.due_at}, open pause {case.paused}")
        elif state.clock == "paused" and (case.due_at is not None or not case.paused):
            violations.append(f"{where} should have a paused clock: due {case.due_at}, open pause {case.paused}")
    return violations


# -- askers -------------------------------------------------------------------------------------------------


def asker_violations(all_cases: list[Case] | None = None) -> list[str]:
    """Every answered case's asker was sent the answer; the duplicates of an answered case are not left
    open; the asker of a split case gets every part's answer once all parts are closed. Two queries."""
    cases = {c.pk: c for c in (load_cases() if all_cases is None else all_cases)}
    sent: dict[int, list[str]] = {}
    for ref, recipient, answer in Notification.objects.filter(template="case_answered").values_list(
        "subject_ref", "recipient", "context__answer"
    ):
        case = cases.get(int(ref.removeprefix("case:")))
        if case is not None and recipient == case.contact_email:
            sent.setdefault(case.pk, []).append(answer or "")
    approved = dict(  # each case's latest approved answer
        AnswerVersion.objects.filter(approved_at__isnull=False)
        .order_by("case_id", "-number")
        .distinct("case_id")
        .values_list("case_id", "body")
    )
    violations = []
    parts: dict[int, list[Case]] = {}
    for case in cases.values():
        if case.split_from_id:
            parts.setdefault(case.split_from_id, []).append(case)
    for case in cases.values():
        if case.status == ANSWERED and not case.split_from_id and case.pk not in sent:
            violations.append(f"askers: case {case.pk} is answered but its asker was never sent the answer")
        primary = cases.get(case.duplicate_of_id) if case.duplicate_of_id else None
        if primary is not None and primary.status == ANSWERED and case.closed_at is None:
            violations.append(f"askers: case {case.pk} is a duplicate of answered case {primary.pk} but is still open")
    for whole_id, its_parts in parts.items():
        if any(p.closed_at is None for p in its_parts):
            continue
        whole = cases[whole_id]
        for part in its_parts:
            body = approved.get(part.pk)
            if body is not None and not any(body in answer for answer in sent.get(whole_id, [])):
                violations.append(
                    f"askers: part {part.pk} of split case {whole_id} is answered but the asker of "
                    f"{whole_id} ({whole.status}) was never sent its answer"
                )
    return violations


# -- notifications ------------------------------------------------------------------------------------------


@dataclass
class SweepLedger:
    """What the deadline sweep owes: per deadline (a case's due date, from when it was set until it
    changes), each threshold it crossed at a sweep, to be notified exactly once.

    Call `observe()` after every step (it notices due dates that changed), `before_sweep(now)` and
    `after_sweep(now)` around each sweep; `violations()` compares what was owed with the events the sweeps
    wrote and the messages they queued.
    """

    deadline_of: dict[int, tuple[int, dt.datetime]] = field(default_factory=dict)  # case -> (number, due_at)
    owed: set[tuple[int, int, str]] = field(default_factory=set)  # (case, deadline number, mark)
    told: Counter[tuple[int, int, str]] = field(default_factory=Counter)
    unreached: list[str] = field(default_factory=list)
    wrong_due: list[str] = field(default_factory=list)
    last_event_id: int = 0

    def observe(self, cases: list[Case] | None = None) -> list[Case]:
        """Notes a new deadline for every open case whose due date changed; returns the running cases."""
        cases = load_cases() if cases is None else cases
        running = [c for c in cases if c.closed_at is None and c.due_at is not None]
        for case in running:
            number, due = self.deadline_of.get(case.pk, (0, None))
            if due != case.due_at:
                self.deadline_of[case.pk] = (number + 1, case.due_at)  # type: ignore[assignment]
        return running

    def before_sweep(self, now: dt.datetime) -> None:
        """Records the thresholds a sweep at `now` finds crossed, as the sweep defines them: a reminder N
        working days before the due date, overdue once past it, the Nth late update N periods after it."""
        today = clock.local_date(now)
        calendar = fresh_calendar()
        policies = workflows().deadlines
        for case in self.observe():
            assert case.due_at is not None
            period = policies[case.deadline_version].kinds[case.kind]
            number = self.deadline_of[case.pk][0]
            due_day = clock.local_date(case.due_at)
            marks = []
            if case.due_at >= now:
                marks += [f"remind:{n}" for n in period.reminder_days_before
                          if due_day <= add_working_days(today, n, calendar)]  # fmt: skip
            else:
                marks.append("overdue")
                every = period.late_status_update_every_days
                if every and not case.split_from_id:  # every week reached, also weeks no sweep saw
                    marks += [f"late:{week}" for week in range(1, (today - due_day).days // every + 1)]
            self.owed.update((case.pk, number, mark) for mark in marks)

    def after_sweep(self, now: dt.datetime) -> None:
        """Counts what the sweep told, per deadline, and checks each telling reached someone."""
        events = list(
            CaseEvent.objects.filter(pk__gt=self.last_event_id, type__in=list(SWEEP_EVENTS)).values_list(
                "pk", "case_id", "type", "payload"
            )
        )
        if not events:
            return
        self.last_event_id = max(e[0] for e in events)
        messages = Counter(
            (int(ref.removeprefix("case:")), template, due, days_before)
            for ref, template, due, days_before in Notification.objects.filter(
                template__in=SWEEP_EVENTS.values(), created_at=now
            ).values_list("subject_ref", "template", "context__due_date", "context__days_before")
        )
        for _pk, case_id, event_type, payload in events:
            mark = payload.get("mark", "")
            if not ANSWER_MARK.fullmatch(mark):
                continue  # a threshold of another clock (e.g. the forwarding period): not modelled here
            number, due_at = self.deadline_of.get(case_id, (0, None))
            # One late update tells of every week newly reached (`weeks`), the citizen once for the newest.
            weeks = payload.get("weeks") if event_type == EventType.LATE_UPDATE else None
            for told in [f"late:{week}" for week in weeks] if weeks else [mark]:
                self.told[(case_id, number, told)] += 1
            due_day = clock.local_date(due_at).isoformat() if due_at else None
            if payload.get("due_date") != due_day:
                self.wrong_due.append(
                    f"notifications: case {case_id} {mark} names due {payload.get('due_date')}, in force {due_day}"
                )
            days_before = int(mark.split(":")[1]) if mark.startswith("remind:") else None
            if not messages[(case_id, SWEEP_EVENTS[event_type], due_day, days_before)]:
                self.unreached.append(f"alerts: case {case_id} {mark} (due {due_day}) reached nobody")

    def unreached_violations(self) -> list[str]:
        return list(self.unreached)

    def violations(self) -> list[str]:
        found = list(self.wrong_due)
        for key in sorted(self.owed | set(self.told)):
            case_id, number, mark = key
            count = self.told[key]
            if key in self.owed and count != 1:
                found.append(f"notifications: case {case_id} deadline #{number} {mark} was told {count} times")
            elif key not in self.owed and count:
                found.append(f"notifications: case {case_id} deadline #{number} {mark} told but not crossed")
        return found


def all_violations(*, staff: Iterable[User], ledger: SweepLedger, only: Iterable[str] = INVARIANTS) -> list[str]:
    """The violations of the invariants named in `only` (all of them by default), from one read of the
    cases; the ledger first notes the deadlines that changed (see SweepLedger)."""
    cases = load_cases()
    ledger.observe(cases)
    checks = {
        "queues": lambda: queue_violations(staff, cases),
        "due_dates": lambda: due_date_violations(cases=cases),
        "notifications": ledger.violations,
        "alerts": ledger.unreached_violations,
        "clocks": lambda: clock_violations(cases),
        "askers": lambda: asker_violations(cases),
    }
    return [v for name in only for v in checks[name]()]

"""The lifecycle invariant checkers catch what they are meant to catch: each test breaks one invariant on
purpose (a wrong stored due date, a case missing from its queue, a threshold told twice…) and asserts the
checker reports it, and that it reports nothing for the same data left intact. Without these, a checker
that never fails would make the model-based test (test_case_lifecycle_model.py) prove nothing."""

import dataclasses
import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import Case, CaseEvent, EventType, Pause, SweepMark
from caunoi.cases.services import case_answer_draft, case_approve, case_claim, case_submit_for_review
from caunoi.cases.services.sweep import deadline_sweep
from caunoi.notifications.models import Notification

from tests.support import lifecycle_invariants
from tests.support.cases import submit_case
from tests.support.lifecycle_invariants import (
    SweepLedger,
    asker_violations,
    clock_violations,
    due_date_violations,
    queue_violations,
)

VN = dt.timezone(dt.timedelta(hours=7))
MONDAY = dt.datetime(2026, 6, 8, 9, tzinfo=VN)  # a question sent now is due Monday 29 June


@pytest.fixture
def staff(personas):
    for name in ("official_a", "leader"):
        personas[name].email = f"{name}@agency.example"
        personas[name].save()
    return [personas["official_a"], personas["official_b"], personas["leader"], personas["admin"]]


def submitted(**kwargs) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        return submit_case(**kwargs)[0]


@pytest.mark.django_db
def test_a_wrong_stored_due_date_is_reported(staff):
    case = submitted()
    assert due_date_violations() == []
    Case.objects.filter(pk=case.pk).update(due_at=case.due_at + dt.timedelta(days=1))
    assert due_date_violations() == [
        f"due_dates: case {case.pk} stores due 2026-06-30, a fresh recompute gives 2026-06-29"
    ]


@pytest.mark.django_db
def test_a_paused_case_with_a_due_date_is_reported_twice(staff):
    case = submitted()
    Pause.objects.create(case=case, started_on=dt.date(2026, 6, 9))
    violations = due_date_violations() + clock_violations()
    assert f"due_dates: case {case.pk} stores due 2026-06-29, a fresh recompute gives none (paused)" in violations
    assert any(v.startswith(f"clocks: case {case.pk} (received) should have a running clock") for v in violations)


@pytest.mark.django_db
def test_an_open_case_without_a_clock_is_reported(staff):
    case = submitted()
    assert clock_violations() == []
    Case.objects.filter(pk=case.pk).update(due_at=None)
    assert clock_violations() == [
        f"clocks: case {case.pk} (received) should have a running clock: due None, open pause False"
    ]
    # (An open case in a final state is refused by the database: constraint case_final_status_closed.)


@pytest.mark.django_db
def test_a_case_missing_from_a_queue_or_shown_where_it_does_not_belong_is_reported(staff, monkeypatch):
    case = submitted()
    other = submitted(category="giao-duc", area=None)  # BO-GDDT: official_b's queue and the admin's
    assert queue_violations(staff) == []
    # The duplicate of a closed primary is work again: a queue that still hides it is wrong.
    Case.objects.filter(pk=other.pk).update(closed_at=MONDAY, status="rejected")
    Case.objects.filter(pk=case.pk).update(duplicate_of=other)
    assert queue_violations(staff) == [
        f"queues: open case {case.pk} is missing from official-a's queue",
        f"queues: open case {case.pk} is missing from leader's queue",
        f"queues: open case {case.pk} is missing from admin's queue",
    ]
    # A queue that shows what is not work (here: a closed case) is wrong too.
    Case.objects.filter(pk=case.pk).update(duplicate_of=None)
    real = lifecycle_invariants.case_list_for_queue

    def showing_closed_cases_too(**kwargs):
        page = real(**kwargs)
        return dataclasses.replace(page, rows=[*page.rows, Case.objects.get(pk=other.pk)])

    monkeypatch.setattr(lifecycle_invariants, "case_list_for_queue", showing_closed_cases_too)
    assert queue_violations(staff[:1]) == [f"queues: case {other.pk} is in official-a's queue but is closed"]


@pytest.mark.django_db
def test_a_threshold_told_twice_or_never_is_reported(staff):
    case = submitted()
    ledger = SweepLedger()
    ledger.observe()
    now = dt.datetime(2026, 6, 24, 9, tzinfo=VN)  # 3 working days before the due date
    ledger.before_sweep(now)
    deadline_sweep(now=now)
    ledger.after_sweep(now)
    assert ledger.violations() == []
    SweepMark.objects.filter(case=case).delete()  # the sweep forgets it told, and tells again
    ledger.before_sweep(now)
    deadline_sweep(now=now)
    ledger.after_sweep(now)
    assert ledger.violations() == [f"notifications: case {case.pk} deadline #1 remind:3 was told 2 times"]

    later = dt.datetime(2026, 6, 26, 9, tzinfo=VN)  # 1 working day before: owed, but no sweep runs
    fresh = SweepLedger()
    fresh.before_sweep(later)
    assert fresh.violations() == [
        f"notifications: case {case.pk} deadline #1 remind:1 was told 0 times",
        f"notifications: case {case.pk} deadline #1 remind:3 was told 0 times",
    ]


@pytest.mark.django_db
def test_a_threshold_whose_message_reached_nobody_is_reported(staff):
    case = submitted(category="giao-duc", area=None)  # BO-GDDT: nobody there has an e-mail address
    ledger = SweepLedger()
    now = dt.datetime(2026, 6, 24, 9, tzinfo=VN)
    ledger.before_sweep(now)
    deadline_sweep(now=now)
    ledger.after_sweep(now)
    assert ledger.violations() == []  # told once, as owed…
    assert ledger.unreached_violations() == [  # …but to nobody
        f"alerts: case {case.pk} remind:3 (due 2026-06-29) reached nobody"
    ]
    assert CaseEvent.objects.filter(case=case, type=EventType.REMINDED).count() == 1


@pytest.mark.django_db
def test_an_asker_left_without_the_answer_is_reported(staff):
    official, leader = staff[0], staff[2]
    primary, duplicate = submitted(), submitted(email="ban-do@example.org")
    with time_machine.travel(MONDAY, tick=False):
        case_claim(case=primary, by=official)
        draft = case_answer_draft(case=primary, by=official, body="Trả lời.")
        case_submit_for_review(case=primary, by=official)
        case_approve(case=primary, by=leader, version=draft.number)
    assert asker_violations() == []
    Notification.objects.filter(template="case_answered", subject_ref=f"case:{primary.pk}").delete()
    assert asker_violations() == [f"askers: case {primary.pk} is answered but its asker was never sent the answer"]
    Case.objects.filter(pk=duplicate.pk).update(duplicate_of=primary)
    assert (
        f"askers: case {duplicate.pk} is a duplicate of answered case {primary.pk} but is still open"
        in asker_violations()
    )

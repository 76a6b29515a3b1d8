"""The deadline sweep: reminders, overdue escalation, weekly late updates — each exactly once."""

import datetime as dt
import threading

import pytest
import time_machine
from caunoi.cases.models import EventType, SweepMark
from caunoi.cases.services import case_claim
from caunoi.cases.services.sweep import deadline_sweep
from caunoi.notifications.models import Notification
from django.db import connection

from tests.support.cases import submit_case

VN = dt.timezone(dt.timedelta(hours=7))


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=VN)


@pytest.fixture
def staff_with_email(personas):
    for name in ("official_a", "leader"):
        personas[name].email = f"{name}@agency.example"
        personas[name].save()
    return personas


def templates() -> list[tuple[str, str]]:
    # The forwarding period's reminders have their own tests (test_deadline_rearming.py).
    messages = Notification.objects.exclude(template="case_received").exclude(template__startswith="staff_forwarding")
    return sorted(messages.values_list("template", "recipient"))


@pytest.mark.django_db
def test_reminders_go_to_the_assignee_once_per_threshold(staff_with_email, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):  # question due Monday 29 June
        case, _ = submit_case()
        case_claim(case=case, by=staff_with_email["official_a"])
    assert deadline_sweep(now=at(2026, 6, 22)).reminded == 0  # 5 working days before: no threshold yet
    assert deadline_sweep(now=at(2026, 6, 24)).reminded == 1  # 3 working days before
    assert deadline_sweep(now=at(2026, 6, 24, 15)).reminded == 0  # the same threshold again: nothing
    assert deadline_sweep(now=at(2026, 6, 26)).reminded == 1  # 1 working day before (Friday → Monday)
    assert templates() == [("staff_reminder", "official_a@agency.example")] * 2
    assert case.events.filter(type=EventType.REMINDED).count() == 2
    days = sorted(n.context["days_before"] for n in Notification.objects.filter(template="staff_reminder"))
    assert days == [1, 3]


@pytest.mark.django_db
def test_an_unassigned_case_reminds_everyone_in_its_agency(staff_with_email, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):
        submit_case()
    deadline_sweep(now=at(2026, 6, 26))
    # Both the 3-day and the 1-day thresholds are crossed at once; the official of the agency hears of both.
    assert templates() == [("staff_reminder", "official_a@agency.example")] * 2


@pytest.mark.django_db
def test_overdue_is_escalated_to_the_parent_agencys_leaders_once(staff_with_email, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case()
    first = deadline_sweep(now=at(2026, 6, 30))
    second = deadline_sweep(now=at(2026, 7, 1))
    assert (first.overdue, second.overdue) == (1, 0)
    escalations = Notification.objects.filter(template="staff_escalation")
    assert [n.recipient for n in escalations] == ["leader@agency.example"]  # leader of UBND-HN, above SO-NNMT-HN
    assert case.events.filter(type=EventType.OVERDUE).count() == 1


@pytest.mark.django_db
def test_late_feedback_gets_a_status_update_every_seven_days(staff_with_email, reference_data):
    with time_machine.travel(at(2026, 5, 31), tick=False):  # feedback due Monday 22 June
        case, _ = submit_case(kind="feedback", email="dan@example.org")
    assert deadline_sweep(now=at(2026, 6, 28)).late_updates == 0  # 6 days late
    assert deadline_sweep(now=at(2026, 6, 29)).late_updates == 1  # 7 days late
    assert deadline_sweep(now=at(2026, 7, 5)).late_updates == 0
    assert deadline_sweep(now=at(2026, 7, 6)).late_updates == 1  # 14 days late
    updates = Notification.objects.filter(template="late_status_update").order_by("id")
    assert [(n.recipient, n.context["days_late"]) for n in updates] == [("dan@example.org", 7), ("dan@example.org", 14)]
    assert case.events.filter(type=EventType.LATE_UPDATE).count() == 2


@pytest.mark.django_db
def test_questions_have_no_late_updates_and_closed_cases_are_left_alone(staff_with_email, reference_data):
    with time_machine.travel(at(2026, 5, 31), tick=False):
        submit_case(kind="question")
        closed, _ = submit_case(kind="feedback")
    closed.closed_at = at(2026, 6, 1)
    closed.status = "answered"
    closed.save()
    result = deadline_sweep(now=at(2026, 7, 20))
    assert result.late_updates == 0
    assert not SweepMark.objects.filter(case=closed).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_tell_everyone_once(reference_data):
    with time_machine.travel(at(2026, 5, 31), tick=False):
        for _ in range(20):
            submit_case(kind="feedback")
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        barrier.wait()
        results.append(deadline_sweep(now=at(2026, 7, 1)))
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.overdue for r in results) == [0, 20]
    assert sorted(r.late_updates for r in results) == [0, 20]
    assert Notification.objects.filter(template="late_status_update").count() == 20
    assert sorted(r.escalated for r in results) == [0, 20]  # 7 working days late: one level further up
    reminders = SweepMark.objects.filter(mark__startswith="remind").count()
    assert SweepMark.objects.exclude(mark__startswith="forward").count() == 60 + reminders

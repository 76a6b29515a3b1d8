"""Sweep marks belong to a deadline: every path that moves a due date arms reminders, overdue and the late
cadence again for the new date, exactly once each; the forwarding period has its own reminder and overdue."""

import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import EventType, SweepMark
from caunoi.cases.services import (
    calendar_override_add,
    case_citizen_reply,
    case_claim,
    case_extend,
    case_request_info,
    case_transfer,
)
from caunoi.cases.services.sweep import deadline_sweep
from caunoi.notifications.models import Notification

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=VN)


@pytest.fixture
def staff(personas):
    for name in ("official_a", "official_b", "leader"):
        personas[name].email = f"{name}@agency.example"
        personas[name].save()
    return personas


def due_date(case):
    case.refresh_from_db()
    return case.due_at.astimezone(VN).date()


def test_a_transferred_case_is_overdue_again_when_its_new_deadline_passes(staff, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):  # question due Monday 29 June at SO-NNMT-HN
        case, _ = submit_case()
    assert deadline_sweep(now=at(2026, 6, 30)).overdue == 1
    with time_machine.travel(at(2026, 7, 1), tick=False):
        case_transfer(case=case, by=staff["official_a"], to_agency=reference_data["agencies"]["BO-GDDT"], reason="x")
    new_due = due_date(case)
    assert new_due > dt.date(2026, 7, 1)
    ten_days_later = dt.datetime.combine(new_due + dt.timedelta(days=10), dt.time(9), tzinfo=VN)
    assert deadline_sweep(now=ten_days_later).overdue == 1
    assert deadline_sweep(now=ten_days_later + dt.timedelta(hours=1)).overdue == 0
    payloads = [e.payload["due_date"] for e in case.events.filter(type=EventType.OVERDUE).order_by("id")]
    assert payloads == ["2026-06-29", new_due.isoformat()]


def test_an_extended_case_is_reminded_before_its_new_date(staff, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):  # due Monday 29 June
        case, _ = submit_case()
        case_claim(case=case, by=staff["official_a"])
    assert deadline_sweep(now=at(2026, 6, 26)).reminded == 2  # 3 and 1 days before, both at once
    with time_machine.travel(at(2026, 6, 26), tick=False):
        case_extend(case=case, by=staff["leader"], days=5, reason="Cần xác minh thực địa")
    assert due_date(case) == dt.date(2026, 7, 6)
    assert deadline_sweep(now=at(2026, 7, 1)).reminded == 1  # 3 working days before 6 July
    assert deadline_sweep(now=at(2026, 7, 1, 15)).reminded == 0
    assert deadline_sweep(now=at(2026, 7, 3)).reminded == 1  # 1 working day before
    reminders = Notification.objects.filter(template="staff_reminder")
    assert sorted((n.context["due_date"], n.context["days_before"]) for n in reminders) == [
        ("2026-06-29", 1),
        ("2026-06-29", 3),
        ("2026-07-06", 1),
        ("2026-07-06", 3),
    ]


def test_the_late_cadence_counts_weeks_from_the_deadline_in_force(staff, reference_data):
    with time_machine.travel(at(2026, 5, 31), tick=False):  # feedback due Monday 22 June
        case, _ = submit_case(kind="feedback", email="dan@example.org")
    assert deadline_sweep(now=at(2026, 6, 29)).late_updates == 1  # 7 days late
    with time_machine.travel(at(2026, 6, 30), tick=False):
        case_extend(case=case, by=staff["leader"], days=10, reason="Chờ kết quả thanh tra")
    new_due = due_date(case)
    assert new_due == dt.date(2026, 6, 30)
    assert deadline_sweep(now=at(2026, 7, 6)).late_updates == 0  # 6 days after the new date
    assert deadline_sweep(now=at(2026, 7, 7)).late_updates == 1  # the first week after the new date
    updates = Notification.objects.filter(template="late_status_update").order_by("id")
    assert [(n.context["due_date"], n.context["days_late"]) for n in updates] == [
        ("2026-06-22", 7),
        ("2026-06-30", 7),
    ]


def test_resuming_a_paused_clock_arms_reminders_for_the_new_date(staff, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _token = submit_case()
        case_claim(case=case, by=staff["official_a"])
    assert deadline_sweep(now=at(2026, 6, 26)).reminded == 2
    with time_machine.travel(at(2026, 6, 26), tick=False):
        case_request_info(case=case, by=staff["official_a"], message="Xin gửi bản sao sổ hộ khẩu.")
    with time_machine.travel(at(2026, 7, 2), tick=False):
        case_citizen_reply(case=case, body="Tôi gửi kèm bản sao.")
    new_due = due_date(case)
    assert new_due > dt.date(2026, 6, 29)
    day_before = dt.datetime.combine(new_due - dt.timedelta(days=1), dt.time(9), tzinfo=VN)
    assert deadline_sweep(now=day_before).reminded == 2  # both thresholds of the new date
    assert deadline_sweep(now=day_before).reminded == 0


def test_a_calendar_change_arms_reminders_for_the_moved_date(staff, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):  # due Monday 29 June
        case, _ = submit_case()
        case_claim(case=case, by=staff["official_a"])
    assert deadline_sweep(now=at(2026, 6, 26)).reminded == 2
    with time_machine.travel(at(2026, 6, 26), tick=False):
        calendar_override_add(day=dt.date(2026, 6, 29), kind="day_off", reason_vi="Nghỉ bù", reason_en="Day off")
    assert due_date(case) == dt.date(2026, 6, 30)
    assert deadline_sweep(now=at(2026, 6, 29)).reminded == 2  # 3 and 1 working days before 30 June
    assert deadline_sweep(now=at(2026, 7, 1)).overdue == 1


def test_the_forwarding_period_is_reminded_and_marked_overdue_once(staff, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):  # forward by Monday 15 June
        case, _ = submit_case()
    case.refresh_from_db()
    assert case.forward_by == dt.date(2026, 6, 15)
    assert deadline_sweep(now=at(2026, 6, 11)).forwarding_reminded == 0
    assert deadline_sweep(now=at(2026, 6, 12)).forwarding_reminded == 1  # 1 working day before
    assert deadline_sweep(now=at(2026, 6, 12, 15)).forwarding_reminded == 0
    assert deadline_sweep(now=at(2026, 6, 16)).forwarding_overdue == 1
    assert deadline_sweep(now=at(2026, 6, 17)).forwarding_overdue == 0
    [reminder] = Notification.objects.filter(template="staff_forwarding_reminder")
    assert reminder.recipient == "official_a@agency.example"
    assert reminder.context["due_date"] == "2026-06-15"
    assert case.events.filter(type=EventType.FORWARDING_OVERDUE).count() == 1


def test_a_claimed_case_is_not_reminded_to_forward(staff, reference_data):
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case()
        case_claim(case=case, by=staff["official_a"])
    result = deadline_sweep(now=at(2026, 6, 16))
    assert (result.forwarding_reminded, result.forwarding_overdue) == (0, 0)


def test_weeks_a_sweep_missed_are_marked_and_the_citizen_gets_one_message(staff, reference_data):
    with time_machine.travel(at(2026, 5, 31), tick=False):  # feedback due Monday 22 June
        case, _ = submit_case(kind="feedback", email="dan@example.org")
    # The beat was down: the first sweep runs 15 days late, past weeks 1 and 2.
    assert deadline_sweep(now=at(2026, 7, 7)).late_updates == 1
    marks = SweepMark.objects.filter(case=case, mark__startswith="late:").values_list("mark", flat=True)
    assert sorted(marks) == ["late:1", "late:2"]
    assert [n.context["days_late"] for n in Notification.objects.filter(template="late_status_update")] == [15]
    assert case.events.get(type=EventType.LATE_UPDATE).payload["weeks"] == [1, 2]
    assert deadline_sweep(now=at(2026, 7, 13)).late_updates == 1  # week 3
    assert Notification.objects.filter(template="late_status_update").count() == 2

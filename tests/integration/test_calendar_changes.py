"""A calendar change moves the due dates of open cases (with an event); pauses move them too."""

import datetime as dt
import shutil

import pytest
import time_machine
from caunoi.cases.models import Case, EventType
from caunoi.cases.services import (
    ClockAlreadyPaused,
    ClockNotPaused,
    calendar_override_add,
    calendar_sync_from_workflows,
    case_clock_pause,
    case_clock_resume,
)
from caunoi.deadlines.models import CalendarOverride
from caunoi.workflows.registry import reload

pytestmark = pytest.mark.django_db

VN = dt.timezone(dt.timedelta(hours=7))
QUESTION = {
    "kind": "question",
    "title": "Hỏi về thủ tục cấp sổ đỏ",
    "body": "Xin hỏi hồ sơ cấp giấy chứng nhận quyền sử dụng đất lần đầu gồm những gì?",
    "category": "dat-dai",
    "area": "tinh-01",
    "name": "Phạm Minh Đức",
}


def submit_on(api, moment: dt.datetime, **changes) -> Case:
    with time_machine.travel(moment, tick=False):
        body = api.post("/api/v1/cases/", {**QUESTION, **changes}, format="json").json()
    return Case.objects.get(tracking_code=body["tracking_code"])


def due_date(case: Case) -> dt.date:
    case.refresh_from_db()
    return case.due_at.astimezone(VN).date() if case.due_at else None


def test_a_compensatory_day_off_moves_open_cases_and_records_an_event(api, reference_data):
    # Received Monday 8 June 2026: 15 working days end Monday 29 June.
    case = submit_on(api, dt.datetime(2026, 6, 8, 10, tzinfo=VN))
    assert due_date(case) == dt.date(2026, 6, 29)

    change = calendar_override_add(day=dt.date(2026, 6, 17), kind="day_off", reason_vi="Nghỉ bù", reason_en="Day off")

    assert change.cases_moved == 1
    assert due_date(case) == dt.date(2026, 6, 30)
    event = case.events.get(type=EventType.DEADLINE_RECOMPUTED)
    assert event.payload["old_due_date"] == "2026-06-29"
    assert event.payload["due_date"] == "2026-06-30"
    assert event.payload["reason_vi"] == "Nghỉ bù"
    skipped = {d["date"]: d["reason"] for d in case.due_explanation["vi"]["skipped"]}
    assert skipped["2026-06-17"] == "Nghỉ bù"


def test_a_make_up_working_saturday_brings_due_dates_forward(api, reference_data):
    case = submit_on(api, dt.datetime(2026, 6, 8, 10, tzinfo=VN))
    calendar_override_add(day=dt.date(2026, 6, 13), kind="working_day", reason_vi="Làm bù", reason_en="Make-up day")
    assert due_date(case) == dt.date(2026, 6, 26)


def test_cases_outside_the_changed_day_and_closed_cases_do_not_move(api, reference_data):
    before = submit_on(api, dt.datetime(2026, 6, 8, 10, tzinfo=VN))
    after = submit_on(api, dt.datetime(2026, 7, 6, 10, tzinfo=VN))
    closed = submit_on(api, dt.datetime(2026, 6, 8, 11, tzinfo=VN))
    # Closed as answering closes (a final status without closed_at is refused by the database).
    Case.objects.filter(pk=closed.pk).update(status="answered", closed_at=dt.datetime(2026, 6, 9, 10, tzinfo=VN))
    moved = calendar_override_add(day=dt.date(2026, 6, 17), kind="day_off", reason_vi="Nghỉ bù", reason_en="Day off")
    assert moved.cases_moved == 1
    assert due_date(after) == dt.date(2026, 7, 27)
    assert due_date(closed) == dt.date(2026, 6, 29)
    assert not closed.events.filter(type=EventType.DEADLINE_RECOMPUTED).exists()
    assert due_date(before) == dt.date(2026, 6, 30)


def write_calendar(root, days_off: str) -> None:
    (root / "calendars" / "2026.yaml").write_text(
        f"year: 2026\ndays_off:{days_off}\nworking_days: []\n", encoding="utf-8"
    )
    reload()


def test_calendar_files_sync_into_the_calendar_and_twice_changes_nothing(api, reference_data, settings, tmp_path):
    root = tmp_path / "workflows"
    shutil.copytree(settings.WORKFLOWS_DIR, root)
    settings.WORKFLOWS_DIR = root  # the registry caches per folder, so the shipped files come back afterwards
    case = submit_on(api, dt.datetime(2026, 6, 8, 10, tzinfo=VN))
    write_calendar(root, "\n  - {date: 2026-06-17, reason: {vi: 'Nghỉ bù Giỗ Tổ', en: 'Compensatory day off'}}")

    first = calendar_sync_from_workflows()
    second = calendar_sync_from_workflows()

    assert (first.added, first.cases_moved) == (1, 1)
    assert (second.added, second.updated, second.removed, second.cases_moved) == (0, 0, 0, 0)
    assert CalendarOverride.objects.get().source == "workflows"
    assert due_date(case) == dt.date(2026, 6, 30)

    write_calendar(root, " []")
    removed = calendar_sync_from_workflows()
    assert (removed.removed, removed.cases_moved) == (1, 1)
    assert CalendarOverride.objects.count() == 0
    assert due_date(case) == dt.date(2026, 6, 29)


def test_sync_leaves_administrators_overrides_alone(reference_data):
    calendar_override_add(day=dt.date(2026, 6, 17), kind="day_off", reason_vi="Nghỉ bù", reason_en="Day off")
    assert calendar_sync_from_workflows().removed == 0
    assert CalendarOverride.objects.get().source == "admin"


def test_pause_and_resume_extend_the_due_date_by_the_paused_working_days(api, reference_data):
    case = submit_on(api, dt.datetime(2026, 6, 8, 10, tzinfo=VN))
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, tzinfo=VN), tick=False):
        case_clock_pause(case=case, by=None, reason="Thiếu giấy tờ")
    assert due_date(case) is None
    with time_machine.travel(dt.datetime(2026, 6, 15, 9, tzinfo=VN), tick=False):
        case_clock_resume(case=case, by=None)
    # 10, 11 and 12 June (Wed–Fri) did not count: three working days later than 29 June.
    assert due_date(case) == dt.date(2026, 7, 2)
    assert list(case.events.values_list("type", flat=True))[-2:] == ["clock_paused", "clock_resumed"]
    paused = [d for d in case.due_explanation["en"]["skipped"] if d["kind"] == "paused"]
    assert [d["date"] for d in paused] == ["2026-06-10", "2026-06-11", "2026-06-12", "2026-06-13", "2026-06-14"]


def test_pausing_twice_or_resuming_a_running_clock_is_refused(api, reference_data):
    case = submit_on(api, dt.datetime(2026, 6, 8, 10, tzinfo=VN))
    with pytest.raises(ClockNotPaused):
        case_clock_resume(case=case, by=None)
    case_clock_pause(case=case, by=None)
    with pytest.raises(ClockAlreadyPaused):
        case_clock_pause(case=case, by=None)


def test_feedback_gets_twenty_calendar_days_rolled_to_a_working_day(api, reference_data):
    # Received Sunday 31 May 2026: day 20 is Saturday 20 June, so the period ends Monday 22 June.
    case = submit_on(api, dt.datetime(2026, 5, 31, 10, tzinfo=VN), kind="feedback")
    assert due_date(case) == dt.date(2026, 6, 22)
    assert case.due_explanation["en"]["rolled_forward_from"] == "2026-06-20"

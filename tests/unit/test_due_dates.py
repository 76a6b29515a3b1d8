"""compute_due / add_working_days, with every expected date worked out by hand in the comments.

June 2026 has no public holiday: Mon 1, 8, 15, 22, 29; Sat 6, 13, 20, 27; Sun 7, 14, 21, 28.
"""

import json
from datetime import date, timedelta

import pytest
from caunoi.deadlines.calendar import WorkingCalendar
from caunoi.deadlines.compute import (
    DueComputation,
    Pause,
    SkippedDay,
    add_working_days,
    compute_due,
    nth_working_day_before,
)
from caunoi.workflows.types import CalendarEntry, Period

QUESTION = Period(15, "working_days", "Nghị định 43/2011/NĐ-CP, Điều 8")
FEEDBACK = Period(20, "calendar_days", "Quyết định 574/QĐ-TTg")


def due(received_on, period=QUESTION, overrides=(), pauses=()) -> DueComputation:
    return compute_due(received_on=received_on, period=period, calendar=WorkingCalendar(overrides), pauses=pauses)


def days(result: DueComputation, kind: str | None = None) -> list[date]:
    return [skipped.day for skipped in result.skipped if kind is None or skipped.kind == kind]


def test_question_received_just_before_tet_2027():
    # Received Tue 2 Feb 2027. Counted: Wed 3 (1); Tết Thu 4 - Wed 10 skipped; Thu 11 (2), Fri 12 (3);
    # Sat 13, Sun 14; Mon 15 - Fri 19 (4-8); Sat 20, Sun 21; Mon 22 - Fri 26 (9-13); Sat 27, Sun 28;
    # Mon 1 Mar (14), Tue 2 Mar (15).
    result = due(date(2027, 2, 2))
    assert result.due_date == date(2027, 3, 2)
    assert result.first_counted_day == date(2027, 2, 3)
    assert result.days_counted == 15
    assert not result.paused and result.rolled_forward_from is None
    tet = [date(2027, 2, day) for day in range(4, 11)]
    assert days(result, "holiday") == tet
    assert days(result, "weekend") == [date(2027, 2, day) for day in (13, 14, 20, 21, 27, 28)]
    assert days(result) == tet + days(result, "weekend")
    assert next(s for s in result.skipped if s.day == date(2027, 2, 6)).reason_vi == "Tết Nguyên Đán"


def test_fifteen_working_days_in_ordinary_weeks():
    # Received Sun 7 June 2026, so counting starts Mon 8: three working weeks, Mon 8 - Fri 26 June (15 days),
    # with two weekends in between (13-14 and 20-21).
    result = due(date(2026, 6, 7))
    assert result.first_counted_day == date(2026, 6, 8)
    assert result.due_date == date(2026, 6, 26)
    assert result.skipped == (
        SkippedDay(date(2026, 6, 13), "weekend", "Thứ Bảy", "Saturday"),
        SkippedDay(date(2026, 6, 14), "weekend", "Chủ nhật", "Sunday"),
        SkippedDay(date(2026, 6, 20), "weekend", "Thứ Bảy", "Saturday"),
        SkippedDay(date(2026, 6, 21), "weekend", "Chủ nhật", "Sunday"),
    )


def test_fifteen_working_days_received_on_a_monday():
    # Received Mon 8 June 2026: Tue 9 - Fri 12 (1-4), Mon 15 - Fri 19 (5-9), Mon 22 - Fri 26 (10-14), Mon 29 (15).
    result = due(date(2026, 6, 8))
    assert result.due_date == date(2026, 6, 29)
    assert len(days(result, "weekend")) == 6


def test_calendar_days_ending_on_a_saturday_roll_forward_to_monday():
    # Received Sun 31 May 2026: day 1 is Mon 1 June, day 20 is Sat 20 June -> next working day Mon 22 June.
    result = due(date(2026, 5, 31), FEEDBACK)
    assert result.first_counted_day == date(2026, 6, 1)
    assert result.days_counted == 20
    assert result.rolled_forward_from == date(2026, 6, 20)
    assert result.due_date == date(2026, 6, 22)
    # Weekends inside a calendar-day period count; only the days passed over are listed.
    assert days(result, "weekend") == [date(2026, 6, 20), date(2026, 6, 21)]
    assert days(result) == days(result, "weekend")


def test_calendar_days_ending_on_a_holiday_roll_past_it():
    # Received Fri 13 Aug 2027: day 20 is Thu 2 Sep 2027 (National Day); Fri 3 Sep is its second day,
    # then Sat 4 and Sun 5 -> due Mon 6 Sep 2027.
    result = due(date(2027, 8, 13), FEEDBACK)
    assert result.rolled_forward_from == date(2027, 9, 2)
    assert result.due_date == date(2027, 9, 6)
    assert [(s.day, s.kind) for s in result.skipped] == [
        (date(2027, 9, 2), "holiday"),
        (date(2027, 9, 3), "holiday"),
        (date(2027, 9, 4), "weekend"),
        (date(2027, 9, 5), "weekend"),
    ]


def test_calendar_days_ending_on_a_working_day_are_not_rolled():
    # Received Fri 5 June 2026 (evening): day 1 is Sat 6 June (it counts), day 20 is Thu 25 June.
    result = due(date(2026, 6, 5), FEEDBACK)
    assert result.first_counted_day == date(2026, 6, 6)
    assert result.due_date == date(2026, 6, 25)
    assert result.rolled_forward_from is None
    assert result.skipped == ()


def test_compensatory_day_off_moves_the_due_date_one_working_day_later():
    # As in the ordinary case (due Fri 26 June), but Wed 17 June is a day off: Fri 26 is only day 14,
    # Sat 27 and Sun 28 do not count, Mon 29 June is day 15.
    override = CalendarEntry(date(2026, 6, 17), "day_off", "Nghỉ bù", "Compensatory day off")
    result = due(date(2026, 6, 7), overrides=[override])
    assert result.due_date == date(2026, 6, 29)
    assert SkippedDay(date(2026, 6, 17), "override", "Nghỉ bù", "Compensatory day off") in result.skipped


def test_make_up_working_saturday_moves_the_due_date_earlier():
    # As in the ordinary case (due Fri 26 June), but Sat 13 June is worked: it is day 6, so day 15 is Thu 25 June.
    override = CalendarEntry(date(2026, 6, 13), "working_day", "Làm bù", "Make-up working day")
    result = due(date(2026, 6, 7), overrides=[override])
    assert result.due_date == date(2026, 6, 25)
    assert date(2026, 6, 13) not in days(result)


def test_a_three_working_day_pause_moves_the_due_date_by_three_working_days():
    # Ordinary case (received Sun 7 June, due Fri 26 June) paused from Wed 10 to Mon 15 June (exclusive):
    # Wed 10, Thu 11, Fri 12 are 3 working days lost (Sat 13, Sun 14 are paused too).
    # Counted: Mon 8 (1), Tue 9 (2), Mon 15 - Fri 19 (3-7), Mon 22 - Fri 26 (8-12), Mon 29 (13), Tue 30 (14),
    # Wed 1 July (15) = three working days after Fri 26 June.
    pause = Pause(date(2026, 6, 10), date(2026, 6, 15))
    result = due(date(2026, 6, 7), pauses=[pause])
    assert result.due_date == date(2026, 7, 1)
    assert result.due_date == add_working_days(date(2026, 6, 26), 3, WorkingCalendar())
    assert days(result, "paused") == [date(2026, 6, day) for day in range(10, 15)]
    assert days(result, "weekend") == [date(2026, 6, day) for day in (20, 21, 27, 28)]
    assert not result.paused


def test_an_open_pause_leaves_the_due_date_unknown():
    # Paused since Wed 10 June: only Mon 8 and Tue 9 counted.
    result = due(date(2026, 6, 7), pauses=[Pause(date(2026, 6, 10), None)])
    assert result.due_date is None
    assert result.paused
    assert result.days_counted == 2
    assert result.first_counted_day == date(2026, 6, 8)
    assert result.skipped == ()


def test_a_pause_after_the_due_date_changes_nothing():
    # Due Fri 26 June; pauses starting on Sat 27 or Mon 29 June come too late to matter.
    unpaused = due(date(2026, 6, 7))
    assert due(date(2026, 6, 7), pauses=[Pause(date(2026, 6, 29), date(2026, 7, 3))]) == unpaused
    assert due(date(2026, 6, 7), pauses=[Pause(date(2026, 6, 27), None)]) == unpaused


def test_a_pause_that_ended_before_receipt_changes_nothing():
    assert due(date(2026, 6, 7), pauses=[Pause(date(2026, 6, 1), date(2026, 6, 8))]) == due(date(2026, 6, 7))


def test_paused_days_do_not_count_in_calendar_day_periods_either():
    # Received Sun 31 May 2026, paused Mon 1 - Wed 3 June (end Thu 4 exclusive): day 1 is Thu 4 June,
    # day 20 is Tue 23 June (a working day, no roll-forward).
    result = due(date(2026, 5, 31), FEEDBACK, pauses=[Pause(date(2026, 6, 1), date(2026, 6, 4))])
    assert result.first_counted_day == date(2026, 6, 4)
    assert result.due_date == date(2026, 6, 23)
    assert days(result) == [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)]


def test_receipt_on_a_friday_evening_starts_counting_the_next_day():
    # Received Fri 5 June 2026 at 21:00: counting starts Sat 6, which is not a working day, so the first counted
    # day is Mon 8 June and the 15th is Fri 26 June (as if received on the Sunday).
    result = due(date(2026, 6, 5))
    assert result.first_counted_day == date(2026, 6, 8)
    assert result.due_date == date(2026, 6, 26)
    assert days(result)[:2] == [date(2026, 6, 6), date(2026, 6, 7)]


def test_receipt_on_a_holiday_starts_counting_the_next_day():
    # Received Thu 2 Sep 2027 (National Day): Fri 3 (holiday), Sat 4, Sun 5 skipped; Mon 6 - Fri 10 (1-5),
    # Mon 13 - Fri 17 (6-10), Mon 20 - Fri 24 (11-15) -> due Fri 24 Sep 2027.
    result = due(date(2027, 9, 2))
    assert result.first_counted_day == date(2027, 9, 6)
    assert result.due_date == date(2027, 9, 24)
    assert days(result)[:3] == [date(2027, 9, 3), date(2027, 9, 4), date(2027, 9, 5)]
    # A calendar-day period counts from Fri 3 Sep: day 20 is Wed 22 Sep 2027.
    assert due(date(2027, 9, 2), FEEDBACK).due_date == date(2027, 9, 22)


def test_as_dict_gives_reasons_in_the_requested_language():
    result = due(date(2027, 2, 2))
    vi, en = result.as_dict("vi"), result.as_dict("en")
    assert vi == {
        "received_on": "2027-02-02",
        "unit": "working_days",
        "days": 15,
        "legal_basis": QUESTION.legal_basis,
        "first_counted_day": "2027-02-03",
        "due_date": "2027-03-02",
        "days_counted": 15,
        "paused": False,
        "rolled_forward_from": None,
        "skipped": vi["skipped"],
    }
    assert vi["skipped"][0] == {"date": "2027-02-04", "kind": "holiday", "reason": "29 Tết"}
    assert en["skipped"][0] == {"date": "2027-02-04", "kind": "holiday", "reason": "29 of Lunar New Year"}
    assert {"date": "2027-02-13", "kind": "weekend", "reason": "Thứ Bảy"} in vi["skipped"]
    assert {"date": "2027-02-13", "kind": "weekend", "reason": "Saturday"} in en["skipped"]
    assert result.as_dict("fr") == vi  # unknown languages fall back to Vietnamese
    json.dumps(vi)


def test_as_dict_of_a_paused_computation():
    data = due(date(2026, 6, 7), pauses=[Pause(date(2026, 6, 10), None)]).as_dict("en")
    assert data["due_date"] is None and data["paused"] is True and data["days_counted"] == 2
    paused = due(date(2026, 6, 7), pauses=[Pause(date(2026, 6, 10), date(2026, 6, 11))]).as_dict("en")
    assert paused["skipped"][0] == {"date": "2026-06-10", "kind": "paused", "reason": "Deadline clock paused"}


def test_add_working_days():
    calendar = WorkingCalendar()
    # Forwarding (5 working days) from Tue 2 Feb 2027: Wed 3 (1), Tết, Thu 11 (2), Fri 12 (3), Mon 15 (4), Tue 16 (5).
    assert add_working_days(date(2027, 2, 2), 5, calendar) == date(2027, 2, 16)
    # From Fri 5 June 2026: Mon 8 - Fri 12 -> Fri 12 June.
    assert add_working_days(date(2026, 6, 5), 5, calendar) == date(2026, 6, 12)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 6, 5), 0, calendar)


def test_invalid_inputs_are_rejected():
    with pytest.raises(ValueError, match="unit"):
        due(date(2026, 6, 7), Period(15, "business_days", "?"))
    with pytest.raises(ValueError, match="at least one day"):
        due(date(2026, 6, 7), Period(0, "working_days", "?"))
    with pytest.raises(ValueError, match="before it starts"):
        Pause(date(2026, 6, 10), date(2026, 6, 9))


def test_a_calendar_with_no_working_days_fails_instead_of_looping():
    every_day_off = [
        CalendarEntry(date(2026, 1, 1) + timedelta(days=n), "day_off", "Nghỉ", "Off") for n in range(4 * 366)
    ]
    with pytest.raises(ValueError, match="did not finish"):
        due(date(2026, 1, 1), overrides=every_day_off)


def test_nth_working_day_before_is_the_inverse_of_adding_working_days():
    calendar = WorkingCalendar()
    # Tue 16 Feb 2027, back over Tết: Mon 15 (1), Fri 12 (2), Thu 11 (3), then Wed 3 Feb (4).
    assert nth_working_day_before(date(2027, 2, 16), 4, calendar) == date(2027, 2, 3)
    for start in (date(2026, 6, 5), date(2027, 2, 2), date(2027, 1, 29)):
        for days in (1, 5, 12):
            later = add_working_days(start, days, calendar)
            # `start` has `days` whole working days after it before `later + 1 day` and not before `later`.
            assert start < nth_working_day_before(later + timedelta(days=1), days, calendar)
            assert not start < nth_working_day_before(later, days, calendar)
    with pytest.raises(ValueError):
        nth_working_day_before(date(2026, 6, 5), 0, calendar)

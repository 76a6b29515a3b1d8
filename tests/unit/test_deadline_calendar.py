"""WorkingCalendar: weekends, Vietnamese public holidays (from the `holidays` package) and overrides."""

from datetime import date

import holidays
import pytest
from caunoi.deadlines.calendar import DayOff, WorkingCalendar, _holiday_year
from caunoi.workflows.types import CalendarEntry


def test_tet_2027_is_seven_days_off_with_vietnamese_names():
    # Lunar New Year 2027 falls on Saturday 6 February; the package gives 29 Tết (Thu 4) to Mùng năm (Wed 10).
    calendar = WorkingCalendar()
    expected = {
        date(2027, 2, 4): "29 Tết",
        date(2027, 2, 5): "Giao thừa Tết Nguyên Đán",
        date(2027, 2, 6): "Tết Nguyên Đán",
        date(2027, 2, 7): "Mùng hai Tết Nguyên Đán",
        date(2027, 2, 8): "Mùng ba Tết Nguyên Đán",
        date(2027, 2, 9): "Mùng bốn Tết Nguyên Đán",
        date(2027, 2, 10): "Mùng năm Tết Nguyên Đán",
    }
    for day, name_vi in expected.items():
        day_off = calendar.day_off(day)
        assert day_off is not None and day_off.kind == "holiday", day
        assert day_off.reason_vi == name_vi
        assert not calendar.is_working_day(day)
    # The days either side are ordinary working days (Wed 3 and Thu 11 February).
    assert calendar.is_working_day(date(2027, 2, 3))
    assert calendar.is_working_day(date(2027, 2, 11))


def test_holiday_has_english_name_too():
    calendar = WorkingCalendar()
    assert calendar.day_off(date(2027, 2, 6)) == DayOff(date(2027, 2, 6), "holiday", "Tết Nguyên Đán", "Lunar New Year")
    assert calendar.day_off(date(2027, 9, 2)) == DayOff(date(2027, 9, 2), "holiday", "Quốc khánh", "National Day")


def test_holiday_on_a_weekend_is_reported_as_the_holiday():
    # Sat 1 May 2027 is Labour Day: the holiday explains the day better than "Saturday".
    day_off = WorkingCalendar().day_off(date(2027, 5, 1))
    assert day_off is not None and day_off.kind == "holiday"
    assert day_off.reason_en == "International Labor Day"


def test_weekends_are_days_off():
    calendar = WorkingCalendar()
    # 13 and 14 June 2026 are a Saturday and a Sunday with no holiday.
    assert calendar.day_off(date(2026, 6, 13)) == DayOff(date(2026, 6, 13), "weekend", "Thứ Bảy", "Saturday")
    assert calendar.day_off(date(2026, 6, 14)) == DayOff(date(2026, 6, 14), "weekend", "Chủ nhật", "Sunday")
    # Mon 15 June 2026 is an ordinary working day.
    assert calendar.day_off(date(2026, 6, 15)) is None
    assert calendar.is_working_day(date(2026, 6, 15))


def test_day_off_override_makes_a_weekday_a_day_off():
    entry = CalendarEntry(date(2026, 6, 17), "day_off", "Nghỉ bù", "Compensatory day off")
    calendar = WorkingCalendar([entry])
    assert calendar.day_off(date(2026, 6, 17)) == DayOff(
        date(2026, 6, 17), "override", "Nghỉ bù", "Compensatory day off"
    )
    assert not calendar.is_working_day(date(2026, 6, 17))


def test_working_day_override_wins_over_weekend_and_holiday():
    calendar = WorkingCalendar(
        [
            CalendarEntry(date(2026, 6, 13), "working_day", "Làm bù", "Make-up working day"),  # a Saturday
            CalendarEntry(date(2027, 11, 24), "working_day", "Làm bù", "Make-up working day"),  # Vietnam Cultural Day
        ]
    )
    assert calendar.is_working_day(date(2026, 6, 13))
    assert calendar.is_working_day(date(2027, 11, 24))
    # The Sunday after the make-up Saturday is still a day off.
    assert not calendar.is_working_day(date(2026, 6, 14))


def test_override_with_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown kind"):
        WorkingCalendar([CalendarEntry(date(2026, 6, 13), "half_day", "?", "?")])


def test_swaps_known_to_the_package_count_both_ways():
    # The package moves 2026's National Day bridge: Mon 31 Aug 2026 off, worked on Sat 22 Aug 2026 instead.
    calendar = WorkingCalendar()
    day_off = calendar.day_off(date(2026, 8, 31))
    assert day_off is not None and day_off.kind == "holiday"
    assert calendar.is_working_day(date(2026, 8, 22))
    # Across a year boundary: Mon 31 Dec 2018 off, paid for by working Sat 5 Jan 2019.
    assert not calendar.is_working_day(date(2018, 12, 31))
    assert calendar.is_working_day(date(2019, 1, 5))


def test_next_working_day():
    calendar = WorkingCalendar()
    # A working day is its own next working day (Wed 3 Feb 2027).
    assert calendar.next_working_day(date(2027, 2, 3)) == date(2027, 2, 3)
    # Sat 13 June 2026 -> Mon 15 June 2026.
    assert calendar.next_working_day(date(2026, 6, 13)) == date(2026, 6, 15)
    # Inside Tết 2027 (Sat 6 Feb) -> Thu 11 Feb, the first day after Mùng năm.
    assert calendar.next_working_day(date(2027, 2, 6)) == date(2027, 2, 11)


def test_holiday_years_are_loaded_lazily_and_once_per_process(monkeypatch):
    _holiday_year.cache_clear()
    loaded: list[tuple[int, str]] = []
    real = holidays.country_holidays

    def counting(country, *, years, language):
        loaded.append((years, language))
        return real(country, years=years, language=language)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    calendar = WorkingCalendar()
    assert loaded == []
    calendar.is_working_day(date(2027, 3, 3))  # a Wednesday: only 2027 is needed
    calendar.is_working_day(date(2027, 3, 4))
    assert loaded == [(2027, "vi"), (2027, "en_US")]
    # A weekend also looks at the neighbouring years' swaps, each loaded once.
    calendar.is_working_day(date(2027, 3, 6))
    calendar.is_working_day(date(2027, 3, 7))
    assert sorted(loaded) == sorted((year, language) for year in (2026, 2027, 2028) for language in ("vi", "en_US"))
    # A new calendar (one per request) reuses what the process already loaded.
    WorkingCalendar().is_working_day(date(2027, 3, 6))
    assert len(loaded) == 6

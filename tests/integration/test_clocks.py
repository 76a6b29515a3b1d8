"""A case carries two clocks: the citizen's, from the first receipt, never restarted; and the holding agency's,
started on a lawful forward, accumulating across the agency's holdings, so transfers back and forth cannot
hide lateness from the due date, "overdue now", the reports or the public league."""

import datetime as dt

import pytest
import time_machine
from caunoi.cases.models import ClockSegment, EventType
from caunoi.cases.services import (
    calendar_override_add,
    case_answer_draft,
    case_approve,
    case_claim,
    case_extend,
    case_submit_for_review,
    case_transfer,
)
from caunoi.cases.services.deadline import refresh_due
from caunoi.cases.services.sweep import deadline_sweep
from caunoi.reports.aggregates import stats_refresh
from caunoi.reports.figures import report_summary
from caunoi.reports.periods import month_period
from caunoi.reports.scope import Scope

from tests.conftest import api_as
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=VN)


def due_date(case):
    case.refresh_from_db()
    return case.due_at.astimezone(VN).date() if case.due_at else None


def transfer(case, by, to, when):
    with time_machine.travel(when, tick=False):
        case_transfer(case=case, by=by, to_agency=to, reason="Không thuộc thẩm quyền")


@pytest.fixture
def ping_pong(personas, reference_data):
    """A question at SO-NNMT-HN from Monday 8 June 2026 (15 working days: due 29 June), sent to BO-GDDT on
    22 June after 10 working days, and back on 24 June."""
    agencies = reference_data["agencies"]
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, token = submit_case()
    transfer(case, personas["official_a"], agencies["BO-GDDT"], at(2026, 6, 22))
    transfer(case, personas["official_b"], agencies["SO-NNMT-HN"], at(2026, 6, 24))
    case.refresh_from_db()
    return case, token


def test_a_transfer_back_continues_the_agencys_earlier_clock(ping_pong):
    case, _ = ping_pong
    # SO-NNMT-HN used 9–22 June (10 working days); 23–24 June were BO-GDDT's; 5 remain from 25 June.
    assert due_date(case) == dt.date(2026, 7, 1)
    assert case.clock_started_on == dt.date(2026, 6, 8)
    skipped = {d["date"]: d["kind"] for d in case.due_explanation["en"]["skipped"]}
    assert skipped["2026-06-23"] == skipped["2026-06-24"] == "elsewhere"
    transferred = case.events.filter(type=EventType.TRANSFERRED).order_by("id").last()
    assert transferred.payload["clock_continued_from"] == "2026-06-08"


def test_a_lawful_forward_starts_the_receivers_own_clock_and_a_second_holding_continues_it(
    ping_pong, personas, reference_data
):
    case, _ = ping_pong
    # BO-GDDT first held it 22–24 June: a fresh 15 working days from 22 June, of which 23 and 24 June ran.
    transfer(case, personas["official_a"], reference_data["agencies"]["BO-GDDT"], at(2026, 6, 26))
    # 25 and 26 June were SO-NNMT-HN's: 13 working days remain from 29 June, to 15 July (not 17 July).
    assert due_date(case) == dt.date(2026, 7, 15)
    assert list(ClockSegment.objects.filter(case=case).values_list("agency__code", "started_on", "ended_on")) == [
        ("SO-NNMT-HN", dt.date(2026, 6, 8), dt.date(2026, 6, 22)),
        ("BO-GDDT", dt.date(2026, 6, 22), dt.date(2026, 6, 24)),
        ("SO-NNMT-HN", dt.date(2026, 6, 24), dt.date(2026, 6, 26)),
        ("BO-GDDT", dt.date(2026, 6, 26), None),
    ]


def test_ping_pong_cannot_hide_lateness_from_the_sweep_and_the_queue(ping_pong, personas):
    case, _ = ping_pong
    assert deadline_sweep(now=at(2026, 7, 2)).overdue == 1
    listed = api_as(personas["official_a"]).get("/api/v1/queue/", {"overdue": "true"}).json()
    assert [row["tracking_code"] for row in listed["results"]] == [case.tracking_code]


def test_the_stored_due_date_is_a_fresh_recompute(ping_pong, personas):
    case, _ = ping_pong
    with time_machine.travel(at(2026, 6, 25), tick=False):
        case_extend(case=case, by=personas["leader"], days=3, reason="Cần xác minh")
    case.refresh_from_db()
    stored = case.due_at
    refresh_due(case)
    assert case.due_at == stored == dt.datetime(2026, 7, 6, 23, 59, 59, tzinfo=VN)


def test_staff_and_track_api_show_both_clocks(ping_pong, personas, api):
    case, token = ping_pong
    with time_machine.travel(at(2026, 6, 30), tick=False):
        staff = api_as(personas["official_a"]).get(f"/api/v1/cases/{case.pk}/").json()
        track = api.get(f"/api/v1/cases/track/{case.tracking_code}/", HTTP_X_ACCESS_TOKEN=token).json()
    # Back at SO-NNMT-HN on 24 June, nobody has taken it up: 5 working days to forward it, to 1 July.
    assert staff["forwarding"] == {"date": "2026-07-01", "passed": False}
    assert "forwarding" not in track
    for body in (staff, track):
        clocks = body["clocks"]
        assert clocks["citizen"]["received_on"] == "2026-06-08"
        assert clocks["citizen"]["days_elapsed"] == 16  # 9 June to 30 June, working days
        assert clocks["citizen"]["transfers"] == 2
        assert clocks["citizen"]["legal_days"] == 15
        assert clocks["agency"]["code"] == "SO-NNMT-HN"
        assert clocks["agency"]["days_used"] == 14  # 16 less the two days BO-GDDT held it
        assert clocks["agency"]["holdings"] == 2
        assert clocks["agency"]["due_date"] == "2026-07-01"


def test_the_report_counts_on_time_by_the_holding_agencys_clock(ping_pong, personas, reference_data):
    case, _ = ping_pong
    with time_machine.travel(at(2026, 7, 3), tick=False):  # two days after the continued clock ran out
        case_claim(case=case, by=personas["official_a"])
        case_answer_draft(case=case, by=personas["official_a"], body="Trả lời.")
        case_submit_for_review(case=case, by=personas["official_a"])
        case_approve(case=case, by=personas["leader"], version=1)
    agency = reference_data["agencies"]["SO-NNMT-HN"]
    figures = report_summary(scope=Scope(paths=(agency.path,), agency=agency), period=month_period(2026, 7))
    assert (figures.answered, figures.answered_on_time) == (1, 0)  # a fresh clock would have said "on time"


def test_the_staff_page_shows_both_clocks_and_the_forwarding_period(ping_pong, personas, web, reference_data):
    case, _ = ping_pong
    web.force_login(personas["official_a"])
    with time_machine.travel(at(2026, 6, 30), tick=False):
        page = web.get(f"/staff/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "16 days since the first receipt" in page
    assert "2 transfers" in page
    assert "Clock of Ha Noi Department of Agriculture and Environment" in page  # by name, not code
    assert "14 of 15 days used" in page
    assert "held 2 times: the days others held it do not count" in page
    assert "Held by another agency" in page  # 23 and 24 June, in the days that did not count
    assert "Forward by (if not competent)" in page  # back in "received": nobody has taken it up
    with time_machine.travel(at(2026, 6, 30), tick=False):
        case_claim(case=case, by=personas["official_a"])
        claimed = web.get(f"/staff/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Forward by (if not competent)" not in claimed


def test_the_track_page_shows_the_citizens_clock(ping_pong, web):
    case, token = ping_pong
    with time_machine.travel(at(2026, 6, 30), tick=False):
        first = web.post("/track/", {"code": case.tracking_code, "token": token})
        page = web.get(first["Location"], HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Ông/Bà đã chờ 16 ngày làm việc kể từ khi chúng tôi tiếp nhận yêu cầu." in page
    assert "Yêu cầu đã được chuyển giữa các cơ quan 2 lần." in page


def answer_on(case, personas, when):
    with time_machine.travel(when, tick=False):
        case_claim(case=case, by=personas["official_a"])
        case_answer_draft(case=case, by=personas["official_a"], body="Trả lời.")
        case_submit_for_review(case=case, by=personas["official_a"])
        case_approve(case=case, by=personas["leader"], version=1)


def test_reports_and_the_league_also_show_the_citizens_days_and_transfers(
    ping_pong, personas, reference_data, api, settings
):
    settings.REPORTS_LEAGUE_MIN_ANSWERED = 1
    case, _ = ping_pong
    answer_on(case, personas, at(2026, 7, 3))
    stats_refresh()  # the minute's refresh of the aggregates the league reads
    agency = reference_data["agencies"]["SO-NNMT-HN"]
    figures = report_summary(scope=Scope(paths=(agency.path,), agency=agency), period=month_period(2026, 7))
    assert figures.citizen_median_days == 19  # working days from 8 June (first receipt) to 3 July
    assert figures.answered_transferred == 1
    assert figures.as_dict()["citizen_median_days"] == 19
    league = api.get("/api/v1/reports/league/", {"period": "2026-07"}).json()
    [row] = [r for r in league["agencies"] if r["agency"]["code"] == "SO-NNMT-HN"]
    assert (row["answered_on_time"], row["citizen_median_days"], row["answered_transferred"]) == (0, 19, 1)


def test_an_agencys_extension_stays_with_its_continued_clock(personas, reference_data):
    agencies = reference_data["agencies"]
    with time_machine.travel(at(2026, 6, 8), tick=False):
        case, _ = submit_case()
    with time_machine.travel(at(2026, 6, 19), tick=False):
        case_extend(case=case, by=personas["leader"], days=3, reason="Cần xác minh")
    transfer(case, personas["official_a"], agencies["BO-GDDT"], at(2026, 6, 22))
    assert due_date(case) == dt.date(2026, 7, 13)  # BO-GDDT's own 15 days: SO-NNMT-HN's extension is not its
    transfer(case, personas["official_b"], agencies["SO-NNMT-HN"], at(2026, 6, 24))
    assert due_date(case) == dt.date(2026, 7, 6)  # 5 days left of 15, and the 3 extended: 25 June to 6 July
    assert case.due_explanation["en"]["extension_days"] == 3


def test_a_calendar_change_recomputes_a_ping_pong_case_as_a_fresh_recompute_would(ping_pong):
    case, _ = ping_pong
    with time_machine.travel(at(2026, 6, 25), tick=False):
        calendar_override_add(day=dt.date(2026, 6, 30), kind="day_off", reason_vi="Nghỉ bù", reason_en="Day off")
    assert due_date(case) == dt.date(2026, 7, 2)
    stored = case.due_at
    refresh_due(case)
    assert case.due_at == stored

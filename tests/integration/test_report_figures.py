"""Every report figure against values computed by hand on a crafted timeline (report_timeline below).

The timeline (Vietnam time, 2026; holidays: 26–27/04 Hùng Kings, 30/04, 01/05):
  A question, land, Hà Nội → SO-NNMT-HN. Received Thu 23/04; a draft returned once; answered Thu 07/05
    (due Tue 19/05: 15 working days, four holidays skipped). 7 working days. Rated 5.
  B question, construction → SO-XD-HN on Mon 06/04, transferred to SO-NNMT-HN Wed 08/04 (its clock starts
    again); paused 09/04–13/04 waiting for the citizen; extended by 3 days (due 11/05); answered Wed 20/05:
    late. 27 working days from 08/04. Rated 2.
  C feedback (20 calendar days), pollution → SO-NNMT-HN. Received 10/06, answered 25/06: 15 calendar days.
  D question, land → SO-NNMT-HN. Received Mon 04/05, still open, due Mon 25/05: overdue.
  E question, education → BO-GDDT (outside Hà Nội). Received Mon 01/06, answered Wed 03/06: 2 working days.
  F question, land → SO-NNMT-HN. Received Fri 20/03 (before Q2), answered Thu 02/04: 9 working days.
"Now" is Wed 01/07/2026 12:00.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.accounts.models import Role
from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import Case
from caunoi.cases.services import (
    case_answer_draft,
    case_approve,
    case_citizen_reply,
    case_claim,
    case_extend,
    case_rate,
    case_request_info,
    case_return,
    case_submit_for_review,
    case_transfer,
)
from caunoi.reports.figures import report_figures, report_summary
from caunoi.reports.periods import month_period, parse_period, quarter_period
from caunoi.reports.scope import EVERY_AGENCY, Filters, Scope
from caunoi.reports.series import league_table, report_monthly, report_ranking

from tests.conftest import make_user
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=VN)
Q2 = quarter_period(2026, 2)


def at(month: int, day: int, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime(2026, month, day, hour, 0, tzinfo=VN), tick=False)


def answer(case: Case, official, leader, *, returned: bool = False) -> None:
    case_answer_draft(case=case, by=official, body="Trả lời.")
    case_submit_for_review(case=case, by=official)
    if returned:
        case_return(case=case, by=leader, comment="Bổ sung căn cứ pháp lý.")
        case_answer_draft(case=case, by=official, body="Trả lời, có căn cứ.")
        case_submit_for_review(case=case, by=official)
    case_approve(case=case, by=leader, version=2 if returned else 1)


def build_timeline(personas, agencies) -> dict[str, Case]:
    official, leader = personas["official_a"], personas["leader"]
    official_xd = make_user("official-xd", Role.OFFICIAL, [agencies["SO-XD-HN"]])
    official_gd = personas["official_b"]
    leader_gd = make_user("leader-gd", Role.LEADER, [agencies["BO-GDDT"]])
    cases: dict[str, Case] = {}
    with at(3, 20):
        cases["F"], _ = submit_case()
        case_claim(case=cases["F"], by=official)
    with at(4, 2):
        answer(cases["F"], official, leader)
    with at(4, 6, 9):
        cases["B"], _ = submit_case(category="xay-dung", title="Hỏi về giấy phép xây dựng")
    with at(4, 8):
        case_transfer(
            case=cases["B"], by=official_xd, to_agency=agencies["SO-NNMT-HN"], reason="Thuộc lĩnh vực đất đai"
        )
        case_claim(case=cases["B"], by=official)
    with at(4, 9):
        case_request_info(case=cases["B"], by=official, message="Xin gửi bản sao sổ đỏ.")
    with at(4, 13):
        case_citizen_reply(case=cases["B"], body="Đã gửi bản sao.")
    with at(4, 23, 9):
        cases["A"], _ = submit_case()
        case_claim(case=cases["A"], by=official)
    with at(5, 4):
        cases["D"], _ = submit_case(title="Hỏi về tách thửa")
        case_extend(case=cases["B"], by=leader, days=3, reason="Cần xác minh thực địa.")
    with at(5, 7):
        answer(cases["A"], official, leader, returned=True)
    with at(5, 8):
        case_rate(case=cases["A"], score=5)
    with at(5, 20):
        answer(cases["B"], official, leader)
    with at(5, 21):
        case_rate(case=cases["B"], score=2)
    with at(6, 1):
        cases["E"], _ = submit_case(category="giao-duc", area=None, title="Hỏi về tuyển sinh lớp 10")
        case_claim(case=cases["E"], by=official_gd)
    with at(6, 3):
        answer(cases["E"], official_gd, leader_gd)
    with at(6, 10, 8):
        cases["C"], _ = submit_case(
            kind="feedback", category="moi-truong", title="Phản ánh ô nhiễm", body="Nước thải gây ô nhiễm kênh."
        )
        case_claim(case=cases["C"], by=official)
    with at(6, 25):
        answer(cases["C"], official, leader)
    for case in cases.values():
        case.refresh_from_db()
    return cases


@pytest.fixture
def timeline(personas, reference_data) -> dict[str, Case]:
    return build_timeline(personas, reference_data["agencies"])


def scope_of(agency: Agency) -> Scope:
    return Scope(paths=(agency.path,), agency=agency)


def test_the_timeline_is_what_the_figures_assume(timeline, reference_data):
    hn = reference_data["agencies"]
    assert {k: c.agency_id for k, c in timeline.items()} == {
        "A": hn["SO-NNMT-HN"].pk, "B": hn["SO-NNMT-HN"].pk, "C": hn["SO-NNMT-HN"].pk,
        "D": hn["SO-NNMT-HN"].pk, "E": hn["BO-GDDT"].pk, "F": hn["SO-NNMT-HN"].pk,
    }  # fmt: skip
    due = {k: c.due_at.astimezone(VN).date() for k, c in timeline.items()}
    assert due["A"] == dt.date(2026, 5, 19)
    assert due["B"] == dt.date(2026, 5, 11)
    assert due["C"] == dt.date(2026, 6, 30)
    assert due["D"] == dt.date(2026, 5, 25)


def test_a_leaders_subtree_rolls_up_its_agencies(timeline, reference_data):
    figures = report_figures(scope=scope_of(reference_data["agencies"]["UBND-HN"]), period=Q2, now=NOW)[()]
    assert figures.received == 4  # A, B (routed and transferred inside the subtree: once), C, D; not F
    assert figures.answered == 4  # A, B, C, F
    assert figures.answered_on_time == 3  # B was late
    assert figures.on_time_rate == 0.75
    assert figures.overdue_now == 1  # D
    assert figures.median_days == 12.0  # 7, 9, 15, 27
    assert figures.p90_days == pytest.approx(23.4)  # 15 + 0.7 × (27 − 15)
    assert figures.transfers == 1  # B left SO-XD-HN
    assert figures.returns == 1  # A's first draft
    assert (figures.ratings, figures.rating_average) == (2, 3.5)
    assert figures.rating_distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert figures.dialogue_participation == 0


def test_one_agency_alone(timeline, reference_data):
    agencies = reference_data["agencies"]
    land = report_summary(scope=scope_of(agencies["SO-NNMT-HN"]), period=Q2)
    assert (land.received, land.answered, land.transfers) == (4, 4, 0)  # B arrived by transfer
    construction = report_summary(scope=scope_of(agencies["SO-XD-HN"]), period=Q2)
    assert (construction.received, construction.answered, construction.transfers) == (1, 0, 1)
    assert construction.on_time_rate is None and construction.median_days is None


def test_grouped_by_agency_each_agency_on_its_own(timeline, reference_data):
    agencies = reference_data["agencies"]
    grouped = report_figures(scope=scope_of(agencies["UBND-HN"]), period=Q2, group_by=("agency",))
    by_code = {Agency.objects.get(pk=key[0]).code: f for key, f in grouped.items()}
    assert set(by_code) == {"SO-NNMT-HN", "SO-XD-HN"}
    land, construction = by_code["SO-NNMT-HN"], by_code["SO-XD-HN"]
    assert (land.received, land.answered, land.transfers, land.overdue_now, land.ratings) == (4, 4, 0, 1, 2)
    assert (construction.received, construction.answered, construction.transfers) == (1, 0, 1)  # at the sender


def test_every_agency_and_the_filters(timeline, categories):
    everything = report_summary(scope=EVERY_AGENCY, period=Q2)
    assert (everything.received, everything.answered, everything.answered_on_time) == (5, 5, 4)
    assert everything.median_days == 9.0  # 2, 7, 9, 15, 27
    feedback = report_summary(scope=EVERY_AGENCY, period=Q2, filters=Filters(kind="feedback"))
    assert (feedback.received, feedback.answered, feedback.median_days) == (1, 1, 15.0)
    land = report_summary(scope=EVERY_AGENCY, period=Q2, filters=Filters(category=categories["dat-dai"]))
    assert (land.received, land.answered, land.overdue_now) == (2, 2, 1)  # A, D; A, F; D


def test_grouped_by_kind_and_category(timeline, categories):
    by_kind = report_figures(scope=EVERY_AGENCY, period=Q2, group_by=("kind",))
    assert {k: (f.received, f.answered, f.answered_on_time) for (k,), f in by_kind.items()} == {
        "question": (4, 4, 3),
        "feedback": (1, 1, 1),
    }
    by_category = report_figures(scope=EVERY_AGENCY, period=Q2, group_by=("category",))
    slugs = dict(Category.objects.values_list("pk", "slug"))
    assert {slugs[k]: f.answered for (k,), f in by_category.items()} == {
        "dat-dai": 2,
        "xay-dung": 1,
        "moi-truong": 1,
        "giao-duc": 1,
    }
    assert {slugs[k]: f.ratings for (k,), f in by_category.items() if f.ratings} == {"dat-dai": 1, "xay-dung": 1}


def test_a_month_sees_only_its_own_events(timeline):
    may = report_summary(scope=EVERY_AGENCY, period=month_period(2026, 5))
    assert (may.received, may.answered, may.answered_on_time, may.returns, may.transfers) == (1, 2, 1, 1, 0)
    april = report_summary(scope=EVERY_AGENCY, period=parse_period("2026-04"))
    assert (april.received, april.answered, april.transfers) == (2, 1, 1)


def test_month_by_month(timeline, reference_data):
    months = report_monthly(scope=scope_of(reference_data["agencies"]["UBND-HN"]), period=Q2, now=NOW)
    assert [m.month for m in months] == [dt.date(2026, n, 1) for n in range(1, 7)]
    table = {m.month.month: (m.received, m.answered, m.answered_on_time, m.backlog, m.overdue) for m in months}
    assert table == {
        1: (0, 0, 0, 0, 0),
        2: (0, 0, 0, 0, 0),
        3: (1, 0, 0, 1, 0),  # F open on 31/03
        4: (2, 1, 1, 2, 0),  # A and B open on 30/04, neither past due
        5: (1, 2, 1, 1, 1),  # D open and past due on 31/05
        6: (1, 1, 1, 1, 1),
    }
    land = reference_data["categories"]["dat-dai"].pk
    assert months[4].received_by_category == {land: 1}


def test_agencies_ranked_by_on_time_rate(timeline, reference_data):
    agencies = reference_data["agencies"]
    ranked = report_ranking(scope=EVERY_AGENCY, period=Q2)
    assert [(r.agency.code, r.figures.answered, r.figures.on_time_rate) for r in ranked] == [
        ("BO-GDDT", 1, 1.0),
        ("SO-NNMT-HN", 4, 0.75),
    ]
    assert [r.agency.code for r in report_ranking(scope=scope_of(agencies["UBND-HN"]), period=Q2)] == ["SO-NNMT-HN"]
    assert [r.agency.code for r in league_table(period=Q2, min_answered=2)] == ["SO-NNMT-HN"]
    assert league_table(period=Q2, min_answered=5) == []


def test_a_calendar_override_changes_working_days(timeline, reference_data):
    from caunoi.cases.services import calendar_override_add

    # Wed 06/05 becomes a day off, after A and B were answered: A counts 6 working days instead of 7 and B
    # 26 instead of 27 (the table follows the calendar in force); F (answered in April) and C are untouched.
    calendar_override_add(day=dt.date(2026, 5, 6), kind="day_off", reason_vi="Nghỉ bù", reason_en="Day off")
    figures = report_summary(scope=scope_of(reference_data["agencies"]["UBND-HN"]), period=Q2)
    assert figures.median_days == 12.0  # 6, 9, 15, 26
    assert figures.p90_days == pytest.approx(22.7)  # 15 + 0.7 × (26 − 15)


def test_dialogue_participation_comes_from_its_provider(timeline, reference_data, monkeypatch):
    from caunoi.reports import hooks

    asked = []

    def provider(paths, start, end):
        asked.append((paths, start, end))
        return 7

    monkeypatch.setattr(hooks, "_dialogue_participation", None)
    hooks.register_dialogue_participation(provider)
    hanoi = reference_data["agencies"]["UBND-HN"]
    assert report_summary(scope=scope_of(hanoi), period=Q2).dialogue_participation == 7
    assert asked == [((hanoi.path,), Q2.start, Q2.end)]

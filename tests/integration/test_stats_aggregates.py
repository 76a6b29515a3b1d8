"""The per-agency, per-period aggregates equal a recomputation from the timeline, are kept current by the
refresh (reading only what changed), and are what the league and the dashboard read."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.cases.services import (
    case_answer_draft,
    case_appeal,
    case_approve,
    case_rate,
    case_submit_for_review,
)
from caunoi.reports.aggregates import stats_rebuild_all, stats_refresh
from caunoi.reports.figures import DIMENSIONS, report_figure_sets
from caunoi.reports.models import AgencyPeriodStats
from caunoi.reports.periods import month_period, parse_period, quarter_period
from caunoi.reports.report import report_build
from caunoi.reports.scope import EVERY_AGENCY, Filters, Scope
from caunoi.reports.series import league_table, report_monthly, report_ranking
from caunoi.reports.stats import stats_figure_sets, stats_league_table, stats_monthly

from tests.integration.test_report_figures import answer, build_timeline
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=VN)
SETS = [(), ("kind",), ("category",), ("agency",), ("kind", "category", "agency")]
# Received counts a case at each agency it reaches (aggregates.py): equal to the live figure per agency.
COMPARED = (
    "answered", "answered_on_time", "overdue_now", "median_days", "p90_days", "transfers", "returns",
    "citizen_median_days", "answered_transferred", "ratings", "rating_average", "rating_distribution", "appeals",
)  # fmt: skip


def travel(moment: dt.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def history(personas, reference_data):
    """The reports' crafted timeline (transfers, a pause, an extension, returns, ratings), an appeal of A
    in June and its second answer in July, each step followed by the minute's refresh as in production."""
    cases = build_timeline(personas, reference_data["agencies"])
    with travel(dt.datetime(2026, 6, 2, 9, tzinfo=VN)):
        stats_refresh()
        case_appeal(case=cases["A"], reason="Chưa nêu căn cứ pháp lý.")
        stats_refresh()
    cases["A"].refresh_from_db()
    with travel(dt.datetime(2026, 6, 15, 9, tzinfo=VN)):
        from caunoi.cases.services import case_claim

        case_claim(case=cases["A"], by=personas["official_a"])
        case_answer_draft(case=cases["A"], by=personas["official_a"], body="Trả lời lần hai.")
        case_submit_for_review(case=cases["A"], by=personas["official_a"])
        case_approve(case=cases["A"], by=personas["leader"], version=3)
        stats_refresh()
    return cases


def rows() -> list[tuple]:
    return sorted(
        AgencyPeriodStats.objects.values_list(
            "period", "first_day", "agency_id", "kind", "category_id", "received", "answered", "answered_on_time",
            "answered_transferred", "returns", "transfers_out", "appeals", "ratings", "rating_sum", "rating_counts",
            "answer_days", "citizen_days", "backlog_end", "overdue_end",
        ),
        key=repr,
    )  # fmt: skip


def compared(figures) -> dict:
    return {name: getattr(figures, name) for name in COMPARED}


def test_the_incremental_aggregates_equal_a_rebuild_from_scratch(history):
    with travel(NOW):
        stats_refresh()
        kept = rows()
        stats_rebuild_all()
        rebuilt = rows()
        for row in {repr(r) for r in kept} ^ {repr(r) for r in rebuilt}:
            print(row)
        assert rebuilt == kept
    assert any(row[0] == "month" for row in kept) and any(row[0] == "day" for row in kept)


@pytest.mark.parametrize("code", ["2026-Q2", "2026-04", "2026-05", "2026-06", "2026-03", "2026"])
def test_every_grouping_equals_the_figures_computed_from_the_timeline(history, reference_data, code):
    period = parse_period(code)
    hanoi = reference_data["agencies"]["UBND-HN"]
    with travel(NOW):
        stats_refresh()
        for scope in (EVERY_AGENCY, Scope(paths=(hanoi.path,), agency=hanoi)):
            live = report_figure_sets(scope=scope, period=period, sets=SETS)
            ours = stats_figure_sets(scope=scope, period=period, sets=SETS)
            for group in SETS:
                assert {k: compared(f) for k, f in ours[group].items()} == {
                    k: compared(f) for k, f in live[group].items()
                }, (code, scope.paths, group)
            by_agency = {k: f.received for k, f in live[("agency",)].items()}
            assert {k: f.received for k, f in ours[("agency",)].items()} == by_agency


def test_filters_and_a_custom_range_across_months(history, categories):
    period = parse_period(None, dt.date(2026, 4, 5), dt.date(2026, 6, 12))
    with travel(NOW):
        stats_refresh()
        for filters in (Filters(kind="question"), Filters(category=categories["dat-dai"])):
            live = report_figure_sets(scope=EVERY_AGENCY, period=period, sets=[("agency",)], filters=filters)
            ours = stats_figure_sets(scope=EVERY_AGENCY, period=period, sets=[("agency",)], filters=filters)
            assert {k: compared(f) for k, f in ours[("agency",)].items()} == {
                k: compared(f) for k, f in live[("agency",)].items()
            }


def test_the_league_and_the_months_equal_the_timelines(history):
    with travel(NOW):
        stats_refresh()
        for code in ("2026-Q2", "2026-05"):
            period = parse_period(code)
            live = [(r.agency.code, compared(r.figures)) for r in league_table(period=period, min_answered=1)]
            ours = [(r.agency.code, compared(r.figures)) for r in stats_league_table(period=period, min_answered=1)]
            assert ours == live and ours
        months = stats_monthly(scope=EVERY_AGENCY, period=quarter_period(2026, 2))
        live_months = report_monthly(scope=EVERY_AGENCY, period=quarter_period(2026, 2))
        assert [(m.month, m.answered, m.answered_on_time, m.backlog, m.overdue) for m in months] == [
            (m.month, m.answered, m.answered_on_time, m.backlog, m.overdue) for m in live_months
        ]


def test_a_new_event_is_reflected_by_the_next_refresh_which_reads_only_what_changed(history, personas):
    july = month_period(2026, 7)
    with travel(NOW):
        stats_refresh()
        before = stats_figure_sets(scope=EVERY_AGENCY, period=july, sets=[()])[()][()]
        case, _token = submit_case(title="Hỏi về thuế đất")
        from caunoi.cases.services import case_claim

        case_claim(case=case, by=personas["official_a"])
        answer(case, personas["official_a"], personas["leader"])
        case.refresh_from_db()
        case_rate(case=case, score=4)
        assert stats_figure_sets(scope=EVERY_AGENCY, period=july, sets=[()])[()][()].answered == before.answered
        rebuilt = stats_refresh()
    assert rebuilt == [dt.date(2026, 6, 30), dt.date(2026, 7, 1)]  # yesterday and today: nothing older is read
    with travel(NOW):
        after = stats_figure_sets(scope=EVERY_AGENCY, period=july, sets=[()])[()][()]
    assert (after.answered, after.received, after.ratings) == (before.answered + 1, before.received + 1, 1)


def test_an_event_recorded_for_an_older_day_rebuilds_that_day_and_its_month(history, personas, reference_data):
    from caunoi.cases.events import record
    from caunoi.cases.models import EventType

    with travel(NOW):
        stats_refresh()
        case = history["D"]
        record(case, EventType.ANSWERED, at=dt.datetime(2026, 5, 29, 10, tzinfo=VN))  # an import, say
        rebuilt = stats_refresh()
        assert dt.date(2026, 5, 29) in rebuilt
        may = stats_figure_sets(scope=EVERY_AGENCY, period=month_period(2026, 5), sets=[()])[()][()]
        assert (
            may.answered
            == report_figure_sets(scope=EVERY_AGENCY, period=month_period(2026, 5), sets=[()])[()][()].answered
        )


def test_the_dashboards_report_reads_the_aggregates(history, reference_data, django_assert_max_num_queries):
    hanoi = reference_data["agencies"]["UBND-HN"]
    scope = Scope(paths=(hanoi.path,), agency=hanoi)
    with travel(NOW):
        stats_refresh()
        report = report_build(scope=scope, period=quarter_period(2026, 2))
        live = report_figure_sets(scope=scope, period=quarter_period(2026, 2), sets=[()])[()][()]
        assert compared(report.total) == compared(live)
        ranking = report_ranking(scope=scope, period=quarter_period(2026, 2))
        assert [(r.agency.code, compared(r.figures)) for r in report.ranking] == [
            (r.agency.code, compared(r.figures)) for r in ranking
        ]
        assert [r.agency.code for r in report.ranking] == ["UBND-HN", "SO-NNMT-HN"]  # A's appeal was answered there
    assert DIMENSIONS == ("kind", "category", "agency")


def test_a_refresh_skips_its_turn_while_another_holds_the_aggregates(reference_data, settings):
    import psycopg
    from caunoi.reports.aggregates import _LOCK_KEY

    db = settings.DATABASES["default"]
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"] or "postgres", dbname=db["NAME"], autocommit=True
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])  # a long rebuild, say
        assert stats_refresh() == []  # the worker is not held up; the next minute's run does the work
        # Released before the next refresh: closing alone frees it only once the server process has ended,
        # which a loaded machine may do after the next line runs.
        other.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    finally:
        other.close()
    assert stats_refresh() != []

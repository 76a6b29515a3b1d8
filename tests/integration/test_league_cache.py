"""The public league costs a reader one cache read: an ended period is computed once and kept, the current
quarter and month are recomputed by a periodic task; agencies' names are read afresh."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.agencies.models import Agency
from caunoi.reports.aggregates import stats_refresh
from caunoi.reports.league import league_cached
from caunoi.reports.periods import parse_period
from caunoi.reports.tasks import refresh_current_league

from tests.integration.test_report_figures import build_timeline

pytestmark = pytest.mark.django_db

VN = dt.timezone(dt.timedelta(hours=7))
LATER = dt.datetime(2026, 8, 3, 9, tzinfo=VN)  # Q2 2026 has ended


@pytest.fixture
def timeline(personas, reference_data):
    cases = build_timeline(personas, reference_data["agencies"])
    stats_refresh()  # the minute's refresh of the aggregates the league reads
    return cases


def ranking(rows):
    return [(row.agency.code, row.figures.answered, row.figures.answered_on_time) for row in rows]


def test_an_ended_period_is_computed_once_and_then_read_from_the_cache(
    timeline, django_assert_num_queries, django_assert_max_num_queries
):
    period = parse_period("2026-Q2")
    with time_machine.travel(LATER, tick=False):
        first = league_cached(period=period, min_answered=2)
        assert ranking(first) == [("SO-NNMT-HN", 4, 3)]
        with django_assert_num_queries(1):  # the agencies, by id: no figures are computed
            again = league_cached(period=period, min_answered=2)
        assert ranking(again) == ranking(first)
        Agency.objects.filter(code="SO-NNMT-HN").update(name="Sở Nông nghiệp và Môi trường TP Hà Nội")
        assert league_cached(period=period, min_answered=2)[0].agency.name.endswith("TP Hà Nội")


def test_the_page_and_the_api_read_the_cache(timeline, web, api, settings, django_assert_max_num_queries):
    settings.REPORTS_LEAGUE_MIN_ANSWERED = 2
    with time_machine.travel(LATER, tick=False):
        assert api.get("/api/v1/reports/league/", {"period": "2026-Q2"}).status_code == 200  # computes it
        with django_assert_max_num_queries(4):  # the site and the agencies, for each: no figures computed
            page = web.get("/agencies/on-time/", {"period": "2026-Q2"})
            body = api.get("/api/v1/reports/league/", {"period": "2026-Q2"}).json()
    assert page.status_code == 200 and "Sở Nông nghiệp và Môi trường Hà Nội" in page.content.decode()
    assert [row["agency"]["code"] for row in body["agencies"]] == ["SO-NNMT-HN"]


def test_the_periodic_tasks_refresh_the_current_period(timeline, personas, settings):
    from caunoi.cases.services import case_claim
    from caunoi.reports.tasks import refresh_statistics

    from tests.integration.test_report_figures import answer

    settings.REPORTS_LEAGUE_MIN_ANSWERED = 2
    period = parse_period("2026-Q2")
    with time_machine.travel(dt.datetime(2026, 6, 30, 10, tzinfo=VN), tick=False):
        assert ranking(league_cached(period=period, min_answered=2)) == [("SO-NNMT-HN", 4, 3)]
        case_claim(case=timeline["D"], by=personas["official_a"])
        answer(timeline["D"], personas["official_a"], personas["leader"])  # late: due 25/05
        assert ranking(league_cached(period=period, min_answered=2)) == [("SO-NNMT-HN", 4, 3)]  # until refreshed
        assert refresh_statistics() >= 2  # today and yesterday at least
        assert refresh_current_league() == 1
        assert ranking(league_cached(period=period, min_answered=2)) == [("SO-NNMT-HN", 5, 3)]

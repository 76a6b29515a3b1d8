"""The aggregates' histograms of days in fixed bins (day_bins.py): what the league and the dashboard sum so
that a read costs the same whatever the history. Exact up to 60 days, a coarse bin's lower bound beyond."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from caunoi.cases.services import case_claim
from caunoi.reports.aggregates import stats_rebuild_all
from caunoi.reports.day_bins import BIN_COUNT, BIN_VALUES, EXACT_DAYS, bin_sql, histogram_of
from caunoi.reports.figures import report_figure_sets
from caunoi.reports.models import AgencyPeriodStats
from caunoi.reports.periods import parse_period
from caunoi.reports.scope import EVERY_AGENCY
from caunoi.reports.stats import stats_figure_sets
from django.db import connection

from tests.integration.test_report_figures import answer, at
from tests.integration.test_stats_aggregates import history, travel  # noqa: F401 (the fixture)
from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def expected_value(days: int) -> int:
    """The value a count of days is read back as."""
    if days <= EXACT_DAYS:
        return max(days, 0)
    return next(bound for bound in reversed((61, 91, 181, 366)) if days >= bound)


def binned(histogram: dict[str, int]) -> dict[int, int]:
    result: dict[int, int] = {}
    for days, count in histogram.items():
        result[expected_value(int(days))] = result.get(expected_value(int(days)), 0) + count
    return result


def test_postgresql_puts_each_count_of_days_in_the_bin_python_reads_it_as():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d, {bin_sql('d')} FROM generate_series(-3, 800) AS d")  # noqa: S608
        for days, index in cursor.fetchall():
            assert 0 <= index < BIN_COUNT
            assert BIN_VALUES[index] == expected_value(days), days


def test_every_rows_bins_are_its_exact_histogram_binned(history):  # noqa: F811
    with travel(dt.datetime(2026, 7, 1, 12, tzinfo=VN)):
        stats_rebuild_all()
    rows = AgencyPeriodStats.objects.exclude(period="now")
    assert any(row.answer_days for row in rows)
    for row in rows:
        assert row.answer_bins is not None and row.citizen_bins is not None, row
        assert len(row.answer_bins) == len(row.citizen_bins) == BIN_COUNT
        assert histogram_of(row.answer_bins) == binned(row.answer_days), row
        assert histogram_of(row.citizen_bins) == binned(row.citizen_days), row


def test_a_median_beyond_the_exact_range_reads_as_its_bins_lower_bound(personas):
    official, leader = personas["official_a"], personas["leader"]
    with at(1, 5):
        late, _ = submit_case()
        case_claim(case=late, by=official)
    with at(6, 2):
        answer(late, official, leader)
    with at(6, 3):
        quick, _ = submit_case()
        case_claim(case=quick, by=official)
    with at(6, 5):
        answer(quick, official, leader)
    june = parse_period("2026-06")
    with travel(dt.datetime(2026, 7, 1, 12, tzinfo=VN)):
        stats_rebuild_all()
        live = report_figure_sets(scope=EVERY_AGENCY, period=june, sets=[()])[()][()]
        ours = stats_figure_sets(scope=EVERY_AGENCY, period=june, sets=[()])[()][()]
    # Two answers, 2 working days (Wed 3 → Fri 5 June) and 98 (5 January → 2 June): percentile_cont
    # interpolates between them, so the late one is read as its bin's lower bound, 91.
    assert (live.median_days, live.p90_days) == (pytest.approx((2 + 98) / 2), pytest.approx(2 + 0.9 * 96))
    assert (ours.median_days, ours.p90_days) == (pytest.approx((2 + 91) / 2), pytest.approx(2 + 0.9 * 89))


def test_the_release_migration_fills_the_bins_of_rows_built_before_them(history):  # noqa: F811
    fill = importlib.import_module("caunoi.reports.migrations.0004_flat_fill_day_bins").fill_day_bins
    with travel(dt.datetime(2026, 7, 1, 12, tzinfo=VN)):
        stats_rebuild_all()
    built = {row.pk: (row.answer_bins, row.citizen_bins) for row in AgencyPeriodStats.objects.all()}
    AgencyPeriodStats.objects.update(answer_bins=None, citizen_bins=None)
    fill(None, SimpleNamespace(connection=connection))
    assert {row.pk: (row.answer_bins, row.citizen_bins) for row in AgencyPeriodStats.objects.all()} == built
    assert any(bins for bins, _ in built.values())

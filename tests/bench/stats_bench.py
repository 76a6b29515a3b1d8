"""Benchmark of the public league table and the dashboard as history grows, printed as figures (not a test):
`python tests/bench/stats_bench.py`.

For each size in STATS_BENCH_CASES (default "20000,200000": what this machine generates in a few minutes;
the issue's target is "200000,2000000", i.e. 2M vs 20M events), a database of its own gets that many cases
and ten events per case, written by report_bench.py's set-based generator (received over ten months, 90%
answered or rejected, some transferred, some returned, a third of the answered rated). The aggregates are
built once (`manage.py rebuild_statistics`, timed). Then the quarter's league table (every agency) and the
leader's dashboard report (`report_build`: totals, by kind, by category, six months, ranking) are computed
BENCH_SAMPLES times each with the closed-period cache turned off, so each sample reads the aggregates; the
sizes alternate (a busy moment of a shared machine falls on both alike). p50 and p95 are printed, with the
ratio of p95 at the largest size to p95 at the smallest (goal ≤ 1.2: flat as history grows) and the number
of aggregate rows a read sums (the work itself, free of timing noise). For comparison, the same league
computed from the event table (the live selectors, the path before the aggregates) is timed BENCH_REPEAT
times at each size.

BENCH_KEEP=1 keeps the databases and reuses them next time (generation is the slow part).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT), str(Path(__file__).resolve().parent)]

import report_bench  # noqa: E402
from benchdb import drop_database, server_dsn, setup_django, use_database  # noqa: E402

SIZES = [int(n) for n in os.environ.get("STATS_BENCH_CASES", "20000,200000").split(",") if n]
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "40"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
QUARTER = report_bench.QUARTER
DSN, BASE_NAME = "", ""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def prepare(size: int) -> tuple[str, str]:
    """A database of `size` cases with its aggregates; returns (dsn, name)."""
    from django.core.management import call_command

    report_bench.TOTAL_CASES = size  # the generator reads it when it runs
    dsn, name = DSN, f"{BASE_NAME}_{size}"
    print(f"\n{size:,} cases, {size * report_bench.EVENTS_PER_CASE:,} events in {name}", flush=True)
    if KEEP and report_bench.database_is_ready(dsn, name):
        print("  reusing the database from an earlier run (BENCH_KEEP=1)")
        use_database(name)
        return dsn, name
    report_bench.create_database(dsn, name)
    print(f"  generated in {report_bench.generate(dsn, name):.0f} s", flush=True)
    use_database(name)
    seconds = timed(lambda: call_command("rebuild_statistics", verbosity=0))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_agencyperiodstats")
        cursor.execute(
            "SELECT count(*), pg_total_relation_size('reports_agencyperiodstats') FROM reports_agencyperiodstats"
        )
        rows, size_bytes = cursor.fetchone()
    print(f"  aggregates built in {seconds:.1f} s: {rows:,} rows, {size_bytes / 2**20:.1f} MiB", flush=True)
    return dsn, name


def rows_read(period: Any) -> int:
    """How many aggregate rows a read of `period` sums: the work itself, independent of timing noise."""
    from caunoi.core import clock
    from caunoi.reports.stats import _rows_of
    from django.db import connection

    where, params = _rows_of(period.first_day, period.last_day, clock.local_date())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM reports_agencyperiodstats s WHERE {where}", params)  # noqa: S608
        return int(cursor.fetchone()[0])


BATCH = 5  # samples per size before switching to the other database (a switch reconnects, untimed)


def readers() -> tuple[Any, Any, Any]:
    """The league, the dashboard and the live league of the current database, as callables."""
    from caunoi.agencies.models import Agency
    from caunoi.reports.periods import parse_period
    from caunoi.reports.report import report_build
    from caunoi.reports.scope import Scope
    from caunoi.reports.series import league_table
    from caunoi.reports.stats import stats_league_table
    from django.conf import settings

    period = parse_period(QUARTER)
    hanoi = Agency.objects.get(code="UBND-HN")
    leader = Scope(paths=(hanoi.path,), agency=hanoi)
    minimum = settings.REPORTS_LEAGUE_MIN_ANSWERED
    return (
        lambda: stats_league_table(period=period, min_answered=minimum),
        lambda: report_build(scope=leader, period=period),
        lambda: league_table(period=period, min_answered=minimum),
    )


def main() -> int:
    global DSN, BASE_NAME
    setup_django()
    from caunoi.reports.aggregates import stats_refresh
    from caunoi.reports.periods import parse_period
    from django.conf import settings

    DSN, BASE_NAME = server_dsn("bench_stats")  # before any database is chosen: the name is the project's
    print(f"statistics benchmark: quarter {QUARTER}, sizes {', '.join(f'{n:,}' for n in SIZES)} cases, "
          f"{SAMPLES} samples each (p95), the sizes alternating every {BATCH} samples")  # fmt: skip
    names = {size: prepare(size)[1] for size in SIZES}
    # Nothing counts as closed: every sample reads the aggregates instead of the for-ever cache.
    settings.REPORTS_STATS_REBUILD_DAYS = 100_000
    samples: dict[int, dict[str, list[float]]] = {size: {"league": [], "dashboard": []} for size in SIZES}
    try:
        for _ in range(max(1, SAMPLES // BATCH)):
            for size in SIZES:  # alternating, so a busy moment of the machine falls on both sizes alike
                use_database(names[size])
                league, dashboard, _live = readers()
                league(), dashboard()  # a fresh connection's first queries load its catalogue: untimed
                for _ in range(BATCH):
                    samples[size]["league"].append(timed(league))
                    samples[size]["dashboard"].append(timed(dashboard))
        results: dict[int, dict[str, tuple[float, float]]] = {}
        for size in SIZES:
            use_database(names[size])
            _league, _dashboard, live_league = readers()
            live = [timed(live_league) for _ in range(REPEAT)]
            refresh = timed(stats_refresh)
            read = rows_read(parse_period(QUARTER))
            results[size] = {label: (statistics.median(v), p95(v)) for label, v in samples[size].items()}
            results[size]["live league"] = (statistics.median(live), max(live))
            print(f"\n{size:,} cases, {size * report_bench.EVENTS_PER_CASE:,} events")
            for label, (median, high) in results[size].items():
                print(f"  {label:12} p50 {median * 1000:8.1f} ms   p95 {high * 1000:8.1f} ms")
            print(f"  (live league: the same table from the event table, median and max of {REPEAT})")
            print(f"  one minute's refresh of the aggregates (today and yesterday): {refresh * 1000:.0f} ms")
            print(f"  aggregate rows the quarter's league reads: {read:,} (the work, whatever the machine's load)")
    finally:
        if not KEEP:
            for name in names.values():
                drop_database(DSN, name)
    small, large = min(SIZES), max(SIZES)
    print(f"\np95 at {large:,} cases over p95 at {small:,} cases ({large // small}× the history):")
    for label in ("league", "dashboard"):
        ratio = results[large][label][1] / results[small][label][1]
        met = "met" if ratio <= 1.2 else "NOT met"
        print(f"  {label:10} {ratio:5.2f}× (goal ≤ 1.2×, flat as history grows) {met}")
    ratio = results[large]["live league"][0] / results[small]["live league"][0]
    print(f"  live league from the event table, for comparison: {ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())

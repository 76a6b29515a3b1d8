"""Benchmark of the quarterly report, printed as figures (not a test): `python tests/bench/report_bench.py`.

A database of its own (`<name>_bench_report`) gets REPORT_BENCH_CASES cases (default 2,000,000) and ten
events per case (20,000,000), written by set-based SQL (generate_series) in a few statements. Received over
ten months, 90% answered or rejected; some transferred, some drafts returned; a third of the answered rated.

It then times the quarter's figures for a leader's subtree (UBND-HN and the four agencies below it) and for
every agency, through the reports' selectors (`report_figures`: the same code as the dashboard, the CSV/XLSX
exports and the API), against one hand-written SQL statement computing the same figures, in the same run,
alternating, BENCH_REPEAT times each (default 5); prints the medians and the ratio (goal ≤ 2×), and checks
that the figures agree. It also prints the time of the whole quarterly report (`report_build`: totals, by
kind, by category, month by month, agencies ranked), which the XLSX download renders.

BENCH_KEEP=1 keeps the database and reuses it next time (generation is the slow part).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from benchdb import drop_database, recreate_database, row_count, server_dsn, setup_django, use_database  # noqa: E402

TOTAL_CASES = int(os.environ.get("REPORT_BENCH_CASES", "2000000"))
EVENTS_PER_CASE = 10
BATCH = 250_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
QUARTER = "2026-Q2"
# Cases are received from 01/10/2025 over 300 days: the quarter holds about 30% of them.
FIRST_DAY, SPREAD_DAYS = "2025-10-01", 300
NOW = "2026-08-01 12:00:00+07"
AGENCY_SHARE = {
    "SO-NNMT-HN": 30, "SO-XD-HN": 10, "UBND-HN": 6, "UBND-P-HOANKIEM": 5, "UBND-P-BADINH": 4,
    "BO-NNMT": 15, "BO-GDDT": 15, "VPCP-TIEPNHAN": 10, "VPCP": 3, "CP": 2,
}  # fmt: skip


def database_is_ready(dsn: str, name: str) -> bool:
    """With BENCH_KEEP=1, a database left by an earlier run is reused if it holds the full data set."""
    return row_count(dsn, name, "cases_case") == TOTAL_CASES


def create_database(dsn: str, name: str) -> None:
    recreate_database(dsn, name)
    from caunoi.accounts.models import Role, User
    from caunoi.agencies.models import Membership
    from caunoi.agencies.seed import seed_agencies, seed_categories

    agencies = seed_agencies()
    seed_categories()
    leader = User.objects.create_user(username="bench-leader", role=Role.LEADER)
    Membership.objects.create(user=leader, agency=agencies["UBND-HN"])
    from django.db import connection

    connection.close()


# --- The data -------------------------------------------------------------------------------------------

# Per case g: pseudo-random draws h[i] (hashes of g with different seeds). Received at a random minute of a
# random day; its clock starts that day; due 15 days later for questions, 20 for the others (the shape of
# the policy; exact working-day arithmetic is not needed for the figures, which read the stored due date);
# closed (answered or rejected) after 1–30 days for nine cases in ten.
CASES = """
WITH g AS (
    SELECT g, array[(hashint8extended(g, 1) & {mask}), (hashint8extended(g, 2) & {mask}),
                    (hashint8extended(g, 3) & {mask}), (hashint8extended(g, 4) & {mask}),
                    (hashint8extended(g, 5) & {mask})] AS h
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
), c AS (
    SELECT g, h,
           (%(agencies)s::bigint[])[1 + h[1] %% 100] AS agency_id,
           (%(categories)s::bigint[])[1 + h[2] %% {categories}] AS category_id,
           (ARRAY['question', 'question', 'feedback', 'petition'])[1 + h[3] %% 4] AS kind,
           %(first_day)s::timestamptz + make_interval(mins => (h[4] %% ({spread} * 1440))::int) AS received_at,
           h[5] %% 10 <> 0 AS closed,
           h[5] %% 13 = 0 AS rejected
    FROM g
)
INSERT INTO cases_case (
    id, created_at, updated_at, kind, title, body, category_id, area_id, channel, submitter_id,
    contact_name, contact_email, contact_phone, contact_address, show_name_publicly, consent_to_publish,
    language, tracking_code, access_token_hash, agency_id, status, assignee_id, routing_rule,
    routing_explanation, received_at, clock_started_on, due_at, due_explanation, closed_at, forward_by,
    duplicate_of_id, split_from_id, lifecycle_version, routing_version, deadline_version, held_reason
)
SELECT g, received_at, received_at, kind, 'Câu hỏi ' || g, 'Nội dung', category_id, NULL, 'web', NULL,
       'Nguyễn Văn An', '', '', '', false, false, 'vi', 'BR-' || g, md5(g::text), agency_id,
       CASE WHEN NOT closed THEN 'in_progress' WHEN rejected THEN 'rejected' ELSE 'answered' END, NULL, '',
       '{{}}'::jsonb, received_at, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
       ((received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
            + CASE WHEN kind = 'question' THEN 21 ELSE 20 END + time '23:59:59') AT TIME ZONE 'Asia/Ho_Chi_Minh',
       '{{}}'::jsonb,
       CASE WHEN closed THEN received_at + make_interval(hours => (1 + h[2] %% 720)::int) END,
       NULL, NULL, NULL, 1, 1, 1, ''
FROM c
"""

# Ten events per case, evenly spaced from receipt to closing (or to receipt + 20 days for open cases). Event
# 9 is a transfer into the case's agency from another one for one case in eleven; event 8 a return for one
# in seven; event 10 the answer (or rejection) of a closed case.
EVENTS = """
INSERT INTO cases_caseevent (case_id, type, at, actor_id, status, agency_id, payload, lifecycle_version,
                             routing_version, deadline_version)
SELECT c.id,
       CASE n WHEN 1 THEN 'submitted' WHEN 2 THEN 'routed' WHEN 3 THEN 'deadline_set' WHEN 4 THEN 'claimed'
              WHEN 5 THEN 'note_added' WHEN 6 THEN 'answer_drafted' WHEN 7 THEN 'review_requested'
              WHEN 8 THEN CASE WHEN c.id %% 7 = 0 THEN 'returned' ELSE 'answer_drafted' END
              WHEN 9 THEN CASE WHEN c.id %% 11 = 0 THEN 'transferred' ELSE 'note_added' END
              ELSE CASE WHEN c.status = 'answered' THEN 'answered' WHEN c.status = 'rejected' THEN 'rejected'
                        ELSE 'reminded' END END,
       c.received_at + (COALESCE(c.closed_at, c.received_at + interval '20 days') - c.received_at) * (n - 1) / 9,
       NULL, c.status, c.agency_id,
       CASE WHEN n = 9 AND c.id %% 11 = 0
            THEN jsonb_build_object('from', (%(codes)s::text[])[1 + (c.id / 11) %% {codes}], 'to', 'x')
            ELSE '{{}}'::jsonb END,
       1, 1, 1
FROM cases_case c CROSS JOIN generate_series(1, {per_case}) AS n
WHERE c.id BETWEEN %(first)s AND %(last)s
"""

RATINGS = """
INSERT INTO cases_rating (case_id, score, comment, created_at)
SELECT id, 1 + (id / 3) % 5, '', closed_at + interval '1 day'
FROM cases_case WHERE status = 'answered' AND id % 3 = 0
"""


def generate(dsn: str, name: str) -> float:
    started = time.perf_counter()
    with psycopg.connect(f"{dsn} dbname={name}") as conn:
        conn.execute("SET synchronous_commit = off")
        # The rows are right by construction: skip the foreign-key triggers, most of a bulk insert's cost.
        conn.execute("SET session_replication_role = replica")
        agencies = dict(conn.execute("SELECT code, id FROM agencies_agency").fetchall())
        params: dict[str, Any] = {
            "agencies": [agencies[code] for code, share in AGENCY_SHARE.items() for _ in range(share)],
            "categories": [row[0] for row in conn.execute("SELECT id FROM agencies_category ORDER BY id")],
            "codes": sorted(agencies),
            "first_day": FIRST_DAY,
        }
        mask = 2**63 - 1
        cases_sql = CASES.format(mask=mask, categories=len(params["categories"]), spread=SPREAD_DAYS)
        events_sql = EVENTS.format(codes=len(params["codes"]), per_case=EVENTS_PER_CASE)
        for first in range(1, TOTAL_CASES + 1, BATCH):
            last = min(first + BATCH - 1, TOTAL_CASES)
            conn.execute(cases_sql, {**params, "first": first, "last": last})
            conn.execute(events_sql, {**params, "first": first, "last": last})
            conn.commit()
            print(f"  {last:,} cases, {last * EVENTS_PER_CASE:,} events ({time.perf_counter() - started:.0f} s)",
                  flush=True)  # fmt: skip
        conn.execute(RATINGS)
        conn.commit()
    with psycopg.connect(f"{dsn} dbname={name}", autocommit=True) as conn:
        conn.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [TOTAL_CASES])
        conn.execute("VACUUM ANALYZE cases_case, cases_caseevent, cases_rating")
    return time.perf_counter() - started


# --- The hand-written query -----------------------------------------------------------------------------

# The quarter's figures in one statement, written as one would by hand: one pass over the period's events
# (received, answered, on time, returns, days to answer through the working-day table, transfers by
# sender), one over open cases, one over ratings.
RAW = """
WITH scope AS (
    SELECT id, code FROM agencies_agency WHERE path LIKE %(pattern)s
), ev AS (
    SELECT e.type, e.case_id, e.at, e.agency_id, e.payload ->> 'from' AS sender,
           c.due_at, c.kind, c.clock_started_on
    FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
    WHERE e.at >= %(start)s AND e.at < %(end)s
      AND e.type IN ('routed', 'transferred', 'answered', 'returned')
), mine AS (
    SELECT ev.*,
           CASE WHEN ev.type <> 'answered' THEN NULL
                WHEN ev.kind = 'question' THEN wa.ordinal - ws.ordinal
                ELSE (ev.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - ev.clock_started_on END AS days
    FROM ev
    LEFT JOIN reports_workingday wa ON wa.day = (ev.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
    LEFT JOIN reports_workingday ws ON ws.day = ev.clock_started_on
    WHERE ev.agency_id IN (SELECT id FROM scope)
), totals AS (
    SELECT count(DISTINCT case_id) FILTER (WHERE type IN ('routed', 'transferred')) AS received,
           count(*) FILTER (WHERE type = 'answered') AS answered,
           count(*) FILTER (WHERE type = 'answered' AND (due_at IS NULL OR at <= due_at)) AS on_time,
           count(*) FILTER (WHERE type = 'returned') AS returns,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90_days
    FROM mine
)
SELECT t.received, t.answered, t.on_time, t.returns, t.median_days, t.p90_days,
       (SELECT count(*) FROM ev WHERE ev.type = 'transferred' AND ev.sender IN (SELECT code FROM scope)),
       (SELECT count(*) FROM cases_case c
        WHERE c.closed_at IS NULL AND c.due_at < %(now)s AND c.agency_id IN (SELECT id FROM scope)),
       r.n, r.average, r.s1, r.s2, r.s3, r.s4, r.s5
FROM totals t, (
    SELECT count(*) AS n, avg(r.score) AS average,
           count(*) FILTER (WHERE r.score = 1) AS s1, count(*) FILTER (WHERE r.score = 2) AS s2,
           count(*) FILTER (WHERE r.score = 3) AS s3, count(*) FILTER (WHERE r.score = 4) AS s4,
           count(*) FILTER (WHERE r.score = 5) AS s5
    FROM cases_rating r JOIN cases_case c ON c.id = r.case_id
    WHERE r.created_at >= %(start)s AND r.created_at < %(end)s AND c.agency_id IN (SELECT id FROM scope)
) r
"""


def raw_figures(path: str, period: Any, now: Any) -> tuple[Any, ...]:
    from django.db import connection

    params = {"pattern": f"{path}%", "start": period.start, "end": period.end, "now": now}
    with connection.cursor() as cursor:
        cursor.execute(RAW, params)
        row = cursor.fetchone()
    received, answered, on_time, returns, median, p90, transfers, overdue, n, average, *scores = row
    return (received, answered, on_time, returns, _r(median), _r(p90), transfers, overdue, n, _r(average), *scores)


def selector_figures(scope: Any, period: Any, now: Any) -> tuple[Any, ...]:
    from caunoi.reports.figures import report_figures

    f = report_figures(scope=scope, period=period, now=now)[()]
    return (
        f.received, f.answered, f.answered_on_time, f.returns, _r(f.median_days), _r(f.p90_days), f.transfers,
        f.overdue_now, f.ratings, _r(f.rating_average), *(f.rating_distribution[s] for s in range(1, 6)),
    )  # fmt: skip


def _r(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    setup_django()
    import datetime as dt

    from caunoi.agencies.models import Agency
    from caunoi.reports.periods import parse_period
    from caunoi.reports.report import report_build
    from caunoi.reports.scope import EVERY_AGENCY, Scope
    from caunoi.reports.workdays import working_days_ready

    dsn, name = server_dsn("bench_report")
    print(f"report benchmark: {TOTAL_CASES:,} cases, {TOTAL_CASES * EVENTS_PER_CASE:,} events in {name}")
    if KEEP and database_is_ready(dsn, name):
        print("  reusing the database from an earlier run (BENCH_KEEP=1)")
        use_database(name)
    else:
        create_database(dsn, name)
        seconds = generate(dsn, name)
        print(f"  generated in {seconds:.0f} s")
        use_database(name)
    try:
        working_days_ready()
        period = parse_period(QUARTER)
        now = dt.datetime.fromisoformat(NOW)
        hanoi = Agency.objects.get(code="UBND-HN")
        scenarios = [
            ("leader's subtree (UBND-HN + 4)", Scope(paths=(hanoi.path,), agency=hanoi), hanoi.path),
            ("every agency", EVERY_AGENCY, "/"),
        ]
        print(f"\nquarter {QUARTER}, median of {REPEAT} runs each, alternating (seconds)")
        print(f"{'scope':34} {'selectors':>10} {'one SQL':>10} {'ratio':>7}  figures agree")
        for label, scope, path in scenarios:
            ours, raw = [], []
            selector_figures(scope, period, now), raw_figures(path, period, now)  # warm the caches alike
            ours_result = raw_result = None
            for _ in range(REPEAT):
                seconds, ours_result = timed(lambda: selector_figures(scope, period, now))  # noqa: B023
                ours.append(seconds)
                seconds, raw_result = timed(lambda: raw_figures(path, period, now))  # noqa: B023
                raw.append(seconds)
            a, b = statistics.median(ours), statistics.median(raw)
            agree = ours_result == raw_result
            print(f"{label:34} {a:10.2f} {b:10.2f} {a / b:6.2f}×  {'yes' if agree else 'NO'}")
            met = "met" if a / b <= 2 and agree else "NOT met"
            print(f"    ratio selectors / one SQL: {a / b:.2f}× (goal ≤ 2×, same figures) {met}")
            print("    received, answered, on time, returns, median, p90, transfers, overdue, ratings, avg, 1–5:")
            print(f"    selectors {ours_result}")
            if not agree:
                print(f"    one SQL   {raw_result}")
        seconds, _report = timed(lambda: report_build(scope=scenarios[0][1], period=period))
        print(f"\nwhole quarterly report (report_build: totals, by kind, by category, 6 months, ranking), "
              f"leader's subtree: {seconds:.2f} s")  # fmt: skip
    finally:
        if not KEEP:
            drop_database(dsn, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the officials' work queue, printed as figures (not a test): `python tests/bench/queue_bench.py`.

A database of its own (`<name>_bench_queue`) gets 2,000,000 cases, 200,000 of them open, spread over the
demonstration agencies. For an official (one agency) and a leader (an agency and the four below it) it
measures `case_list_for_queue` — the selector, through the ORM, building model instances — on page 1 and
on pages 100 and 500 (reached by following cursors; only the deep page's own query is timed), with and
without filters, against a hand-written psycopg query doing the same keyset walk on the same partial
index, in the same run, in alternating order. Goal: p95 ≤ 3× raw SQL, and flat across page depth.

BENCH_KEEP=1 keeps the database after the run and reuses it on the next one (generation is the slow part).
BENCH_REPEAT sets how many times each query is timed (default 100).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from benchdb import drop_database, recreate_database, row_count, server_dsn, setup_django, use_database  # noqa: E402

TOTAL_CASES = 2_000_000
OPEN_EVERY = 10  # one case in ten is open: 200,000
PAGE_SIZE = 50
DEEP_PAGES = (100, 500)
REPEAT = int(os.environ.get("BENCH_REPEAT", "100"))  # p95 of 40 timings moved with one scheduler hiccup
KEEP = os.environ.get("BENCH_KEEP") == "1"

# Share of all cases per demonstration agency (per cent). Uneven on purpose, as real queues are: the Hà Nội
# land department (the official's agency, 80,000 open cases) is the busiest, so that even its filtered queues
# reach page 500; the Hà Nội subtree (the leader's reach: five agencies) holds 65% of the cases.
AGENCY_SHARE = {
    "SO-NNMT-HN": 40,
    "SO-XD-HN": 10,
    "UBND-HN": 6,
    "UBND-P-HOANKIEM": 5,
    "UBND-P-BADINH": 4,
    "BO-NNMT": 10,
    "BO-GDDT": 10,
    "VPCP-TIEPNHAN": 10,
    "VPCP": 3,
    "CP": 2,
}
OFFICIAL, LEADER = "bench-official", "bench-leader"  # of SO-NNMT-HN; of UBND-HN, above it


# --- The database ---------------------------------------------------------------------------------------


def database_is_ready(dsn: str, name: str) -> bool:
    """With BENCH_KEEP=1, a database left by an earlier run is reused if it holds the full data set."""
    return (row_count(dsn, name, "cases_case") or 0) >= TOTAL_CASES


def create_database(dsn: str, name: str) -> None:
    recreate_database(dsn, name)
    seed_reference_and_staff()
    from django.db import connection

    connection.close()


def seed_reference_and_staff() -> None:
    """Areas, the demonstration agencies and categories, and the two staff members the benchmark acts as.

    Not `seed_demo`: its sample cases go through intake, which this benchmark has no reason to depend on.
    """
    from caunoi.accounts.models import Role, User
    from caunoi.agencies.models import Membership
    from caunoi.agencies.seed import seed_agencies, seed_areas, seed_categories

    seed_areas()
    agencies = seed_agencies()
    seed_categories()
    for username, role, agency in ((OFFICIAL, Role.OFFICIAL, "SO-NNMT-HN"), (LEADER, Role.LEADER, "UBND-HN")):
        user = User.objects.create_user(username=username, role=role)
        Membership.objects.create(user=user, agency=agencies[agency])


# --- The data -------------------------------------------------------------------------------------------

TITLES = [
    "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
    "Rác thải tập kết trái phép ở đầu ngõ",
    "Đề nghị sửa chữa đường làng bị xuống cấp",
    "Hỏi về học phí năm học mới",
    "Tiếng ồn công trình xây dựng ban đêm",
    "Thủ tục chuyển mục đích sử dụng đất",
    "Nước thải chảy ra kênh gây ô nhiễm",
    "Đăng ký thường trú cho con",
]
BODIES = [
    "Gia đình tôi sử dụng đất ổn định từ năm 1990, không có tranh chấp. Xin hỏi hồ sơ gồm những gì?",
    "Nhiều ngày nay rác thải sinh hoạt bị đổ ở đầu ngõ, gây mùi hôi. Đề nghị cơ quan chức năng xử lý.",
    "Con đường qua thôn bị hư hỏng nặng sau mùa mưa, đi lại rất khó khăn, nhất là học sinh.",
    "Kiến nghị xem xét chính sách miễn giảm học phí cho học sinh các xã đặc biệt khó khăn.",
]
AREAS = ["tinh-01", "xa-00070", "xa-00004", "tinh-44", "tinh-79", "tinh-48"]

# One set-based statement writes every case. Independent pseudo-random draws (hashes of the row number g with
# different seeds) choose agency, kind, category, area, status and due day, so that no two move in step.
# Every tenth case is open; open cases are due from 60 days ago to 30 days ahead, at the end of a Vietnamese
# day (as compute_due stores them), so thousands share a due time and the keyset's tie-break on id is
# exercised; one in ten open cases waits for the citizen with its clock paused (due_at NULL).
GENERATE = """
WITH g AS (
    SELECT g, (g %% {open_every}) = 0 AS open,
           array[(hashint8extended(g, 1) & {mask}), (hashint8extended(g, 2) & {mask}),
                 (hashint8extended(g, 3) & {mask}), (hashint8extended(g, 4) & {mask}),
                 (hashint8extended(g, 5) & {mask}), (hashint8extended(g, 6) & {mask})] AS h
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
), c AS (
    SELECT g, open,
           (%(agencies)s::bigint[])[1 + h[1] %% 100] AS agency_id,
           (%(categories)s::bigint[])[1 + h[2] %% {categories}] AS category_id,
           CASE WHEN h[3] %% 7 = 0 THEN NULL ELSE (%(areas)s::bigint[])[1 + h[3] %% {areas}] END AS area_id,
           (ARRAY['question', 'feedback', 'petition'])[1 + h[4] %% 3] AS kind,
           CASE WHEN open THEN (ARRAY['received', 'received', 'received', 'received', 'in_progress',
                                      'in_progress', 'in_progress', 'in_review', 'in_review',
                                      'waiting_citizen'])[1 + h[5] %% 10]
                ELSE (ARRAY['answered', 'answered', 'answered', 'answered', 'answered', 'answered',
                            'rejected'])[1 + h[5] %% 7] END AS status,
           date_trunc('day', %(now)s::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')
               + make_interval(days => (h[6] %% 91)::int - 60) + interval '23:59:59' AS local_due
    FROM g
), rows AS (
    SELECT c.*, (local_due AT TIME ZONE 'Asia/Ho_Chi_Minh') - interval '25 days' AS received_at FROM c
)
INSERT INTO cases_case (
    id, created_at, updated_at, kind, title, body, category_id, area_id, channel, submitter_id,
    contact_name, contact_email, contact_phone, contact_address, show_name_publicly, consent_to_publish,
    language, tracking_code, access_token_hash, agency_id, status, assignee_id, routing_rule,
    routing_explanation, received_at, clock_started_on, due_at, due_explanation, closed_at, forward_by,
    duplicate_of_id, split_from_id, lifecycle_version, routing_version, deadline_version
)
SELECT g, received_at, received_at, kind,
       (%(titles)s::text[])[1 + g %% {titles}] || ' (' || g || ')',
       (%(bodies)s::text[])[1 + g %% {bodies}],
       category_id, area_id, 'web', NULL,
       'Nguyễn Văn An', 'an' || g || '@example.org', '0912345678', '', false, g %% 3 = 0,
       'vi',
       (CASE kind WHEN 'question' THEN 'HD' WHEN 'feedback' THEN 'PA' ELSE 'KN' END)
           || '-2026-' || lpad(g::text, 7, '0'),
       md5(g::text) || md5((-g)::text),
       agency_id, status,
       CASE WHEN status IN ('in_progress', 'in_review') AND g %% 3 = 0 THEN %(official)s::bigint END,
       '', '{{}}'::jsonb,
       received_at, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
       CASE WHEN status <> 'waiting_citizen' THEN local_due AT TIME ZONE 'Asia/Ho_Chi_Minh' END,
       '{{}}'::jsonb,
       CASE WHEN NOT open THEN received_at + interval '12 days' END,
       NULL, NULL, NULL, 1, 1, 1
FROM rows
"""


def generate_cases(dsn: str, name: str) -> float:
    """Writes TOTAL_CASES cases with set-based SQL, in two halves on two connections at once; returns seconds."""
    import threading

    from django.utils import timezone

    with psycopg.connect(f"{dsn} dbname={name}") as conn:
        agency_ids = dict(conn.execute("SELECT code, id FROM agencies_agency").fetchall())
        params: dict[str, Any] = {
            "agencies": [agency_ids[code] for code, share in AGENCY_SHARE.items() for _ in range(share)],
            "categories": [row[0] for row in conn.execute("SELECT id FROM agencies_category ORDER BY id")],
            "areas": [row[0] for row in conn.execute("SELECT id FROM agencies_area WHERE code = ANY(%s)", [AREAS])],
            "titles": TITLES,
            "bodies": BODIES,
            "now": timezone.now(),
            "official": conn.execute("SELECT id FROM accounts_user WHERE username = %s", [OFFICIAL]).fetchone()[0],
        }
        conn.execute("DELETE FROM cases_case")
        conn.commit()
    assert len(params["agencies"]) == 100
    statement = GENERATE.format(
        open_every=OPEN_EVERY, mask=2**63 - 1, categories=len(params["categories"]), areas=len(params["areas"]),
        titles=len(TITLES), bodies=len(BODIES),
    )  # fmt: skip
    halves = [(1, TOTAL_CASES // 2), (TOTAL_CASES // 2 + 1, TOTAL_CASES)]
    errors: list[BaseException] = []

    def load(first: int, last: int) -> None:
        try:
            with psycopg.connect(f"{dsn} dbname={name}") as conn:
                # A throw-away data set: no need to wait for the WAL flush, and the foreign keys are right
                # by construction, so their per-row triggers (most of the cost of a bulk insert) are skipped.
                conn.execute("SET synchronous_commit = off")
                conn.execute("SET session_replication_role = replica")
                conn.execute(statement, {**params, "first": first, "last": last})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=load, args=half) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    with psycopg.connect(f"{dsn} dbname={name}", autocommit=True) as conn:
        conn.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [TOTAL_CASES])
        conn.execute("VACUUM ANALYZE cases_case")
    return time.perf_counter() - started


# --- The measurements -----------------------------------------------------------------------------------

# The same page by hand: the user's reach from their memberships, then one LATERAL walk per agency along
# case_open_queue_idx (ORDER BY its expression, LIMIT), merged, joined to what a row shows. Written out per
# scenario as one would by hand; {reach}, {filters} and {after} are filled in below.
RAW_PAGE = """
WITH reach AS (
    SELECT agency.id
    FROM agencies_membership m
    JOIN agencies_agency mine ON mine.id = m.agency_id
    JOIN agencies_agency agency ON {reach}
    WHERE m.user_id = %(user)s
)
SELECT c.id, c.sort_due, c.tracking_code, c.kind, c.title, c.status, c.received_at, c.due_at,
       c.lifecycle_version, a.code, a.name, a.name_en, cat.slug, cat.name, ar.code, ar.name, u.username
FROM reach
CROSS JOIN LATERAL (
    SELECT c.id, COALESCE(c.due_at, '9999-12-31 00:00:00+00'::timestamptz) AS sort_due, c.tracking_code,
           c.kind, c.title, c.status, c.received_at, c.due_at, c.lifecycle_version, c.agency_id,
           c.category_id, c.area_id, c.assignee_id
    FROM cases_case c
    WHERE c.agency_id = reach.id AND c.closed_at IS NULL{filters}{after}
    ORDER BY COALESCE(c.due_at, '9999-12-31 00:00:00+00'::timestamptz), c.id
    LIMIT %(limit)s
) c
JOIN agencies_agency a ON a.id = c.agency_id
JOIN agencies_category cat ON cat.id = c.category_id
LEFT JOIN agencies_area ar ON ar.id = c.area_id
LEFT JOIN accounts_user u ON u.id = c.assignee_id
ORDER BY c.sort_due, c.id
LIMIT %(limit)s
"""
REACH = {OFFICIAL: "agency.id = mine.id", LEADER: "agency.path LIKE mine.path || '%%'"}
RAW_FILTERS = {
    "none": "",
    "kind=feedback": " AND c.kind = 'feedback'",
    "overdue=true": " AND COALESCE(c.due_at, '9999-12-31 00:00:00+00'::timestamptz) < %(now)s",
    # A word typed without marks, found in the stored folded text (the trigram index or the queue's walk).
    "q=nhiem": " AND c.folded_text LIKE '%%nhiem%%'",
}
RAW_AFTER = " AND (COALESCE(c.due_at, '9999-12-31 00:00:00+00'::timestamptz), c.id) > (%(due)s, %(after_id)s)"


@dataclass(frozen=True)
class Scenario:
    username: str
    filter_name: str
    page: int


@dataclass
class Result:
    scenario: Scenario
    orm: list[float]
    raw: list[float]


def queue_filters(name: str) -> Any:
    from caunoi.cases.queue import QueueFilters

    return {
        "none": QueueFilters(),
        "kind=feedback": QueueFilters(kind="feedback"),
        "overdue=true": QueueFilters(overdue=True),
        "q=nhiem": QueueFilters(q="nhiem"),
    }[name]


class RawQueue:
    """The hand-written page query on a psycopg connection of its own."""

    def __init__(self, conn: psycopg.Connection[Any], user_id: int, username: str, filter_name: str) -> None:
        from django.utils import timezone

        self.conn, self.username, self.filter_name = conn, username, filter_name
        self.params: dict[str, Any] = {"user": user_id, "limit": PAGE_SIZE, "now": timezone.now()}

    def sql(self, after: tuple[Any, int] | None) -> str:
        return RAW_PAGE.format(
            reach=REACH[self.username], filters=RAW_FILTERS[self.filter_name], after=RAW_AFTER if after else ""
        )

    def page(self, after: tuple[Any, int] | None) -> list[tuple[Any, ...]]:
        params = self.params if after is None else {**self.params, "due": after[0], "after_id": after[1]}
        return self.conn.execute(self.sql(after), params).fetchall()

    def cursor_before(self, page: int) -> tuple[Any, int] | None:
        """The cursor that opens `page` (1-based), found by following the keyset page after page."""
        after = None
        for _ in range(page - 1):
            rows = self.page(after)
            if len(rows) < PAGE_SIZE:
                raise LookupError(f"the queue ends before page {page}")
            after = (rows[-1][1], rows[-1][0])
        return after


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(username: str, filter_name: str, conn: psycopg.Connection[Any]) -> tuple[list[Result], list[Scenario]]:
    """Times page 1 and the deep pages of one queue both ways, after checking both return the same cases.

    Pages and ways take turns within each round, so that the machine's load at any moment falls on all
    of them alike: the ratios and the depth comparison are made under the same conditions.
    """
    from caunoi.accounts.models import User
    from caunoi.agencies.selectors import forget_reach
    from caunoi.cases.queue import Cursor, case_list_for_queue

    user = User.objects.get(username=username)
    raw = RawQueue(conn, user.pk, username, filter_name)
    filters = queue_filters(filter_name)
    runs: list[tuple[Scenario, Callable[[], list[int]], Callable[[], object]]] = []
    skipped = []
    for page in (1, *DEEP_PAGES):
        scenario = Scenario(username, filter_name, page)
        try:
            after = raw.cursor_before(page)
        except LookupError:
            skipped.append(scenario)
            continue
        cursor = Cursor(after[0], after[1]) if after else None

        def orm(cursor: Cursor | None = cursor) -> list[int]:
            forget_reach(user)  # as on every request, which loads its user afresh
            listed = case_list_for_queue(user=user, filters=filters, after=cursor, limit=PAGE_SIZE)
            return [case.pk for case in listed.rows]

        def by_hand(after: tuple[Any, int] | None = after) -> list[tuple[Any, ...]]:
            return raw.page(after)

        if orm() != [row[0] for row in by_hand()]:
            raise SystemExit(f"{scenario}: the selector and the raw query disagree")
        runs.append((scenario, orm, by_hand))
    for _ in range(3):  # warm-up: caches, first compilations
        for _scenario, orm, by_hand in runs:
            orm(), by_hand()
    results = {scenario: Result(scenario, [], []) for scenario, _orm, _by_hand in runs}
    for _ in range(REPEAT):
        for scenario, orm, by_hand in runs:
            results[scenario].orm.append(timed(orm))
            results[scenario].raw.append(timed(by_hand))
    return list(results.values()), skipped


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


def print_table(results: list[Result], skipped: list[Scenario]) -> None:
    print(f"\nwork queue: {PAGE_SIZE} cases a page, {REPEAT} timings of each; selector, raw SQL and pages in turn")
    print(f"{'who':<9} {'filter':<14} {'page':>4} | {'selector p50':>12} {'p95':>7} | {'raw SQL p50':>11} "
          f"{'p95':>7} | {'p95 ratio':>9}")  # fmt: skip
    print("-" * 88)
    for result in results:
        s = result.scenario
        who = "official" if s.username == OFFICIAL else "leader"
        orm50, orm95 = percentile(result.orm, 0.5), percentile(result.orm, 0.95)
        raw50, raw95 = percentile(result.raw, 0.5), percentile(result.raw, 0.95)
        print(f"{who:<9} {s.filter_name:<14} {s.page:>4} | {orm50:9.2f} ms {orm95:7.2f} | {raw50:8.2f} ms "
              f"{raw95:7.2f} | {orm95 / raw95:8.2f}×")  # fmt: skip
    for s in skipped:
        print(
            f"{'official' if s.username == OFFICIAL else 'leader':<9} {s.filter_name:<14} {s.page:>4} | (no such page)"
        )
    worst = max(percentile(r.orm, 0.95) / percentile(r.raw, 0.95) for r in results)
    print(f"\nworst p95 ratio selector / raw SQL: {worst:.2f}× (goal ≤ 3×): {'met' if worst <= 3 else 'NOT met'}")
    by_queue: dict[tuple[str, str], dict[int, float]] = {}
    for result in results:
        key = (result.scenario.username, result.scenario.filter_name)
        by_queue.setdefault(key, {})[result.scenario.page] = percentile(result.orm, 0.95)
    flatness = [pages[max(pages)] / pages[1] for pages in by_queue.values() if 1 in pages and len(pages) > 1]
    print(f"depth: selector p95 on the deepest page / page 1: from {min(flatness):.2f}× to {max(flatness):.2f}×")


def print_explain(username: str, page: int) -> None:
    """EXPLAIN ANALYZE of the selector's page query (the ORM's SQL, as sent) on a deep page."""
    from caunoi.accounts.models import User
    from caunoi.cases.queue import Cursor, QueueFilters, case_list_for_queue
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = User.objects.get(username=username)
    after = None
    for _ in range(page - 1):
        next_cursor = case_list_for_queue(user=user, filters=QueueFilters(), after=after, limit=PAGE_SIZE).next_cursor
        after = Cursor.decode(next_cursor) if next_cursor else None
    with CaptureQueriesContext(connection) as queries:
        case_list_for_queue(user=user, filters=QueueFilters(), after=after, limit=PAGE_SIZE)
    sql = next(q["sql"] for q in queries.captured_queries if 'FROM "cases_case"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
        plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
    print(f"\nEXPLAIN ANALYZE of the selector's page query, {username}, page {page} (no filter):\n{plan}")


def main() -> None:
    setup_django()
    dsn, name = server_dsn("bench_queue")
    if KEEP and database_is_ready(dsn, name):
        print(f"reusing {name} (BENCH_KEEP=1)")
        use_database(name)
    else:
        started = time.perf_counter()
        create_database(dsn, name)
        print(f"schema and reference data: {time.perf_counter() - started:.1f} s")
        print(f"generated {TOTAL_CASES:,} cases in {generate_cases(dsn, name):.1f} s")
        use_database(name)
    try:
        results: list[Result] = []
        skipped: list[Scenario] = []
        with psycopg.connect(f"{dsn} dbname={name}", autocommit=True) as conn:
            for username in (OFFICIAL, LEADER):
                for filter_name in RAW_FILTERS:
                    measured, missing = measure(username, filter_name, conn)
                    results += measured
                    skipped += missing
        print_table(results, skipped)
        print_explain(OFFICIAL, DEEP_PAGES[-1])
        print_explain(LEADER, DEEP_PAGES[-1])
    finally:
        if not KEEP:
            drop_database(dsn, name)


if __name__ == "__main__":
    main()

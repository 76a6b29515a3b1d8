"""Deadline sweep benchmark (printed figures, not a test): `make bench`.

10,000 open cases cross a threshold at once (overdue, with escalation to the parent agency's leaders);
the sweep — marks, events and outbox rows, all set-based — against one batched SQL UPDATE touching the
same 10,000 rows, in the same run. Goal: sweep ≤ 3× the UPDATE.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

CASES = int(os.environ.get("BENCH_SWEEP_CASES", "10000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))


def main() -> None:
    from tests.bench.intake_bench import prepare_database

    database, dsn = prepare_database()  # Django is set up on the benchmark's own database
    import datetime as dt

    import psycopg
    from caunoi.accounts.models import User
    from caunoi.cases.models import Case
    from caunoi.cases.services.sweep import deadline_sweep
    from django.db import connection

    for leader in User.objects.filter(role="leader"):
        leader.email = f"{leader.username}@example.org"
        leader.save(update_fields=["email"])
    with connection.cursor() as cursor:
        # Copies of a demo case, each due yesterday: every one crosses the overdue threshold.
        cursor.execute(
            """
            INSERT INTO cases_case (created_at, updated_at, kind, title, body, category_id, area_id, channel,
              submitter_id, contact_name, contact_email, contact_phone, contact_address, show_name_publicly,
              consent_to_publish, language, tracking_code, access_token_hash, agency_id, status, assignee_id,
              routing_rule, routing_explanation, received_at, clock_started_on, due_at, due_explanation,
              closed_at, forward_by, duplicate_of_id, split_from_id, lifecycle_version, routing_version,
              deadline_version)
            SELECT now(), now(), 'question', c.title, c.body, c.category_id, c.area_id, c.channel, NULL,
              c.contact_name, c.contact_email, c.contact_phone, '', false, false, 'vi',
              'BENCH-' || g, c.access_token_hash, c.agency_id, 'received', NULL, c.routing_rule,
              c.routing_explanation, c.received_at, c.clock_started_on, now() - interval '1 day', '{}'::jsonb,
              NULL, NULL, NULL, NULL, c.lifecycle_version, c.routing_version, c.deadline_version
            FROM generate_series(1, %s) g, (SELECT * FROM cases_case ORDER BY id LIMIT 1) c
            """,
            [CASES],
        )
    Case.objects.exclude(tracking_code__startswith="BENCH-").delete()  # the demo cases, with their events
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()

    def reset() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_sweepmark")
            cursor.execute("DELETE FROM cases_caseevent WHERE type = 'overdue'")
            cursor.execute("DELETE FROM notifications_notification")

    sweep_times, update_times, marked = [], [], 0
    now = dt.datetime.now(dt.UTC)
    for _ in range(REPEATS):
        reset()
        started = time.perf_counter()
        result = deadline_sweep(now=now)
        sweep_times.append(time.perf_counter() - started)
        marked = result.overdue
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET updated_at = %s WHERE closed_at IS NULL AND due_at IS NOT NULL AND due_at < %s",
                [now, now],
            )
        update_times.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM notifications_notification WHERE template = 'staff_escalation'")
        messages = cursor.fetchone()[0]
    connection.close()
    sweep, update = statistics.median(sweep_times), statistics.median(update_times)
    print(f"sweep benchmark: {CASES} cases crossing the overdue threshold, median of {REPEATS} runs")
    print(f"  batched UPDATE of the same rows {update * 1000:8.1f} ms")
    print(f"  deadline sweep                  {sweep * 1000:8.1f} ms  ({marked} marked, {messages} escalations)")
    ratio = sweep / update
    if os.environ.get("BENCH_EXPLAIN"):
        reset()
        from caunoi.cases.services import sweep as sweep_module

        for step in ("sweep_reminders", "sweep_overdue", "sweep_late_updates"):
            started = time.perf_counter()
            function = getattr(sweep_module, step)
            function(now=now, **({"today": now.date()} if step != "sweep_overdue" else {}))
            print(f"    {step}: {(time.perf_counter() - started) * 1000:.1f} ms")
    print(f"  ratio sweep / UPDATE: {ratio:.2f} (goal ≤ 3.00) {'met' if ratio <= 3 else 'NOT met'}")
    with psycopg.connect(dsn + " dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()

"""`make bench`: every benchmark, one after the other, each printing its own figures against a baseline
measured in the same run. Figures, never assertions; run on a quiet machine.

  intake_bench.py  POST /api/v1/cases/ against a bare Django view inserting one row (goal ≥ 0.7)
  queue_bench.py   the work queue at 200k open of 2M cases against raw keyset SQL (goal p95 ≤ 3×, flat)
  sweep_bench.py   the deadline sweep over 10k threshold crossings against one batched UPDATE (goal ≤ 3×)
  search_bench.py  published-answers search over 1M items against the unranked GIN match (goal p95 ≤ 3×) and
                   a naive ILIKE scan (goal ≥ 100× faster); SEARCH_BENCH_ITEMS sets the size
  report_bench.py  the quarterly report's figures over 2M cases and 20M events against one hand-written
                   SQL statement (goal ≤ 2×; REPORT_BENCH_CASES sets the size)
  stats_bench.py   the public league table and the dashboard read from the aggregates, p95 at two history
                   sizes (STATS_BENCH_CASES=20000,200000; the target 200000,2000000) and their ratio (goal ≤ 1.2)
  fanout_bench.py  live-dialogue fan-out to N viewers (BENCH_VIEWERS=10000; 1000 on a small machine) on two
                   uvicorn processes against a bare `websockets` broadcast server (goals: p99 ≤ 1.5×, 100%
                   delivered, memory ≤ 1.5×, CPU ≤ 2×); then a restart storm of both processes under N viewers
                   (every viewer back and caught up, 0 missing, 0 duplicates; reconnection p50/p99)
  analytics_bench.py  the item page with usage counting on, off and with Redis down; one count's own time
                   against the page's (goal ≤ 10%); the flush of 20k counts to PostgreSQL
  public_read_bench.py  the home and an item page through deploy/local-cluster (nginx's page cache) against a
                   static file of the same size from the same nginx (goal ≥ 0.5×); uncached p95; a purge
  semantic_bench.py  understanding text on the labelled evaluation set (tests/support/semantic_eval.py): duplicate
                   recall@5 against the trigram lookup, search nDCG@10 against lexical, routing top-1/top-3
                   against the rules, intake latency added, lookup p95, vector search scaling, memory
  semantic_scale_bench.py  the similar-cases lookup through the HNSW file and capped postings at 1M items +
                   200k cases of synthetic vectors and words (goal p95 ≤ 30 ms): build time, file size, recall@10,
                   memory per web process (SEMANTIC_SCALE_ITEMS / SEMANTIC_SCALE_CASES set the size)
  backup_bench.py  manage.py backup + restore of 200k cases, 2M events and 20k attachments against pg_dump,
                   pg_restore and a plain copy (goal ≤ 1.5×), every row and file compared (goal 0 differences)

BENCH_ONLY=intake,sweep runs a subset (or `make bench BENCH_ONLY=queue`). Each benchmark's output streams to
the terminal as it runs (the long ones print their progress) and is written, with a table of every line that
states a goal, to tests/bench/results/latest.md (committed: the figures of the latest full run).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
# A benchmark states each goal on one line: "... (goal ≤ 3×): met" or "... NOT met".
VERDICT = re.compile(r"\(goal[^)]*\).*?\b(NOT met|met)\b|\b(NOT met|met)\b.*\(goal[^)]*\)")
BENCHMARKS = (
    "intake",
    "queue",
    "sweep",
    "report",
    "stats",
    "search",
    "fanout",
    "analytics",
    "public_read",
    "backup",
    "semantic",
    "semantic_scale",
)


def main() -> int:
    chosen = [name for name in os.environ.get("BENCH_ONLY", ",".join(BENCHMARKS)).split(",") if name]
    outputs: dict[str, tuple[str, int, float]] = {}
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        outputs[name] = run(name)
    failed = [name for name, (_out, code, _secs) in outputs.items() if code]
    RESULTS.mkdir(exist_ok=True)
    report = RESULTS / ("latest.md" if chosen == list(BENCHMARKS) else f"latest-{'-'.join(chosen)}.md")
    report.write_text(markdown(outputs), encoding="utf-8")
    print(f"\nfigures written to {report.relative_to(HERE.parents[1])}")
    if failed:
        print(f"benchmarks that did not finish: {', '.join(failed)}")
    return 1 if failed else 0


def run(name: str) -> tuple[str, int, float]:
    """Runs one benchmark, echoing its output line by line; returns the output, exit code and seconds."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-u", str(HERE / f"{name}_bench.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return "".join(lines), process.wait(), time.monotonic() - started


def markdown(outputs: dict[str, tuple[str, int, float]]) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    table = ["| benchmark | figure against its baseline | verdict |", "|---|---|---|"]
    for name, (output, code, _secs) in outputs.items():
        stated = [line.strip() for line in output.splitlines() if VERDICT.search(line)]
        for line in stated:
            verdict = "NOT met" if "NOT met" in line else "met"
            table.append(f"| {name} | {line.replace('|', '/')} | {verdict} |")
        if not stated:
            table.append(f"| {name} | {'did not finish (exit ' + str(code) + ')' if code else 'no goal line'} | — |")
    details = [
        f"## {name} ({secs:.0f} s{', exit ' + str(code) if code else ''})\n\n```\n{output.rstrip()}\n```"
        for name, (output, code, secs) in outputs.items()
    ]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"# Benchmark figures\n\n`make bench`, {when}, on {machine}. Figures, not assertions.\n"
    return "\n".join([header, *table, "", *details, ""])


if __name__ == "__main__":
    sys.exit(main())

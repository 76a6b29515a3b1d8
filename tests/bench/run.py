"""`make bench`: every benchmark, one after the other, each printing its own figures against a baseline
measured in the same run. Figures, never assertions; run on a quiet machine.

  intake_bench.py  POST /api/v1/cases/ against a bare Django view inserting one row (goal ≥ 0.7)
  queue_bench.py   the work queue at 200k open of 2M cases against raw keyset SQL (goal p95 ≤ 3×, flat)
  sweep_bench.py   the deadline sweep over 10k threshold crossings against one batched UPDATE (goal ≤ 3×)

BENCH_ONLY=intake,sweep runs a subset.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("intake", "queue", "sweep")


def main() -> int:
    chosen = [name for name in os.environ.get("BENCH_ONLY", ",".join(BENCHMARKS)).split(",") if name]
    failed = []
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}_bench.py")], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that did not finish: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

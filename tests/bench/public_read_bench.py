"""Benchmark of the public read path through deploy/local-cluster (nginx, two uvicorn processes), printed as
figures (not a test): `python tests/bench/public_read_bench.py`.

In the same run and with the same load generator (wrk: BENCH_CONNECTIONS connections, BENCH_SECONDS each):
  - a static file from nginx, of the same size as the page compared with it (the baseline);
  - the home page and an item page as an anonymous visitor gets them (nginx's page cache);
  - the same pages uncached (a session cookie: nginx and Django both render them anew), p95 reported;
  - a purge: the page's next request after a privacy correction (reported, and checked by the cluster tests).
Goal: cached pages at ≥ 0.5× the static file's requests per second.

A database of its own (`<name>_bench_public`), dropped at the end; the cluster's Redis db 13 is flushed.
wrk comes from Debian (tests/tools/install-system-packages wrk, which `make bench` runs).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from benchdb import setup_django  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
ITEMS = int(os.environ.get("BENCH_PUBLIC_ITEMS", "200"))
GOAL = 0.5
P95_SCRIPT = """done = function(summary, latency, requests)
  io.write(string.format("P95 %d\\n", latency:percentile(95)))
end
"""

MAKE_ITEMS = """
from caunoi.agencies.models import Agency, Category
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import item_publish
agencies = list(Agency.objects.filter(is_active=True).order_by("path")[:20])
categories = list(Category.objects.filter(is_active=True))
for n in range({items}):
    item = PublishedItem.objects.create(
        slug=f"bench-{{n}}", kind="question", agency=agencies[n % len(agencies)],
        category=categories[n % len(categories)], title=f"Hỏi về thủ tục hành chính số {{n}} tại phường",
        question="Xin hỏi hồ sơ cấp giấy chứng nhận quyền sử dụng đất lần đầu gồm những giấy tờ gì? " * 6,
        answer="Theo Luật Đất đai 2024, hồ sơ gồm đơn đề nghị và giấy tờ về quyền sử dụng đất. " * 12,
        status=Status.PENDING_REVIEW,
    )
    item_publish(item=item, by=None)
"""

CORRECT = """
from caunoi.publication.models import PublishedItem
from caunoi.publication.services import item_correct_privately
item_correct_privately(item=PublishedItem.objects.get(slug="bench-0"), by=None, reason="bench", title={title!r})
"""


def main() -> None:
    setup_django()
    import psycopg
    import redis

    from tests.cluster.support import cluster, shared_test_server_url, with_database

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is missing: bash tests/tools/install-system-packages wrk (make bench does)")
    name = "caunoi_bench_public"
    with psycopg.connect(shared_test_server_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    redis_url = urlunsplit((base.scheme, base.netloc, "/13", "", ""))
    redis.Redis.from_url(redis_url).flushdb()
    try:
        with cluster(database_url=with_database(shared_test_server_url(), name), redis_url=redis_url) as running:
            measure(running, wrk)
    finally:
        with psycopg.connect(shared_test_server_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()


def measure(running, wrk: str) -> None:  # type: ignore[no-untyped-def]
    manage(running, MAKE_ITEMS.format(items=ITEMS))
    url = running.url
    pages = {"home": "/", "item": "/hoi-dap/bench-0/"}
    print(f"{ITEMS} published items; wrk with {CONNECTIONS} connections for {SECONDS} s per figure")
    for label, path in pages.items():
        size = len(httpx.get(url + path, headers={"Accept-Encoding": "identity"}).content)
        static = running.run_dir / "static" / f"bench-{label}.html"
        static.write_bytes(b"x" * size)
        static.chmod(0o644)
        baseline = run_wrk(wrk, f"{url}/static/{static.name}")
        cached = run_wrk(wrk, url + path)
        uncached = run_wrk(wrk, url + path, cookie="sessionid=bench-visitor")
        ratio = cached["rps"] / baseline["rps"]
        verdict = "met" if ratio >= GOAL else "NOT met"
        print(
            f"{label} page ({size:,} bytes): static file {baseline['rps']:,.0f} req/s; cached {cached['rps']:,.0f} "
            f"req/s (p95 {cached['p95_ms']:.1f} ms); uncached {uncached['rps']:,.0f} req/s "
            f"(p95 {uncached['p95_ms']:.1f} ms)"
        )
        print(f"{label} page cached / static file: {ratio:.2f}× (goal ≥ {GOAL}×): {verdict}")
    # The purge: the next request after a privacy correction reads the corrected page.
    httpx.get(url + pages["item"])
    manage(running, CORRECT.format(title="Tiêu đề đã sửa vì lý do riêng tư"))
    after = httpx.get(url + pages["item"])
    seen = "Tiêu đề đã sửa vì lý do riêng tư" in after.text
    print(f"purge: next request after a privacy correction {after.headers.get('X-Cache-Status')}, corrected: {seen}")


def run_wrk(wrk: str, url: str, cookie: str | None = None) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(P95_SCRIPT)
    command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", script.name, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=SECONDS + 60).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p95_us = int(re.search(r"^P95 (\d+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        print(f"  {url}: {errors.group(1)} non-2xx answers")
    return {"rps": rps, "p95_ms": p95_us / 1000}


def manage(running, code: str) -> None:  # type: ignore[no-untyped-def]
    env = {**running.env, "EDGE_CACHE_PURGE_URLS": f"{running.url}/_purge/"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "backend" / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(done.stdout + done.stderr)


if __name__ == "__main__":
    main()

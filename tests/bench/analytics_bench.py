"""Benchmark of usage counting, printed as figures (not a test): `python tests/bench/analytics_bench.py`.

The cost counting adds to a page: the published item page (/hoi-dap/<slug>/) served through Django's test
client (the whole middleware stack and template, no network) with counting on (one HINCRBY to Redis per
view), off (ANALYTICS_ENABLED=false), and on with Redis unreachable (the first failure pauses counting),
in alternating rounds in the same process (with Redis unreachable the rest of the page slows too: the
site table and other reference copies fall back to PostgreSQL, which is not counting's cost); then the
flush of BENCH_FLUSH_FIELDS (default 20,000) distinct item counts from Redis to PostgreSQL.
Goal: counting costs ≤ 10% of the page's time.

Page rates on a shared machine swing by ±30% between rounds, more than counting costs, so many short
alternating rounds are run and the goal is judged on the receiver's own time (one counted view, measured
alone) against the median page time without counting.

A database of its own (`<name>_bench_analytics`), dropped at the end. BENCH_REQUESTS (default 500) per
round, BENCH_ROUNDS (default 8).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

from benchdb import drop_database, recreate_database, server_dsn, setup_django  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
FLUSH_FIELDS = int(os.environ.get("BENCH_FLUSH_FIELDS", "20000"))
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def main() -> None:
    setup_django()
    from django.conf import settings

    logging.disable(logging.WARNING)  # "Redis unreachable" on every request of the Redis-down rounds

    dsn, name = server_dsn("bench_analytics")
    recreate_database(dsn, name)
    try:
        settings.ALLOWED_HOSTS = ["*"]
        settings.DEBUG = False
        slug = prepare()
        measure(slug)
        measure_flush()
    finally:
        drop_database(dsn, name)


def prepare() -> str:
    from caunoi.agencies.seed import seed_agencies, seed_categories
    from caunoi.publication.models import PublishedItem, Status
    from django.utils import timezone

    seed_agencies()
    seed_categories()
    item = PublishedItem.objects.create(
        slug="thu-tuc-cap-so-do",
        kind="question",
        title="Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        question="Gia đình tôi sử dụng đất ổn định từ năm 1990, xin hỏi hồ sơ gồm những gì?",
        answer="Hồ sơ gồm đơn đề nghị và giấy tờ về quyền sử dụng đất, nộp tại bộ phận một cửa cấp xã.",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )
    clear_counts()
    return item.slug


def clear_counts() -> None:
    from caunoi.core.redis_client import redis_client

    client = redis_client()
    for key in client.scan_iter(match="analytics:*"):
        client.delete(key)


def rate(slug: str) -> float:
    from django.test import Client

    client = Client(HTTP_USER_AGENT=BROWSER)
    path = f"/hoi-dap/{slug}/"
    client.get(path)  # warm: connection, templates, the site table
    started = time.perf_counter()
    for _ in range(REQUESTS):
        response = client.get(path)
        assert response.status_code == 200
    return REQUESTS / (time.perf_counter() - started)


def measure(slug: str) -> None:
    from caunoi.analytics import counting
    from django.conf import settings

    working_redis = settings.REDIS_URL
    figures: dict[str, list[float]] = {"off": [], "on": [], "redis down": []}
    for round_number in range(ROUNDS):
        for mode in ("off", "on", "redis down") if round_number % 2 == 0 else ("on", "off", "redis down"):
            settings.ANALYTICS_ENABLED = mode != "off"
            settings.REDIS_URL = "redis://127.0.0.1:1/0" if mode == "redis down" else working_redis
            counting.resume()
            figures[mode].append(rate(slug))
    settings.REDIS_URL = working_redis
    settings.ANALYTICS_ENABLED = True
    print(f"item page, {REQUESTS} requests × {ROUNDS} rounds through the Django test client (requests/s):")
    for mode, values in figures.items():
        print(f"  counting {mode:<10}  median {statistics.median(values):7.0f}   rounds {[round(v) for v in values]}")
    ratio = statistics.median(figures["on"]) / statistics.median(figures["off"])
    print(f"page throughput with counting / without (noisy): {ratio:.3f}")
    micros = count_cost(slug)
    page_micros = 1e6 / statistics.median(figures["off"])
    share = micros / page_micros
    print(f"one counted view on its own (signal, checks, one HINCRBY): {micros:.0f} µs; a page: {page_micros:.0f} µs")
    print(f"counting's share of an item page's time: {share:.1%} (goal ≤ 10%): {'met' if share <= 0.1 else 'NOT met'}")


def count_cost(slug: str) -> float:
    """What one counted view costs on its own (the receiver: checks and one HINCRBY), steadier than the
    difference of two page rates on a busy machine."""
    from caunoi.analytics import counting
    from caunoi.publication.models import PublishedItem
    from caunoi.publication.signals import item_viewed
    from django.test import RequestFactory

    request = RequestFactory().get(f"/hoi-dap/{slug}/", HTTP_USER_AGENT=BROWSER)
    item_id = PublishedItem.objects.get(slug=slug).pk
    counting.resume()
    started = time.perf_counter()
    for _ in range(REQUESTS):
        item_viewed.send(PublishedItem, request=request, item_id=item_id)
    return (time.perf_counter() - started) / REQUESTS * 1e6


def measure_flush() -> None:
    from caunoi.analytics.counting import increment
    from caunoi.analytics.flush import counts_flush
    from caunoi.analytics.keys import VIEWS
    from caunoi.analytics.models import ItemViewDay
    from caunoi.core.redis_client import redis_client
    from caunoi.publication.models import PublishedItem, Status
    from django.utils import timezone

    clear_counts()
    now = timezone.now()
    PublishedItem.objects.bulk_create(
        PublishedItem(slug=f"muc-{n}", kind="question", title=f"Câu hỏi {n}", question="?", answer=".",
                      status=Status.PUBLISHED, published_at=now)
        for n in range(FLUSH_FIELDS)
    )  # fmt: skip
    ids = list(PublishedItem.objects.values_list("pk", flat=True)[:FLUSH_FIELDS])
    pipe = redis_client().pipeline(transaction=False)
    from caunoi.analytics.keys import live_key
    from caunoi.core import clock

    key = live_key(VIEWS, clock.local_date())
    for item_id in ids:
        pipe.hincrby(key, f"-:{item_id}", 3)
    pipe.execute()
    increment(VIEWS, f"-:{ids[0]}")
    started = time.perf_counter()
    result = counts_flush()
    seconds = time.perf_counter() - started
    rows = ItemViewDay.objects.count()
    print(f"flush of {len(ids)} item counts ({result.views} views) into {rows} daily rows: {seconds * 1000:.0f} ms")
    started = time.perf_counter()
    counts_flush()
    print(f"an idle flush (nothing waiting): {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

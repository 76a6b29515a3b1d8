"""Each pytest-xdist worker's Redis database is its own and differs from the base one."""

from __future__ import annotations

from tests.support.xdist_worker import worker_redis_url


def test_workers_get_distinct_databases_past_the_base_one():
    base = "redis://127.0.0.1:6379/0"
    urls = {worker_redis_url(base, f"gw{n}") for n in range(4)}
    assert len(urls) == 4
    assert base not in urls
    assert worker_redis_url(base, "gw0") == "redis://127.0.0.1:6379/1"


def test_a_url_without_a_database_means_database_zero():
    assert worker_redis_url("redis://127.0.0.1:6379", "gw1") == "redis://127.0.0.1:6379/2"


def test_credentials_and_host_are_kept():
    assert worker_redis_url("redis://:secret@cache:6380/5", "gw0") == "redis://:secret@cache:6380/6"

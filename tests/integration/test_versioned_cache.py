"""Reference copies follow changes made by other processes (through Redis) and survive Redis outages."""

import uuid

import pytest
import redis
from caunoi.core import versioned_cache
from caunoi.core.redis_client import redis_client
from caunoi.core.versioned_cache import VersionedCache


@pytest.fixture
def counting_cache():
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    cache = VersionedCache(f"test-{uuid.uuid4().hex}", load, check_interval=0)
    yield cache, loads
    VersionedCache.instances.remove(cache)
    redis_client().delete(cache.key)


def test_reads_are_served_from_the_copy_until_another_process_bumps_the_version(counting_cache):
    cache, loads = counting_cache
    assert (cache.get(), cache.get()) == (1, 1)
    redis_client().incr(cache.key)  # what another process's committed change does
    assert cache.get() == 2
    assert len(loads) == 2


@pytest.mark.django_db(transaction=True)
def test_invalidate_reloads_here_at_once_and_elsewhere_after_commit(counting_cache):
    cache, _loads = counting_cache
    cache.get()
    before = int(redis_client().get(cache.key) or 0)
    cache.invalidate()  # outside a transaction: bumps at once
    assert int(redis_client().get(cache.key)) == before + 1
    assert cache.get() == 2


def test_the_version_is_checked_at_most_once_per_interval(monkeypatch):
    loads = []
    cache = VersionedCache(f"test-{uuid.uuid4().hex}", lambda: loads.append(1) or len(loads), check_interval=1.0)
    clock = [500.0]
    monkeypatch.setattr(versioned_cache.time, "monotonic", lambda: clock[0])
    try:
        assert cache.get() == 1
        redis_client().incr(cache.key)
        assert cache.get() == 1  # within the interval: the copy, without asking Redis
        clock[0] += 1.5
        assert cache.get() == 2
    finally:
        VersionedCache.instances.remove(cache)
        redis_client().delete(cache.key)


def test_copies_expire_even_without_a_bump(counting_cache, monkeypatch):
    cache, _loads = counting_cache
    clock = [1000.0]
    monkeypatch.setattr(versioned_cache.time, "monotonic", lambda: clock[0])
    assert cache.get() == 1
    clock[0] += 61
    assert cache.get() == 2


def test_without_redis_every_read_goes_to_the_database(counting_cache, monkeypatch):
    cache, loads = counting_cache

    class Down:
        def get(self, key):
            raise redis.ConnectionError("down")

    monkeypatch.setattr(versioned_cache, "redis_client", lambda: Down())
    assert (cache.get(), cache.get()) == (1, 2)
    assert len(loads) == 2


@pytest.mark.django_db
def test_intake_sees_an_agency_deactivated_mid_run(api, reference_data, agencies):
    body = {
        "kind": "question", "title": "Hỏi về trường học", "body": "Trường học xuống cấp, đề nghị sửa chữa.",
        "category": "giao-duc", "name": "Ngô Văn Bảo",
    }  # fmt: skip
    assert api.post("/api/v1/cases/", body, format="json").json()["agency"]["code"] == "BO-GDDT"
    agencies["BO-GDDT"].is_active = False
    agencies["BO-GDDT"].save()
    assert api.post("/api/v1/cases/", body, format="json").json()["agency"]["code"] == "VPCP-TIEPNHAN"

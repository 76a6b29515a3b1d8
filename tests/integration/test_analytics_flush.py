"""Moving counts from Redis to PostgreSQL loses nothing and counts nothing twice: run again, crashed between
the rename and the commit or between the commit and the deletion, or run by several workers at once."""

from __future__ import annotations

import threading

import pytest
import time_machine
from caunoi.analytics import flush
from caunoi.analytics.counting import increment
from caunoi.analytics.flush import counts_flush
from caunoi.analytics.keys import SEARCHES, VIEWS
from caunoi.analytics.models import FlushedBatch, ItemViewDay, SearchTermDay
from caunoi.core.redis_client import redis_client
from django.db import connection
from django.db.models import Sum

from tests.integration.test_analytics_counting import clean_counts  # noqa: F401 - an autouse fixture
from tests.integration.test_published_search import published


def total_views() -> int:
    return ItemViewDay.objects.aggregate(n=Sum("count"))["n"] or 0


def waiting_keys() -> list[str]:
    return sorted(key.decode() for key in redis_client().scan_iter(match="analytics:*"))


@pytest.fixture
def item(reference_data):
    return published("Thủ tục cấp sổ đỏ lần đầu")


@pytest.mark.django_db
def test_a_second_run_adds_nothing(item, django_capture_on_commit_callbacks):
    for _ in range(3):
        increment(VIEWS, f"-:{item.pk}")
    increment(SEARCHES, "-:0:trợ cấp")
    with django_capture_on_commit_callbacks(execute=True):
        first = counts_flush()
    assert (first.batches, first.views, first.searches) == (2, 3, 1)
    with django_capture_on_commit_callbacks(execute=True):
        second = counts_flush()
    assert (second.batches, second.skipped, second.views) == (0, 0, 0)
    assert total_views() == 3 and SearchTermDay.objects.get().count == 1
    assert waiting_keys() == []


@pytest.mark.django_db
def test_a_crash_between_the_rename_and_the_commit_loses_nothing(item, monkeypatch, django_capture_on_commit_callbacks):
    for _ in range(4):
        increment(VIEWS, f"-:{item.pk}")
    applied = flush._upsert

    def upsert_then_crash(*args, **kwargs):
        applied(*args, **kwargs)  # the rows are written ...
        raise RuntimeError("worker killed")  # ... and the transaction never commits

    monkeypatch.setattr(flush, "_upsert", upsert_then_crash)
    with pytest.raises(RuntimeError):
        counts_flush()
    assert total_views() == 0 and not FlushedBatch.objects.exists()
    assert [key.split(":")[1] for key in waiting_keys()] == ["batch"]  # renamed, left for the next run

    increment(VIEWS, f"-:{item.pk}")  # a view arriving meanwhile goes to a new live key
    monkeypatch.setattr(flush, "_upsert", applied)
    with django_capture_on_commit_callbacks(execute=True):
        result = counts_flush()
    assert (result.batches, result.views) == (2, 5)
    assert total_views() == 5 and waiting_keys() == []


@pytest.mark.django_db
def test_a_crash_between_the_commit_and_the_deletion_counts_nothing_twice(
    item, monkeypatch, django_capture_on_commit_callbacks
):
    for _ in range(2):
        increment(VIEWS, f"-:{item.pk}")
    monkeypatch.setattr(flush, "forget_batch", lambda client, key: None)  # the worker dies after commit
    with django_capture_on_commit_callbacks(execute=True):
        counts_flush()
    assert total_views() == 2
    assert len(waiting_keys()) == 1  # the applied batch is still in Redis

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        result = counts_flush()
    assert (result.batches, result.skipped) == (0, 1)
    assert total_views() == 2 and waiting_keys() == []


@pytest.mark.django_db
def test_counts_of_a_deleted_item_are_dropped_without_failing(item, reference_data):
    gone = published("Sẽ bị xoá")
    increment(VIEWS, f"-:{item.pk}")
    increment(VIEWS, f"-:{gone.pk}")
    increment(VIEWS, "-:not-a-number")
    gone.delete()
    counts_flush()
    assert {(row.item_id, row.count) for row in ItemViewDay.objects.all()} == {(item.pk, 1)}


@pytest.mark.django_db(transaction=True)
def test_workers_flushing_at_once_while_people_read_count_everything_once(reference_data):
    items = [published(f"Câu hỏi {n}") for n in range(5)]
    days = ["2026-03-01 10:00+07:00", "2026-03-02 10:00+07:00", "2026-03-03 10:00+07:00"]
    expected = 0
    for day in days:  # three days of counts waiting: three live keys
        with time_machine.travel(day, tick=False):
            for n, item in enumerate(items):
                for _ in range(n + 1):
                    increment(VIEWS, f"-:{item.pk}")
                    expected += 1
    start = threading.Barrier(5)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            for _ in range(3):
                counts_flush()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def reader() -> None:
        nonlocal expected
        start.wait()
        with time_machine.travel("2026-03-03 11:00+07:00", tick=False):
            for _ in range(200):
                increment(VIEWS, f"-:{items[0].pk}")
                expected += 1

    threads = [threading.Thread(target=worker) for _ in range(4)] + [threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts_flush()
    assert total_views() == expected
    assert ItemViewDay.objects.count() == 15  # 5 items × 3 days
    assert waiting_keys() == []


@pytest.mark.django_db(transaction=True)
def test_one_leftover_batch_taken_by_several_workers_is_applied_once(reference_data):
    item = published("Thủ tục cấp sổ đỏ lần đầu")
    for _ in range(7):
        increment(VIEWS, f"-:{item.pk}")
    client = redis_client()
    (live,) = waiting_keys()
    client.rename(live, f"analytics:batch:v:{live.split(':')[2]}:left-by-a-crash")
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        try:
            counts_flush()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert total_views() == 7
    assert FlushedBatch.objects.filter(token="left-by-a-crash").count() == 1


@pytest.mark.django_db
def test_the_periodic_task_flushes_and_is_scheduled(item, django_capture_on_commit_callbacks):
    from caunoi.analytics.tasks import flush_counts
    from caunoi.config.celery import BEAT_SCHEDULE

    increment(VIEWS, f"-:{item.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        assert flush_counts() == {"batches": 1, "skipped": 0, "views": 1, "searches": 0}
    entry = BEAT_SCHEDULE["flush-analytics-counts"]
    assert entry["task"] == flush_counts.name and entry["schedule"] == 60


@pytest.mark.django_db
def test_applied_batches_are_forgotten_after_the_memory_period(item, settings):
    settings.ANALYTICS_BATCH_MEMORY_DAYS = 30
    with time_machine.travel("2026-01-01 10:00+07:00", tick=False):
        FlushedBatch.objects.create(token="old")
    with time_machine.travel("2026-01-30 10:00+07:00", tick=False):
        FlushedBatch.objects.create(token="recent")
    with time_machine.travel("2026-02-01 10:00+07:00", tick=False):
        counts_flush()
    assert list(FlushedBatch.objects.values_list("token", flat=True)) == ["recent"]

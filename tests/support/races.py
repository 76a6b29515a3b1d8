"""Racing services against each other on real PostgreSQL connections, in a chosen interleaving.

A third connection holds a row lock; the services under test are started one after the other in threads
(each with a Django connection of its own), each started only once the previous one is seen waiting for a
lock in pg_stat_activity; then the held lock is released and they run on. Whether they deadlock then
depends only on the order in which each takes its locks, which is what the tests are about."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection, connections


@contextmanager
def rows_held(table: str, ids: list[int]) -> Iterator[None]:
    """Locks rows `ids` of `table` FOR UPDATE from a connection of its own until the block ends."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    ) as holder:
        with holder.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) FOR UPDATE", [ids])  # noqa: S608
            yield
        holder.rollback()


def waiting_for_locks() -> int:
    """How many backends of this database wait for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def wait_until_waiting(count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while waiting_for_locks() < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} backends waiting for a lock")
        time.sleep(0.01)


class Racer(threading.Thread):
    """Runs `function` in a thread with its own database connection; keeps its result or its exception."""

    def __init__(self, function: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.function = function
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.function()
        except BaseException as exc:
            self.error = exc
        finally:
            connections.close_all()


def race(table: str, held: list[int], *functions: Callable[[], Any]) -> list[Racer]:
    """Holds rows `held` of `table`, starts each function in turn once the previous ones wait for a lock,
    releases the rows, and returns the finished racers."""
    racers = [Racer(function) for function in functions]
    with rows_held(table, held):
        for number, racer in enumerate(racers, start=1):
            racer.start()
            wait_until_waiting(number)
    for racer in racers:
        racer.join(timeout=30)
        assert not racer.is_alive(), "a racer is still blocked"
    return racers

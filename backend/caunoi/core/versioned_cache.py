"""Per-process caches of rarely changing reference data, kept right across processes by a version in Redis.

Every read costs one Redis GET of the version instead of several PostgreSQL queries; a writer bumps the
version after its transaction commits, and every process reloads on its next read. If Redis cannot be
reached, readers load from PostgreSQL every time: slower, never stale. A copy is also never kept longer
than `max_age` seconds, so a bump lost while Redis was down costs at most that much staleness. Under load
the version itself is looked up at most once per `check_interval` seconds per process: another process's
change shows here within that second, this process's own changes at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

import redis
from django.db import transaction

from .redis_client import redis_client

logger = logging.getLogger(__name__)
T = TypeVar("T")


class VersionedCache(Generic[T]):
    instances: list[VersionedCache[object]] = []

    def __init__(self, name: str, load: Callable[[], T], *, max_age: float = 60.0, check_interval: float = 1.0) -> None:
        self.key = f"caunoi:version:{name}"
        self._load = load
        self._max_age = max_age
        self._check_interval = check_interval
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._version: bytes | str | None = None
        self._value: T | None = None
        self._loaded_at = 0.0
        VersionedCache.instances.append(self)  # type: ignore[arg-type]

    def get(self) -> T:
        """The data as of the latest committed change (another process's: within `check_interval`)."""
        now = time.monotonic()
        with self._lock:
            if self._value is not None and now - self._checked_at < self._check_interval:
                return self._value
        try:
            version: bytes | str = redis_client().get(self.key) or b"0"
        except redis.RedisError:
            logger.warning("Redis unreachable: %s read from the database", self.key)
            return self._load()
        with self._lock:
            if self._value is None or version != self._version or now - self._loaded_at > self._max_age:
                # The version is read before loading: a change committed meanwhile bumps it again.
                self._value, self._version, self._loaded_at = self._load(), version, now
            self._checked_at = now
            return self._value

    def invalidate(self) -> None:
        """Marks the data changed: this process reloads at once, the others after the transaction commits."""
        self.clear()
        transaction.on_commit(self._bump)

    def clear(self) -> None:
        with self._lock:
            self._value = None

    def _bump(self) -> None:
        try:
            redis_client().incr(self.key)
        except redis.RedisError:
            # Readers of other processes keep their copy until Redis is back and a later change bumps it;
            # say so loudly, since their answers may be stale meanwhile.
            logger.error("Redis unreachable: could not mark %s changed", self.key)
        self.clear()

"""One Redis client per process (it holds a connection pool), for the few places that use Redis directly."""

from __future__ import annotations

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    # Short timeouts: Redis answers in well under a millisecond when healthy, and callers fall back to
    # PostgreSQL when it does not; a stalled Redis must not stall intake.
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30)


def redis_client() -> redis.Redis:
    return _client(str(settings.REDIS_URL))

"""Counts of what the abuse controls did (refusals per scope, honeypots, blocks), per day in Redis, for the
figures an operator watches; never on the request's critical path (a Redis failure is ignored)."""

from __future__ import annotations

import logging

from caunoi.core import clock
from caunoi.core.redis_client import redis_client

logger = logging.getLogger(__name__)
KEEP_SECONDS = 35 * 24 * 3600


def _key(day: str) -> str:
    return f"caunoi:abuse:counts:{day}"


def count_event(name: str) -> None:
    try:
        pipe = redis_client().pipeline()
        key = _key(clock.local_date(clock.now()).isoformat())
        pipe.hincrby(key, name, 1)
        pipe.expire(key, KEEP_SECONDS)
        pipe.execute()
    except Exception:
        logger.debug("abuse counter %s not counted", name, exc_info=True)


def counts_of(day: str) -> dict[str, int]:
    """{event: count} for a local date (YYYY-MM-DD)."""
    counts = redis_client().hgetall(_key(day))
    return {(k.decode() if isinstance(k, bytes) else str(k)): int(v) for k, v in counts.items()}  # type: ignore[union-attr]

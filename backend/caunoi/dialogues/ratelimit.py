"""Rate limits for questions and votes: per connection (in the consumer's memory) and per person (in Redis,
shared by every process, so opening more sockets or tabs does not multiply a person's allowance)."""

from __future__ import annotations

import logging
import time
from collections import deque

from caunoi.core.ratelimit import Limit, hit

logger = logging.getLogger(__name__)


# Per person (a signed-in user or a browser's anonymous id) and per connection, for each limited action.
PERSON_LIMITS = {"ask": Limit(5, 60), "vote": Limit(30, 60)}
CONNECTION_LIMITS = {"ask": Limit(3, 10), "vote": Limit(10, 10)}


def person_allowed(*, action: str, dialogue_id: int, person: str) -> bool:
    """Counts one `action` by `person` in a fixed window and says whether it is within the limit. Without
    Redis it allows (the per-connection limit still applies): a Redis outage must not silence the room."""
    limit = PERSON_LIMITS.get(action)
    return limit is None or hit(f"dlg:{dialogue_id}:{action}", person, limit)


class ConnectionLimiter:
    """Sliding-window limits for one websocket connection."""

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = {}

    def allowed(self, action: str) -> bool:
        limit = CONNECTION_LIMITS.get(action)
        if limit is None:
            return True
        now = time.monotonic()
        times = self._times.setdefault(action, deque())
        while times and now - times[0] >= limit.seconds:
            times.popleft()
        if len(times) >= limit.count:
            return False
        times.append(now)
        return True

"""Rate limits for questions and votes: per connection (in the consumer's memory), per person (in Redis,
shared by every process, so opening more sockets or tabs does not multiply a person's allowance), and, for
anonymous participants, per client address (caunoi.core.policy's scopes `dialogue_ask`, `dialogue_vote`).

A person is an account ("u:<id>") or a device id the server signed ("d:<id>", caunoi.dialogues.devices);
an anonymous connection without one is a person of its own ("c:<connection>") and may ask but not vote.
Accounts are not capped per address: a commune office full of signed-in citizens behind one address is not
one voter. Anonymous participants are, since the page mints device ids for whoever asks.
"""

from __future__ import annotations

import logging
import time
from collections import deque

from django.conf import settings

from caunoi.core.ratelimit import Limit, check, window_key

logger = logging.getLogger(__name__)


# Per person and per connection, for each limited action.
PERSON_LIMITS = {"ask": Limit(5, 60), "vote": Limit(30, 60)}
CONNECTION_LIMITS = {"ask": Limit(3, 10), "vote": Limit(10, 10)}


def action_allowed(
    *, action: str, dialogue_id: int, person: str, address: str | None, question: int | None = None
) -> bool:
    """Counts one `action` by `person` (and, for an anonymous person, by its `address`: questions per
    dialogue, votes per question) and says whether every limit has room. Without Redis it allows (the
    per-connection limit still applies): a Redis outage must not silence the room."""
    windows: list[tuple[str, Limit]] = []
    limit = PERSON_LIMITS.get(action)
    if limit is not None:
        windows.append((window_key(f"dlg:{dialogue_id}:{action}", person), limit))
    if address is not None and action == "ask":
        windows.append((window_key(f"dlg:{dialogue_id}:ask-address", address), settings.RATE_LIMITS["dialogue_ask"]))
    if address is not None and action == "vote":
        windows.append((window_key(f"dlg:q{question}:vote-address", address), settings.RATE_LIMITS["dialogue_vote"]))
    return check(windows) == 0


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

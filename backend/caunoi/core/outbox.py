"""What the three outboxes (notifications, partner webhooks, social posts) do alike: a row per message written
in the transaction of the change, a task per row queued after commit, retries that back off, and a periodic
dispatcher for rows whose task was lost."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)


class Backoff:
    """The wait after the n-th failed attempt: `first`, doubling each time, never more than `most`."""

    def __init__(self, *, first: dt.timedelta, most: dt.timedelta) -> None:
        self.first, self.most = first, most

    def __call__(self, attempts: int) -> dt.timedelta:
        return min(self.first * 2 ** min(max(attempts - 1, 0), 16), self.most)


def queue_each(task: Any, row_ids: Sequence[int], *, what: str) -> int:
    """Queues `task` once per id; returns how many the broker took. Never raises: the rows are in the
    outbox, so a broker outage only delays them until the periodic dispatcher queues them again."""
    for queued, row_id in enumerate(row_ids):
        try:
            task.delay(row_id)
        except Exception:
            logger.warning(
                "%s %s: the broker refused its task (%s of %s queued); the periodic dispatcher will queue it again",
                what,
                row_id,
                queued,
                len(row_ids),
                exc_info=True,
            )
            return queued
    return len(row_ids)

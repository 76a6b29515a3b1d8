"""What the three outboxes (notifications, partner webhooks, social posts) do alike: a row per message written
in the transaction of the change, a task per row queued after commit, retries that back off, and a periodic
dispatcher for rows whose task was lost."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

FAILED = "failed"  # the status value every outbox model gives a row that will not be tried again
LAST_ERROR_MAX_CHARS = 1000


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


def attempt_failed(
    row: Any, *, error: str, retryable: bool, now: dt.datetime, max_attempts: int, backoff: Backoff
) -> bool:
    """Records a failed attempt (already counted in `row.attempts`) on an outbox row with the fields
    status, attempts, last_attempt_at, last_status_code, last_error and next_attempt_at. The row fails for good
    when the error is not `retryable` or it was the last attempt; else it is due again after `backoff`.
    Returns True if it failed for good. The error is cut to what the admin page shows, never logged here."""
    row.last_error = error[:LAST_ERROR_MAX_CHARS]
    failed = not retryable or row.attempts >= max_attempts
    if failed:
        row.status = FAILED
    else:
        row.next_attempt_at = now + backoff(row.attempts)
    row.save(
        update_fields=["status", "attempts", "last_attempt_at", "last_status_code", "last_error", "next_attempt_at"]
    )
    return failed

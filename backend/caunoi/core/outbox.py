"""One outbox discipline for every kind of outgoing message (notifications, partner webhooks, social posts).

A row is written in the transaction of the change it reports and a task per row is queued after commit.
Delivery never holds a lock or a transaction while it talks to the outside world:

1. claim: one conditional UPDATE turns a pending, due row into `sending` with `lease_until` = now + the send
   lease (and counts the attempt). Only one worker can win it; a row whose worker died mid-send becomes
   claimable again when its lease runs out.
2. send, in autocommit, outside any transaction, while a heartbeat renews the short lease (`holding`): a
   slow gateway keeps its row, a killed worker's row is free again within one lease (30 s);
3. settle: the result is written by an UPDATE that matches the claimer's own lease, so a worker whose lease
   ran out cannot overwrite the result of the one that took over.

The periodic dispatcher queues a due row at most once per queue lease (`queued_until`), instead of queueing
the same oldest rows again on every run while their tasks wait in the broker. Rows that share a conversation
(`in_order_by`, e.g. one recipient and one case) go out in the order they were written: a row is not claimed
or queued while an earlier one of its conversation is pending or sending, and settling a row for good
queues the next one in line.

Each model using it has: status (with the pending, sending and failed values), attempts, next_attempt_at,
lease_until, queued_until, last_error.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q

from caunoi.core import clock

logger = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"  # claimed by a worker until lease_until
FAILED = "failed"  # the status value every outbox model gives a row that will not be tried again
LAST_ERROR_MAX_CHARS = 1000


class Backoff:
    """The wait after the n-th failed attempt: `first`, doubling each time, never more than `most`."""

    def __init__(self, *, first: dt.timedelta, most: dt.timedelta) -> None:
        self.first, self.most = first, most

    def __call__(self, attempts: int) -> dt.timedelta:
        return min(self.first * 2 ** min(max(attempts - 1, 0), 16), self.most)


class Claim(StrEnum):
    """Why `Outbox.claim` returned no row."""

    SKIPPED = "skipped"  # not pending, not due, or being sent by another worker right now
    WAITING = "waiting"  # due, but an earlier message of its conversation has not gone out yet


@dataclass(frozen=True)
class Outbox:
    """How one outbox model is leased, claimed and settled (see the module docstring)."""

    model: type[models.Model]
    dispatch: Callable[[list[int]], int]  # queues the delivery task for these ids; never raises
    in_order_by: tuple[str, ...] = ()  # the fields that name one conversation
    ordered: Q = field(default_factory=Q)  # only earlier rows matching this hold a later one back
    # Renewed every `heartbeat` while the send runs (`holding`), so it only needs to outlive a missed beat or
    # two: a message whose worker died goes out again half a minute later.
    send_lease: dt.timedelta = dt.timedelta(seconds=30)
    heartbeat: dt.timedelta = dt.timedelta(seconds=10)
    # How long a queued task has to claim its row before the dispatcher queues it again (a lost task).
    queue_lease: dt.timedelta = dt.timedelta(minutes=2)
    error_max_chars: int = LAST_ERROR_MAX_CHARS  # what the admin page shows of `last_error`

    # Queueing

    def queue_lease_until(self) -> dt.datetime:
        """The `queued_until` of a row whose task is queued now (set by writers that dispatch after commit)."""
        return clock.now() + self.queue_lease

    def lease_due(self, *, limit: int) -> list[int]:
        """Marks up to `limit` due rows, oldest due first, as queued for one queue lease and returns their ids.

        Due: pending and next_attempt_at passed, or sending with a lease that ran out (a worker died), and
        not queued in the last queue lease, and not waiting behind an earlier row of their conversation.
        Rows locked by a concurrent dispatcher are skipped, so two dispatchers never hand out one row."""
        now = clock.now()
        due = (Q(status=PENDING, next_attempt_at__lte=now) | Q(status=SENDING, lease_until__lte=now)) & (
            Q(queued_until__isnull=True) | Q(queued_until__lte=now)
        )
        with transaction.atomic():
            ids = list(
                self._not_waiting(self.model._default_manager.filter(due))
                .select_for_update(skip_locked=True)
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:limit]
            )
            self.model._default_manager.filter(pk__in=ids).update(queued_until=now + self.queue_lease)
        return ids

    def dispatch_due(self, *, limit: int) -> int:
        """Leases due rows (`lease_due`) and queues their tasks; returns how many the broker took."""
        return self.queue(self.lease_due(limit=limit))

    def queue(self, ids: Sequence[int]) -> int:
        """Queues the delivery tasks of rows already marked queued; returns how many the broker took. Rows
        the broker refused are unmarked, so the next periodic run queues them without waiting out a lease."""
        ids = list(ids)
        taken = self.dispatch(ids)
        if taken < len(ids):
            self.model._default_manager.filter(pk__in=ids[taken:]).update(queued_until=None)
        return taken

    # Delivering

    def claim(self, pk: int, *, select_related: Sequence[str] = (), **also: Any) -> Any:
        """Claims row `pk` for one send lease and counts the attempt (setting `also` fields too).

        Returns the row (status `sending`, its `lease_until` the claim's own), or a `Claim` saying why not.
        One statement in autocommit: call it outside any transaction, then send, then `settle`."""
        now = clock.now()
        until = now + self.send_lease
        claimable = self.model._default_manager.filter(pk=pk).filter(
            Q(status=PENDING, next_attempt_at__lte=now) | Q(status=SENDING, lease_until__lte=now)
        )
        won = self._not_waiting(claimable).update(
            status=SENDING, lease_until=until, queued_until=None, attempts=F("attempts") + 1, **also
        )
        if not won:
            return Claim.WAITING if claimable.exists() else Claim.SKIPPED
        row: Any = self.model._default_manager.select_related(*select_related).get(pk=pk)
        if row.lease_until != until:  # pragma: no cover - only if a lease shorter than this call ran out
            return Claim.SKIPPED
        return row

    @contextmanager
    def holding(self, row: Any) -> Iterator[None]:
        """Keeps a claimed row's lease alive while the block runs: a thread renews it every `heartbeat`, on its
        own connection, for as long as the lease is still the one it last wrote. Settle after the block."""
        stop = threading.Event()

        def renew() -> None:
            try:
                while not stop.wait(self.heartbeat.total_seconds()):
                    until = clock.now() + self.send_lease
                    renewed = self.model._default_manager.filter(
                        pk=row.pk, status=SENDING, lease_until=row.lease_until
                    ).update(lease_until=until)
                    if not renewed:
                        return  # settled meanwhile, or taken over after a pause longer than the lease
                    row.lease_until = until
            except Exception:
                logger.warning("%s %s: its lease could not be renewed", self.model.__name__, row.pk, exc_info=True)
            finally:
                connection.close()  # this thread's own connection, back to the pool

        beat = threading.Thread(target=renew, name=f"lease-{self.model.__name__}-{row.pk}", daemon=True)
        beat.start()
        try:
            yield
        finally:
            stop.set()
            beat.join()

    def settle(self, row: Any, **fields: Any) -> bool:
        """Writes a claimed row's result, if the row is still the caller's (same lease); returns whether it
        was written. A final status (anything but pending) queues the next row of its conversation."""
        written = self.model._default_manager.filter(pk=row.pk, status=SENDING, lease_until=row.lease_until).update(
            lease_until=None, **fields
        )
        if not written:
            logger.warning("%s %s: its lease ran out before the result was written", self.model.__name__, row.pk)
            return False
        for name, value in fields.items():
            setattr(row, name, value)
        row.lease_until = None
        if fields.get("status", PENDING) != PENDING:
            self._dispatch_next_in_line(row)
        return True

    def fail_attempt(
        self,
        row: Any,
        *,
        error: str,
        retryable: bool,
        max_attempts: int,
        backoff: Backoff,
        now: dt.datetime,
        **fields: Any,
    ) -> bool:
        """Settles a failed attempt (already counted by `claim`): the row fails for good when the error is
        not `retryable` or it was the last attempt, else it is pending again `backoff` after `now` (when the
        attempt began). Returns True
        if it failed for good. The error is cut to what the admin page shows, never logged here."""
        failed = not retryable or row.attempts >= max_attempts
        outcome: dict[str, Any] = (
            {"status": FAILED}
            if failed
            else {
                "status": PENDING,
                "next_attempt_at": now + backoff(row.attempts),
            }
        )
        self.settle(row, last_error=error[: self.error_max_chars], **outcome, **fields)
        return failed

    def requeue(self, ids: Sequence[int]) -> None:
        """Makes these rows pending and due now (an administrator's retry), queued after commit."""
        self.model._default_manager.filter(pk__in=list(ids)).update(
            status=PENDING, next_attempt_at=clock.now(), queued_until=self.queue_lease_until(), lease_until=None
        )
        transaction.on_commit(lambda: self.queue(ids))

    # Conversations

    def _not_waiting(self, rows: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if not self.in_order_by:
            return rows
        earlier = self.model._default_manager.filter(
            self.ordered,
            pk__lt=OuterRef("pk"),
            status__in=[PENDING, SENDING],
            **{name: OuterRef(name) for name in self.in_order_by},
        )
        return rows.filter(~Exists(earlier))

    def _dispatch_next_in_line(self, row: Any) -> None:
        if not self.in_order_by:
            return
        conversation = {name: getattr(row, name) for name in self.in_order_by}
        later = (
            self.model._default_manager.filter(self.ordered, pk__gt=row.pk, status=PENDING, **conversation)
            .order_by("pk")
            .values_list("pk", "next_attempt_at")
            .first()
        )
        if later is None or later[1] > clock.now():
            return  # nothing waits, or it waits for its own backoff: the dispatcher picks it up then
        self.model._default_manager.filter(pk=later[0]).update(queued_until=self.queue_lease_until())
        self.queue([later[0]])


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

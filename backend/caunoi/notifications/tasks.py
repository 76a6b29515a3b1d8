"""Celery tasks for the outbox: thin, they take ids and call the services.

The periodic `dispatch_pending_notifications` is declared in `caunoi.config.celery.BEAT_SCHEDULE`.
"""

from __future__ import annotations

from celery import shared_task

from caunoi.core.tasks import DELIVERY_TASK_OPTIONS

from .services import notification_deliver, notifications_dispatch_pending


@shared_task(
    **DELIVERY_TASK_OPTIONS,
    # A gateway that hangs must not hold the row's lock for ever: the soft limit raises inside the send,
    # which counts as a failed attempt; the hard limit ends the worker process if even that does not return.
    soft_time_limit=60,
    time_limit=90,
)
def deliver_notification(notification_id: int) -> str:
    """Delivers one outbox row (see `notification_deliver`); returns "sent", "retry", "failed" or "skipped".
    Idempotent: a row already sent, not yet due, or locked by another worker is skipped."""
    return str(notification_deliver(notification_id))


@shared_task
def dispatch_pending_notifications() -> int:
    """Queues delivery of due pending rows: retries after a backoff, and rows whose dispatch after commit
    was lost (broker down) or never happened (written in bulk with SQL). Returns how many it queued."""
    return notifications_dispatch_pending()

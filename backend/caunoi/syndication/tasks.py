"""Celery tasks for webhooks to partner portals: thin, they take ids and call the services.

The periodic `dispatch_pending_webhooks` is declared in `caunoi.config.celery.BEAT_SCHEDULE`.
"""

from __future__ import annotations

from celery import shared_task

from caunoi.core.tasks import DELIVERY_TASK_OPTIONS

from .services.webhooks import deliveries_dispatch_pending, delivery_attempt


@shared_task(
    **DELIVERY_TASK_OPTIONS,
    # The request has its own short timeout; these limits only catch a receiver that trickles bytes.
    soft_time_limit=30,
    time_limit=45,
)
def deliver_webhook(delivery_id: int) -> str:
    """Sends one delivery (see `delivery_attempt`); returns what happened. Idempotent."""
    return str(delivery_attempt(delivery_id))


@shared_task
def dispatch_pending_webhooks() -> int:
    """Queues due pending deliveries (retries, lost dispatches); returns how many."""
    return deliveries_dispatch_pending()

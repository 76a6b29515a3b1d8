"""Celery tasks for webhooks to partner portals: thin, they take ids and call the services.

The periodic `dispatch_pending_webhooks` is declared in `caunoi.config.celery.BEAT_SCHEDULE`.
"""

from __future__ import annotations

from celery import shared_task

from caunoi.core.tasks import DELIVERY_TASK_OPTIONS

from .services.govsync import gov_sync_attempt, gov_sync_collect, gov_sync_dispatch_pending
from .services.pulling import partner_sources_pull_due
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


@shared_task
def pull_partner_feeds() -> int:
    """Pulls the feeds of partner sources whose interval has passed; returns how many."""
    return partner_sources_pull_due()


@shared_task(**DELIVERY_TASK_OPTIONS, soft_time_limit=30, time_limit=45)
def deliver_gov_sync(message_id: int) -> str:
    """Sends one message to the Government portal (see `gov_sync_attempt`). Idempotent."""
    return gov_sync_attempt(message_id)


@shared_task
def sync_gov_portal() -> int:
    """Turns new case events into messages for the Government portal, then queues the due ones."""
    gov_sync_collect()
    return gov_sync_dispatch_pending()

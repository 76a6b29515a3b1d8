"""Celery tasks for social posts: thin, they take ids and call the services.

The periodic `dispatch_pending_social_posts` is declared in `caunoi.config.celery.BEAT_SCHEDULE`.
"""

from __future__ import annotations

from celery import shared_task

from caunoi.core.tasks import DELIVERY_TASK_OPTIONS

from .services import post_attempt, posts_dispatch_pending


@shared_task(
    **DELIVERY_TASK_OPTIONS,
    # The request has its own short timeout; these limits only catch a platform that trickles bytes.
    soft_time_limit=30,
    time_limit=45,
)
def send_social_post(post_id: int) -> str:
    """Sends one post (see `post_attempt`); returns what happened. Idempotent."""
    return str(post_attempt(post_id))


@shared_task
def dispatch_pending_social_posts() -> int:
    """Queues due pending posts (retries, lost dispatches); returns how many."""
    return posts_dispatch_pending()

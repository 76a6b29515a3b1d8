"""Celery tasks of following (declared in caunoi.config.celery.BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from .services import follow_digests_send


@shared_task
def send_follow_digests() -> int:
    """Writes the daily digests that are due (see follow_digests_send); idempotent. Returns how many."""
    return follow_digests_send()

"""Periodic work on accounts (declared with its schedule in caunoi/config/celery.py)."""

from __future__ import annotations

from celery import shared_task

from .tokens import api_tokens_delete_expired


@shared_task(acks_late=True)
def delete_expired_api_tokens() -> int:
    """Idempotent: deletes API tokens past their expiry; a second run finds none."""
    return api_tokens_delete_expired()

"""Periodic jobs of the dialogues app (declared with their schedules in config/celery.py)."""

from __future__ import annotations

from celery import shared_task

from .services.privacy import dialogues_anonymise_ended


@shared_task(acks_late=True)
def anonymise_ended_dialogues() -> int:
    """Idempotent: each dialogue is anonymised once; a run does a bounded batch and the next run goes on."""
    return dialogues_anonymise_ended()

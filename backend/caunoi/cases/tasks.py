"""Periodic work on cases (declared with its schedule in caunoi/config/celery.py)."""

from __future__ import annotations

import dataclasses
import logging

from celery import shared_task

from .services.anonymise import cases_anonymise_closed
from .services.idempotency import intake_keys_expire
from .services.sweep import deadline_sweep

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_deadline_sweep() -> dict[str, int]:
    """Idempotent: a second run, or a concurrent one, finds nothing new to do."""
    result = deadline_sweep()
    logger.info("deadline sweep: %s", result)
    return dataclasses.asdict(result)


@shared_task(acks_late=True)
def expire_intake_keys() -> int:
    """Idempotent: deletes Idempotency-Keys past their time; a second run finds none."""
    return intake_keys_expire()


@shared_task(acks_late=True)
def anonymise_closed_cases() -> int:
    """Idempotent: each case is anonymised once; a run does a bounded batch and the next run goes on."""
    return cases_anonymise_closed()

from celery import shared_task

from .flush import counts_flush


@shared_task(acks_late=True)
def flush_counts() -> dict[str, int]:
    """Moves counts waiting in Redis to PostgreSQL (analytics.flush). Idempotent; safe on two workers."""
    result = counts_flush()
    return {"batches": result.batches, "skipped": result.skipped, "views": result.views, "searches": result.searches}

"""Celery tasks of the reports: thin, they call the aggregates' and the league's services. Scheduled in
config/celery.py."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .aggregates import stats_rebuild_recent, stats_refresh
from .export_jobs import export_job_build, export_job_delete_expired
from .league import current_periods, league_refresh


@shared_task
def refresh_statistics() -> int:
    """Brings the per-agency aggregates up to date with the events and ratings added since the last run;
    returns how many days it rebuilt. Idempotent; one run at a time (an advisory lock)."""
    return len(stats_refresh())


@shared_task
def rebuild_recent_statistics() -> None:
    """Rebuilds the aggregates of the last REPORTS_STATS_REBUILD_DAYS days (the nightly pass)."""
    stats_rebuild_recent()


@shared_task
def refresh_current_league() -> int:
    """Recomputes the public league of the current quarter and month into the cache; returns how many
    agencies the quarter ranks. Idempotent: a doubled or missed run only moves the figures by minutes."""
    minimum = settings.REPORTS_LEAGUE_MIN_ANSWERED
    counts = [len(league_refresh(period=period, min_answered=minimum)) for period in current_periods()]
    return counts[0]


@shared_task
def build_export(job_id: str) -> str | None:
    """Builds one requested report file (export_jobs.export_job_build); returns its status. Idempotent."""
    job = export_job_build(job_id=job_id)
    return job.status if job else None


@shared_task
def delete_expired_exports() -> int:
    """Removes report files past their expiry, and their jobs; returns how many."""
    return export_job_delete_expired()

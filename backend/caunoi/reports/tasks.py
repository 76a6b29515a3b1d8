"""Celery tasks of the reports: thin, they call the aggregates' and the league's services. Scheduled in
config/celery.py."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .aggregates import stats_rebuild_recent, stats_refresh
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

"""The public league table's data, shared by its page and the API, and its cache.

The table is summed from the per-agency aggregates (stats.py), a few rows per agency whatever the length of
the history; and it is public and anonymous, so it is cached besides: a closed period (one whose
aggregates are never rewritten any more, see aggregates.closed_before) for ever; the current quarter and
month are recomputed every few minutes by a periodic task (`refresh_current_league`) and read from the
cache in between, as are recently ended periods (for CURRENT_CACHE_SECONDS).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

from caunoi.agencies.models import Agency
from caunoi.core import clock

from .aggregates import closed_before
from .periods import Period, current_quarter, month_period
from .series import RankedAgency
from .stats import stats_league_table as league_table

logger = logging.getLogger(__name__)

# The current period's table is recomputed this often by the periodic task; the cache keeps it a little
# longer, so a reader never meets a gap between two refreshes.
CURRENT_REFRESH_SECONDS = 4 * 60
CURRENT_CACHE_SECONDS = 10 * 60


def league_cached(*, period: Period, min_answered: int) -> list[RankedAgency]:
    """`league_table`, from the cache when it is there (see the module docstring). Redis down: computed."""
    key = _key(period, min_answered)
    try:
        stored = cache.get(key)
    except Exception:
        logger.warning("league cache unavailable", exc_info=True)
        return league_table(period=period, min_answered=min_answered)
    if stored is None:
        return _store(period, min_answered)
    # Figures are cached, agencies read afresh: a renamed agency shows its new name in old periods too.
    agencies = Agency.objects.in_bulk([agency_id for agency_id, _figures in stored])
    return [RankedAgency(agencies[agency_id], figures) for agency_id, figures in stored if agency_id in agencies]


def league_refresh(*, period: Period, min_answered: int) -> list[RankedAgency]:
    """Recomputes and stores one period's table (the periodic task, for the current periods)."""
    return _store(period, min_answered)


def current_periods() -> list[Period]:
    """The periods readers ask for most and whose tables still change: this quarter and this month."""
    today = clock.local_date()
    return [current_quarter(today), month_period(today.year, today.month)]


def _store(period: Period, min_answered: int) -> list[RankedAgency]:
    ranked = league_table(period=period, min_answered=min_answered)
    # Closed: its aggregates are never rewritten any more (aggregates.py), so its table is kept for ever.
    ended = period.last_day < closed_before()
    stored = [(row.agency.pk, row.figures) for row in ranked]
    try:
        cache.set(_key(period, min_answered), stored, None if ended else CURRENT_CACHE_SECONDS)
    except Exception:
        logger.warning("league cache unavailable", exc_info=True)
    return ranked


def _key(period: Period, min_answered: int) -> str:
    return f"reports:league:v1:{period.kind}:{period.first_day}:{period.last_day}:{min_answered}"


def league_as_dict(period: Period, min_answered: int, ranked: list[RankedAgency]) -> dict[str, Any]:
    return {
        "period": {
            "code": period.code,
            "kind": period.kind,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
        },
        "min_answered": min_answered,
        "agencies": [
            {
                "rank": position,
                "agency": {"code": row.agency.code, "name": row.agency.display_name},
                "answered": row.figures.answered,
                "answered_on_time": row.figures.answered_on_time,
                "on_time_rate": round(row.figures.on_time_rate or 0, 4),
                # On time by the agency's own clock; how long citizens waited in all, and how many of the
                # answered items had been transferred, so transfers cannot flatter the rate unseen.
                "citizen_median_days": row.figures.as_dict()["citizen_median_days"],
                "answered_transferred": row.figures.answered_transferred,
            }
            for position, row in enumerate(ranked, start=1)
        ],
    }

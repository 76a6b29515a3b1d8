"""The public league table's data, shared by its page and the API."""

from __future__ import annotations

from typing import Any

from .periods import Period
from .series import RankedAgency


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

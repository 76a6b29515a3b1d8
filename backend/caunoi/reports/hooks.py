"""Figures that other apps on the reports' floor provide.

`dialogues` sits on the same floor as `reports`, so neither imports the other. When the dialogues app can
count participation, it registers a provider here from its AppConfig.ready():

    from caunoi.reports.hooks import register_dialogue_participation
    register_dialogue_participation(count_participation)

Until then the figure is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

# (agency path prefixes in scope, start, end) -> how many dialogue questions or attendances in the period.
DialogueParticipation = Callable[[Sequence[str], dt.datetime, dt.datetime], int]

_dialogue_participation: DialogueParticipation | None = None


def register_dialogue_participation(provider: DialogueParticipation) -> None:
    global _dialogue_participation
    _dialogue_participation = provider


def dialogue_participation(paths: Sequence[str], start: dt.datetime, end: dt.datetime) -> int:
    """Participation in live dialogues of the agencies under `paths` in [start, end); 0 without a provider."""
    if _dialogue_participation is None:
        return 0
    return int(_dialogue_participation(paths, start, end))

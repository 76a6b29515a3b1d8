"""Figures that other apps on the reports' floor provide.

`dialogues` sits on the same floor as `reports`, so neither imports the other. When the dialogues app can
count participation, it registers a provider here from its AppConfig.ready():

    from caunoi.reports.hooks import register_dialogue_participation
    register_dialogue_participation(count_participation)

Until then the figure is 0. It also registers `register_dialogue_figures` (one row per dialogue in scope:
questions received, approved, answered live, turned into cases, viewers peak and total), shown on the
dashboard per dialogue and per agency; without a provider there are no rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

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


# (agency path prefixes in scope, start, end) -> one dict per dialogue (see caunoi.dialogues.figures).
DialogueFigures = Callable[[Sequence[str], dt.datetime, dt.datetime], list[dict[str, Any]]]
# The per-dialogue rows -> one dict per agency.
DialogueFiguresByAgency = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

_dialogue_figures: tuple[DialogueFigures, DialogueFiguresByAgency] | None = None


def register_dialogue_figures(provider: DialogueFigures, by_agency: DialogueFiguresByAgency) -> None:
    global _dialogue_figures
    _dialogue_figures = (provider, by_agency)


def dialogue_figures(
    paths: Sequence[str], start: dt.datetime, end: dt.datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(per dialogue, per agency) figures of the dialogues of agencies under `paths` that started in
    [start, end); two empty lists without a provider."""
    if _dialogue_figures is None:
        return [], []
    provider, by_agency = _dialogue_figures
    rows = provider(paths, start, end)
    return rows, by_agency(rows)

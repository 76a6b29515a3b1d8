"""Dialogue figures for reports (registered with `caunoi.reports.hooks` when the app is ready).

Definitions, per dialogue that started in the period at an agency in scope (the agency it was scheduled for,
or one below it):
- questions received: every question sent to it, whatever became of it;
- approved: questions a moderator approved (still approved, or answered since);
- answered live: questions answered on air (a typed answer, or marked answered);
- turned into cases: approved questions not answered on air, opened as cases when it ended;
- viewers peak: the most people watching at once (over every server process, sampled every few seconds);
- viewers total: how many different people watched (accounts, devices, or addresses; an estimate within
  about 1% from a HyperLogLog).
Per agency: the sums, except the peak, which is the highest of its dialogues'. Dialogue participation (the
report's one-number figure) is the questions received.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q

from .models import Dialogue, QuestionStatus


def dialogue_figures(paths: Sequence[str], start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """One row per dialogue of agencies under `paths` that started in [start, end), soonest first. One query."""
    in_scope = Q()
    for path in paths:
        in_scope |= Q(agency__path__startswith=path)
    rows = (
        Dialogue.objects.filter(in_scope, starts_at__gte=start, starts_at__lt=end)
        .select_related("agency")
        .annotate(
            received=Count("questions"),
            approved=Count(
                "questions", filter=Q(questions__status__in=[QuestionStatus.APPROVED, QuestionStatus.ANSWERED])
            ),
            answered_live=Count("questions", filter=Q(questions__status=QuestionStatus.ANSWERED)),
            cases=Count("questions", filter=Q(questions__case__isnull=False)),
        )
        .order_by("starts_at", "id")
    )
    return [
        {
            "dialogue": dialogue,
            "agency": dialogue.agency,
            "questions_received": dialogue.received,
            "questions_approved": dialogue.approved,
            "answered_live": dialogue.answered_live,
            "turned_into_cases": dialogue.cases,
            "viewers_peak": dialogue.viewers_peak,
            "viewers_total": dialogue.viewers_total,
        }
        for dialogue in rows
    ]


FIGURES = ("questions_received", "questions_approved", "answered_live", "turned_into_cases", "viewers_total")


def figures_by_agency(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-dialogue rows summed per agency (the peak is the highest), agencies by name."""
    by_agency: dict[int, dict[str, Any]] = {}
    for row in rows:
        agency = row["agency"]
        total = by_agency.setdefault(
            agency.pk, {"agency": agency, "dialogues": 0, "viewers_peak": 0, **dict.fromkeys(FIGURES, 0)}
        )
        total["dialogues"] += 1
        total["viewers_peak"] = max(total["viewers_peak"], row["viewers_peak"])
        for name in FIGURES:
            total[name] += row[name]
    return sorted(by_agency.values(), key=lambda total: total["agency"].name)


def dialogue_participation(paths: Sequence[str], start: dt.datetime, end: dt.datetime) -> int:
    """The report's one-number figure: questions received by the dialogues in scope."""
    return sum(row["questions_received"] for row in dialogue_figures(paths, start, end))

"""The case's history in plain language (placeholder, filled in below)."""

from __future__ import annotations

from typing import Any

from .models import Case


def routing_lines(explanation: dict[str, Any]) -> list[str]:
    return []


def staff_timeline(case: Case) -> list[Any]:
    return []

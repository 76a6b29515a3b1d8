"""Formatting report figures for pages: a missing value is a dash, never a misleading 0."""

from __future__ import annotations

from django import template

from ..numbers import number_text, percent_text

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.753 → "75.3%" (localised decimal separator); None → "—"."""
    if value is None:
        return "—"
    return percent_text(value * 100)


@register.filter
def decimal(value: float | None) -> str:
    """A median or an average with one decimal; None → "—"."""
    if value is None:
        return "—"
    return number_text(float(value), 1)


@register.filter
def rating_count(distribution: dict[int, int], score: int) -> int:
    return distribution.get(int(score), 0)


@register.filter
def get_item_safe(mapping: dict[str, str], key: str) -> str:
    """mapping[key], or the key itself when absent (a label for a code)."""
    return mapping.get(key, key)

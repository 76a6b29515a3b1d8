"""Numbers as the page's language writes them, one way for figures, tables and chart axes alike:
"2,5" and "75,0%" in Vietnamese, "2.5" and "75.0%" in English (Django's localised number format)."""

from __future__ import annotations

from django.utils.formats import number_format


def number_text(value: float, decimals: int = 0) -> str:
    """`value` with `decimals` decimals, in the active language's format."""
    return number_format(round(float(value), decimals), decimal_pos=decimals)


def percent_text(percent: float, decimals: int = 1) -> str:
    """A percentage (75.3 → "75,3%" in Vietnamese)."""
    return f"{number_text(percent, decimals)}%"

"""Filters for notification templates, whose context holds JSON values (dates as ISO strings)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso_date(value: object) -> dt.date | None:
    """An ISO date ("2026-06-29") or date-time string as a date, for `|date:"d/m/Y"`. A date-time counts
    in the portal's time zone. Anything else gives None, which `date` renders as nothing."""
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return iso_date(moment)


@register.filter
def to_int(value: object) -> int | None:
    """A whole number from a number or its text ("3"), for `{% blocktranslate count %}`, which takes numbers
    only; writers that build the context in SQL may hand over text. Anything else gives None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None

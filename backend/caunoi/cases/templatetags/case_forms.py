"""Template tags of the case pages' forms."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from ..web.errors import SentBack

register = template.Library()


@register.simple_tag(takes_context=True)
def action_form(context: dict[str, Any], name: str) -> SentBack:
    """The form `name` as this page shows it: sent back with its errors and typed text if it is the form that
    failed (`sent_back` in the context), else empty."""
    sent = context.get("sent_back")
    if sent is not None and sent.name == name:
        return sent
    return SentBack(name=name, data={}, errors={})


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`mapping[key]`, or None: a form's values and messages by a field name held in a variable."""
    if not mapping:
        return None
    getter = getattr(mapping, "get", None)
    return getter(key) if getter else None


@register.filter
def values_of(form: SentBack, name: str) -> list[str]:
    """Every value a sent-back form held for `name` (its checked boxes)."""
    return form.values(name) if form.errors else []


@register.filter
def autosave_number(number: int) -> str:
    """A draft's version number in a sentence, marked so that js/draft-autosave.js can keep it current when an
    autosave makes a new version (the sentence stays one translated message)."""
    return format_html('<span data-autosave-number="">{}</span>', number)

"""A notification's text: `frontend/templates/notifications/<template>.txt`, first line the subject."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from django.template.loader import get_template, render_to_string
from django.utils import translation

TEMPLATE_NAME = re.compile(r"[a-z0-9_]+")


class RenderedMessage(NamedTuple):
    subject: str
    body: str


class EmptyMessage(ValueError):
    """The template rendered nothing but whitespace."""


def template_path(template: str) -> str:
    """The template file for a notification template name. Raises ValueError for a name that is not plain
    lower-case letters, digits and underscores (names come from code, never from people)."""
    if not TEMPLATE_NAME.fullmatch(template):
        raise ValueError(f"not a notification template name: {template!r}")
    return f"notifications/{template}.txt"


def check_template(template: str) -> None:
    """Raises ValueError for a malformed name, TemplateDoesNotExist or TemplateSyntaxError for a bad file."""
    get_template(template_path(template))


def render_message(*, template: str, context: dict[str, Any], language: str) -> RenderedMessage:
    """Renders the message in `language`: the first non-blank line is the subject, the rest the body.

    Trailing spaces are dropped and runs of blank lines (left by template tags) become one blank line.
    Raises ValueError, TemplateDoesNotExist or TemplateSyntaxError; EmptyMessage if nothing is rendered.
    The templates turn autoescaping off themselves: this is plain text, and "&" must stay "&".
    """
    with translation.override(language):
        text = render_to_string(template_path(template), context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    if not lines:
        raise EmptyMessage(f"notification template {template!r} rendered nothing")
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines[1:])).strip()
    return RenderedMessage(subject=lines[0].strip(), body=body)

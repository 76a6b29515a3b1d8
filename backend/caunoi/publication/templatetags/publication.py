"""Template filters for published texts."""

from __future__ import annotations

import html
import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_MARKER = re.compile(r"\[[^\]\n]{1,80}\]")


@register.filter
def marked_redactions(text: str) -> SafeString:
    """The text escaped, paragraphs kept, each "[hidden: …]" marker in <mark> so a reviewer sees at a glance
    what the public will not."""
    escaped = html.escape(text or "")
    with_marks = _MARKER.sub(lambda m: f'<mark class="pub-hidden">{m.group(0)}</mark>', escaped)
    paragraphs = [p.replace("\n", "<br>") for p in re.split(r"\n{2,}", with_marks.replace("\r\n", "\n")) if p]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))  # noqa: S308 (escaped above)

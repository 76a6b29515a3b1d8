"""Reading JSON from the outside world: the one decoder for request bodies (caunoi.core.parsers) and websocket
frames (caunoi.dialogues.consumers).

Python's decoder recurses once per level of nesting, so a few kilobytes of brackets end in RecursionError (a
500, or a websocket dropped without a close frame); PostgreSQL refuses the NUL character in text and in jsonb,
so a "\\u0000" that reached a query would fail there. Both are refused here, where the input enters, with a
message the client can act on.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

# No request or frame of this API nests deeper than a handful of levels; 32 leaves room for partners' extras.
MAX_DEPTH = 32


class UnsafeJSON(ValueError):
    """Well-formed JSON that the service refuses to take in; `message` is translated and shown to the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259), and no numeric field accepts them.
    raise ValueError(f"invalid JSON constant {name}")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decodes one JSON document. Raises ValueError when it is not JSON (json.JSONDecodeError,
    UnicodeDecodeError), and its subclass UnsafeJSON when it nests deeper than `max_depth` arrays and objects or
    holds a NUL character in a key or a string."""
    try:
        value = json.loads(text, parse_constant=_constant)
    except RecursionError:
        raise UnsafeJSON(_too_deep(max_depth)) from None
    check(value, max_depth=max_depth)
    return value


def check(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raises UnsafeJSON if decoded JSON nests deeper than `max_depth` or holds a NUL character. Walks without
    recursion, so any value the decoder produced can be checked."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise UnsafeJSON(_("Text may not contain the NUL character (\\u0000)."))
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise UnsafeJSON(_too_deep(max_depth))
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)


def _too_deep(max_depth: int) -> str:
    return _("The JSON is nested too deeply: at most %(depth)d levels of arrays and objects.") % {"depth": max_depth}

"""A site's colours as CSS custom properties, and the contrast check that keeps its header readable.

The content security policy forbids inline styles, so each site's colours come as a small stylesheet of
its own (portals/views.py) that overrides the variables `frontend/static/css/site.css` defines.
"""

from __future__ import annotations

import hashlib

# Header text is white on the primary colour (and on its darker shade, the navigation bar): WCAG 2.1 AA
# asks 4.5:1 for normal text.
MIN_CONTRAST_WITH_WHITE = 4.5


def _channels(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (_linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def darker(colour: str, *, by: float = 0.3) -> str:
    """`colour` mixed with black: the navigation bar under the header, always darker than the header."""
    return "#" + "".join(f"{round(c * (1 - by)):02x}" for c in _channels(colour))


def theme_css(*, primary: str, accent: str) -> str:
    return (
        f":root {{\n  --c-brand: {primary};\n  --c-brand-dark: {darker(primary)};\n  --c-brand-accent: {accent};\n}}\n"
    )


def theme_version(*, primary: str, accent: str) -> str:
    """Changes whenever the stylesheet does: part of its URL, so it can be cached for a year."""
    return hashlib.sha256(f"{primary}{accent}".lower().encode()).hexdigest()[:12]

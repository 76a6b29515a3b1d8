"""Validation errors as text for pages."""

from __future__ import annotations

from typing import Any


def error_texts(detail: Any) -> list[str]:
    """DRF errors are lists, or dicts by position for list fields (one per attachment): flatten to text."""
    if isinstance(detail, dict):
        return [text for value in detail.values() for text in error_texts(value)]
    if isinstance(detail, list | tuple):
        return [text for value in detail for text in error_texts(value)]
    return [str(detail)]

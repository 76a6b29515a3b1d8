"""Validation errors as text for pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict


def error_texts(detail: Any) -> list[str]:
    """DRF errors are lists, or dicts by position for list fields (one per attachment): flatten to text."""
    if isinstance(detail, dict):
        return [text for value in detail.values() for text in error_texts(value)]
    if isinstance(detail, list | tuple):
        return [text for value in detail for text in error_texts(value)]
    return [str(detail)]


@dataclass(frozen=True)
class SentBack:
    """A form sent back with errors (the one pattern of the staff action forms): which form, what was typed
    and the messages by field, each with its label, so that the page shows them beside each field and in a
    summary at the top of the form, keeps the text and opens the form's fold.

    `prefix` names the form's fields on the page: the field `days` of the form `action-extend` has the id
    `action-extend-days`; messages not about one field ("non_field_errors") are listed without a link.
    """

    name: str
    data: QueryDict | dict[str, Any]
    errors: dict[str, list[str]]
    labels: dict[str, str] = field(default_factory=dict)
    prefix: str = ""

    @classmethod
    def of(
        cls, name: str, data: QueryDict | dict[str, Any], errors: Any, labels: dict[str, str], prefix: str
    ) -> SentBack:
        by_field = {key: error_texts(detail) for key, detail in errors.items()} if isinstance(errors, dict) else {}
        if not isinstance(errors, dict):
            by_field = {"non_field_errors": error_texts(errors)}
        return cls(name=name, data=data, errors=by_field, labels=labels, prefix=prefix)

    @property
    def summary(self) -> list[dict[str, str]]:
        """The summary's lines: the field's id to link to ("" for none), its label and the message."""
        lines = []
        for key, texts in self.errors.items():
            plain = key in {"non_field_errors", "__all__", ""} or key not in self.labels
            for text in texts:
                lines.append(
                    {"id": "" if plain else f"{self.prefix}{key}", "label": "" if plain else self.labels[key],
                     "message": text}
                )  # fmt: skip
        return lines

    @property
    def kept_text(self) -> list[str]:
        """The text typed into the form (shown back when the form itself is no longer offered)."""
        return [
            str(value)
            for key, value in self.data.items()
            if key not in {"csrfmiddlewaretoken"} and len(str(value)) > 20
        ]

    def values(self, name: str) -> list[str]:
        """Every value sent for `name` (checkboxes)."""
        getlist = getattr(self.data, "getlist", None)
        return list(getlist(name)) if getlist else [str(self.data.get(name, ""))]

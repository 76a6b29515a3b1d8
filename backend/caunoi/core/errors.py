"""Errors raised by services. One exception handler (caunoi.core.api) maps them to HTTP."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the request. `message` is shown to the user (already translated)."""

    status_code = 400

    def __init__(self, message: Any, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    """The object does not exist or the user may not see it: both look the same from outside."""

    status_code = 404


class ValidationFailed(ApplicationError):
    """Input failed validation; `errors` maps field names to lists of messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid input", extra={"errors": errors})
        self.errors = errors

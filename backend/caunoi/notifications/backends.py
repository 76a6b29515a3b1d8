"""How a rendered message leaves the platform: one backend per channel, chosen by a setting.

`NOTIFICATION_BACKENDS` maps a channel to the dotted path of a class with a no-argument constructor that
follows `Backend`; channels it leaves out keep the defaults below. Email goes through Django's mail layer,
so `EMAIL_BACKEND` decides console, file or SMTP; SMS and Zalo only log until a gateway is connected.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKENDS: dict[str, str] = {
    "email": "caunoi.notifications.backends.EmailBackend",
    "sms": "caunoi.notifications.backends.LoggingBackend",
    "zalo": "caunoi.notifications.backends.LoggingBackend",
}


class Backend(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        """Hands one message to the channel. Returns once it is accepted; raises on any failure, so the
        outbox retries it later (a backend never swallows its own errors). A backend that also takes
        `headers` (a mapping of e-mail headers) is given the row's headers when it has any."""
        ...


class EmailBackend:
    """Django's mail layer from `DEFAULT_FROM_EMAIL`; `EMAIL_BACKEND` and `EMAIL_TIMEOUT` apply. A Reply-To
    among `headers` becomes the message's reply address; the others are sent as they are."""

    def send(self, *, recipient: str, subject: str, body: str, headers: Mapping[str, str] | None = None) -> None:
        extra = dict(headers or {})
        reply_to = extra.pop("Reply-To", "")
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], reply_to=[reply_to] if reply_to else None,
            headers=extra,
        )  # fmt: skip
        message.send(fail_silently=False)


class LoggingBackend:
    """Writes the message to the log at INFO and reports success: for development, and for channels whose
    gateway is not connected yet. The log then holds the recipient and the text, so it is personal data."""

    def send(self, *, recipient: str, subject: str, body: str, headers: Mapping[str, str] | None = None) -> None:
        logger.info("notification to %s: %s\n%s", recipient, subject, body)


def backend_paths() -> dict[str, str]:
    """Channel → dotted path in force: the defaults, overridden channel by channel by the setting."""
    return {**DEFAULT_BACKENDS, **getattr(settings, "NOTIFICATION_BACKENDS", {})}


def backend_for(channel: str) -> Backend:
    """The backend instance for `channel`. Raises ImproperlyConfigured for a channel without a backend or a
    path that does not import (the system check reports the same at start-up)."""
    path = backend_paths().get(channel)
    if not path:
        raise ImproperlyConfigured(f"NOTIFICATION_BACKENDS has no backend for channel {channel!r}")
    return _backend(path)


@cache
def _backend(path: str) -> Backend:
    # Cached by path rather than by channel, so a changed setting (tests, override_settings) takes effect
    # while each class is still imported and built once per process.
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"NOTIFICATION_BACKENDS: cannot import {path!r}: {exc}") from exc
    backend: Backend = backend_class()
    return backend

"""System check: every channel has a notification backend that imports (bad settings stop start-up)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .backends import backend_for
from .models import Notification


@register()
def check_notification_backends(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for channel in Notification.Channel.values:
        try:
            backend_for(channel)
        except ImproperlyConfigured as exc:
            errors.append(Error(str(exc), id="notifications.E001"))
    return errors

"""Metrics and logs for operators: who may read /metrics, and the log format."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from caunoi.core.env import env_list, env_str

from .base import LOGGING as _BASE_LOGGING

# /metrics answers these networks (the Prometheus server's), or a request bearing this token; others get 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "") or ""
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(network, strict=False)
        for network in env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS must list networks such as 10.0.0.0/8: {exc}") from exc

# One JSON object per line in production (LOG_FORMAT=json), for the data centre's log collector; readable
# lines by default. Personal data is scrubbed either way (the filter is on the handler).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json; got {LOG_FORMAT!r}")
LOGGING: dict[str, Any] = _BASE_LOGGING
LOGGING["formatters"]["json"] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT

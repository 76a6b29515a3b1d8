"""DATABASE_URL → Django's DATABASES entry (PostgreSQL only: search and intake rely on it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def database_from_url(
    url: str, *, name: str = "DATABASE_URL", pool: dict[str, Any] | None = None, statement_timeout_ms: int = 0
) -> dict[str, Any]:
    """Django's DATABASES entry for `url`; a positive `statement_timeout_ms` is set on every connection."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"{name} must start with postgres:// or postgresql://; got {url!r}")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://127.0.0.1:5432/caunoi")
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} has an invalid port: {url!r}") from exc
    options = dict(parse_qsl(parts.query))
    if statement_timeout_ms:
        options["options"] = f"{options.get('options', '')} -c statement_timeout={statement_timeout_ms}".strip()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        # Under ASGI every request runs its sync code in a thread of its own, so Django's per-thread
        # persistent connections would mean one new PostgreSQL connection (a forked backend) per request.
        # A process-wide psycopg pool hands each request an open connection instead; the pool checks a
        # connection before lending it, so a restarted PostgreSQL costs a retry, not a wave of errors.
        "OPTIONS": {"pool": pool, **options} if pool else options,
        "CONN_MAX_AGE": 0,
        # With the pool, Django has it check a connection before lending it only when this is true: without
        # the check, each connection left over from before a PostgreSQL restart failed one request.
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": f"test_{database}"},
    }

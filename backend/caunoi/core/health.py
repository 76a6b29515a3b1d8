"""Liveness (/healthz: the process answers) and readiness (/readyz: it can reach PostgreSQL and Redis).

Without PostgreSQL the process can do nothing useful: 503, and load balancers send traffic elsewhere.
Without Redis it still serves (intake stores cases; notifications and broadcasts wait in PostgreSQL until
Redis returns): 200 "degraded", so it stays in service, and monitoring sees what is missing.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure means "not ready"; the detail is in the database log
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(str(settings.REDIS_URL), socket_timeout=1, socket_connect_timeout=1)
        return bool(client.ping())
    except redis.RedisError:
        return False


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    database, redis_up = _database_ok(), _redis_ok()
    status = "unavailable" if not database else "ok" if redis_up else "degraded"
    body = {"status": status, "database": "ok" if database else "down", "redis": "ok" if redis_up else "down"}
    return JsonResponse(body, status=200 if database else 503)

"""Fixed-window rate limits kept in Redis, shared by every process: more processes or more connections do
not multiply anyone's allowance.

When Redis does not answer, limits allow: intake and the live room must keep working through a Redis outage
(the limits protect against abuse, they are not what keeps data safe). Each such miss is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .redis_client import redis_client

logger = logging.getLogger(__name__)


# What a refused client is told, on pages and in the API (HTTP 429).
TOO_MANY_REQUESTS = _("Too many requests from your network in a short time. Wait a few minutes and try again.")


@dataclass(frozen=True)
class Limit:
    count: int  # at most this many ...
    seconds: int  # ... in a window of this many seconds


def parse_limit(text: str) -> Limit:
    """ "20/60" → Limit(20, 60). Raises ValueError for anything else (settings report it at start-up)."""
    count, _slash, seconds = text.partition("/")
    limit = Limit(int(count), int(seconds))
    if limit.count < 1 or limit.seconds < 1:
        raise ValueError(text)
    return limit


def hit(scope: str, who: str, limit: Limit) -> bool:
    """Counts one request by `who` in `scope` and says whether it is within `limit`."""
    key = f"caunoi:rate:{scope}:{who}"
    try:
        count = count_in_window(key, limit.seconds)
    except Exception:
        logger.warning("rate limit %s not checked: Redis unavailable", scope, exc_info=True)
        return True
    return count <= limit.count


def count_in_window(key: str, seconds: int) -> int:
    """Adds one to the counter `key`, which starts at its first use and ends `seconds` later; returns it.
    SET NX EX then INCR in one transaction: EXPIRE ... NX would need Redis 7, and the embedded Redis of
    `make run` is 6.2."""
    pipe = redis_client().pipeline()
    pipe.set(key, 0, ex=seconds, nx=True)
    pipe.incr(key)
    return int(pipe.execute()[1])


def request_allowed(request: HttpRequest, scope: str) -> bool:
    """Counts `request` against the limit RATE_LIMITS[scope] for its client address."""
    return hit(scope, client_address(request), settings.RATE_LIMITS[scope])


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies (nginx, a load balancer)
    the address the outermost trusted proxy saw, from X-Forwarded-For. Addresses a client wrote itself (the
    left part of the header) are never trusted."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))

"""Sliding-window rate limits kept in Redis, shared by every process: more processes or more connections do
not multiply anyone's allowance.

A window is a sorted set of the moments of the requests it allowed (`caunoi:rate:<scope>:<who>`): a request is
allowed when fewer than `count` allowed requests lie in the last `seconds`, so a burst at the end of one fixed
window and the start of the next is not twice the limit. Refused requests are not stored: a client that stops
is allowed again as soon as its oldest allowed request leaves the window, which is what `Retry-After` says.
Several keys (per address, per account, per e-mail) are checked and counted together in one Lua script: one
round trip, and a request refused by one key does not use up the others.

When Redis does not answer, limits allow: intake and the live room must keep working through a Redis outage
(the limits protect against abuse, they are not what keeps data safe). Each such miss is logged.

Which requests count against which limits is declared in one table, `caunoi.core.policy.SCOPES`.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .redis_client import redis_client

logger = logging.getLogger(__name__)


# What a refused client is told, on pages and in the API (HTTP 429).
TOO_MANY_REQUESTS = _("Too many requests from your network in a short time. Wait a few minutes and try again.")


@dataclass(frozen=True)
class Limit:
    count: int  # at most this many ...
    seconds: int  # ... in any window of this many seconds


def parse_limit(text: str) -> Limit:
    """ "20/60" → Limit(20, 60). Raises ValueError for anything else (settings report it at start-up)."""
    count, _slash, seconds = text.partition("/")
    limit = Limit(int(count), int(seconds))
    if limit.count < 1 or limit.seconds < 1:
        raise ValueError(text)
    return limit


# KEYS: the windows. ARGV: now (ms), "add" or "peek", a unique member, then count and window (ms) per key.
# Returns 0 when every window has room (and, with "add", records the request in each), else the milliseconds
# until the fullest window has room again.
_SLIDING_WINDOW = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(ARGV[2 + 2 * i])
  local window = tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= count then
    local oldest = redis.call('ZRANGE', key, -count, -count, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + window - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 or ARGV[2] ~= 'add' then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, tonumber(ARGV[3 + 2 * i]))
end
return 0
"""


def window_key(scope: str, who: str) -> str:
    return f"caunoi:rate:{scope}:{who}"


def check(windows: list[tuple[str, Limit]], *, count: bool = True) -> float:
    """Checks the windows `(key, limit)` together; with `count`, records one request in each when all have
    room. Returns 0 when allowed, else the seconds until the request would be allowed (for Retry-After).
    Allows (returns 0) when Redis does not answer."""
    if not windows:
        return 0
    args: list[str | int] = [int(time.time() * 1000), "add" if count else "peek", uuid.uuid4().hex]
    for _key, limit in windows:
        args += [limit.count, limit.seconds * 1000]
    try:
        wait_ms = redis_client().eval(_SLIDING_WINDOW, len(windows), *[key for key, _limit in windows], *args)
    except Exception:
        logger.warning("rate limits %s not checked: Redis unavailable", [k for k, _l in windows], exc_info=True)
        return 0
    return int(wait_ms) / 1000


def hit(scope: str, who: str, limit: Limit) -> bool:
    """Counts one request by `who` in `scope` and says whether it is within `limit`."""
    return check([(window_key(scope, who), limit)]) == 0


def retry_after_header(wait: float) -> str:
    """The Retry-After value for a wait in seconds: whole seconds, at least one."""
    return str(max(1, math.ceil(wait)))


def count_in_window(key: str, seconds: int) -> int:
    """Adds one to the counter `key`, which starts at its first use and ends `seconds` later; returns it.
    A fixed window (the login lockout counts failures per account this way). SET NX EX then INCR in one
    transaction: EXPIRE ... NX would need Redis 7, and the embedded Redis of `make run` is 6.2."""
    pipe = redis_client().pipeline()
    pipe.set(key, 0, ex=seconds, nx=True)
    pipe.incr(key)
    return int(pipe.execute()[1])


def client_address(request) -> str:  # type: ignore[no-untyped-def]
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies (nginx, a load balancer)
    the address the outermost trusted proxy saw, from X-Forwarded-For. Addresses a client wrote itself (the
    left part of the header) are never trusted."""
    from django.conf import settings

    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def request_allowed(request, scope: str) -> bool:  # type: ignore[no-untyped-def]
    """Counts `request` against every limit the abuse policy declares for `scope` (its address, and its
    account and contact details where the scope names them); False when one is exhausted. The wait is kept
    on the request, so the 429 carries Retry-After (caunoi.core.policy.AbusePolicyMiddleware)."""
    from .policy import refusal_for

    return refusal_for(request, scope) is None

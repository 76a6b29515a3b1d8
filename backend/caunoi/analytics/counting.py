"""Counting on the request path: one Redis pipeline per counted request, never a database write.

Publication sends `item_viewed` and `search_performed` from the item page, the search page and the search
API on the path that answers 200. Not counted: HEAD (link checkers, monitors), requests that look
automated (`normalise.is_bot`), searches without words, and pages after the first of one search (reading
further is not searching again). Nothing about the person is kept: no address, session, user or User-Agent,
only the site, the item or the normalised words, and the local day.

When Redis does not answer, the count is dropped: the page must not fail or wait for a statistic. After a
failure, counting pauses for ANALYTICS_PAUSE_SECONDS so a hung Redis costs one short timeout per pause, not
one per request, and the warning is logged once per pause.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings

from caunoi.core import clock
from caunoi.core.redis_client import redis_client
from caunoi.portals.selectors import site_of
from caunoi.publication.signals import item_viewed, search_performed

from .keys import SEARCHES, VIEWS, live_key, portal_field
from .normalise import is_bot, normalise_query

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_paused_until = 0.0


def connect() -> None:
    item_viewed.connect(_on_item_viewed, dispatch_uid="analytics-item-viewed")
    search_performed.connect(_on_search_performed, dispatch_uid="analytics-search-performed")


def counted(request: Any) -> bool:
    """Whether this request is one a person made with a browser and is worth counting."""
    if not settings.ANALYTICS_ENABLED:
        return False
    if request.method != "GET":
        return False
    return not is_bot(str(request.META.get("HTTP_USER_AGENT", "")))


def _portal_id(request: Any) -> int | None:
    return site_of(request).id


def _on_item_viewed(sender: object, *, request: Any, item_id: int, **kwargs: object) -> None:
    if counted(request):
        increment(VIEWS, f"{portal_field(_portal_id(request))}:{int(item_id)}")


def _on_search_performed(
    sender: object, *, request: Any, query: str, result_count: int, page: int = 1, **kwargs: object
) -> None:
    if page != 1 or not counted(request):
        return
    term = normalise_query(query)
    if term:
        found = 1 if result_count > 0 else 0
        increment(SEARCHES, f"{portal_field(_portal_id(request))}:{found}:{term}")


def increment(kind: str, field: str) -> None:
    """Adds one to `field` of today's live key of `kind`; drops the count if Redis fails (see above)."""
    global _paused_until
    if time.monotonic() < _paused_until:
        return
    try:
        redis_client().hincrby(live_key(kind, clock.local_date()), field, 1)
    except Exception:
        with _lock:
            first = time.monotonic() >= _paused_until
            _paused_until = time.monotonic() + settings.ANALYTICS_PAUSE_SECONDS
        if first:
            logger.warning(
                "analytics: Redis unavailable, counts dropped for %s s", settings.ANALYTICS_PAUSE_SECONDS, exc_info=True
            )


def resume() -> None:
    """Ends a pause after a failure at once (tests; an operator after a Redis repair need not wait)."""
    global _paused_until
    _paused_until = 0.0

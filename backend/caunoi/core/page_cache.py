"""Public pages served from a cache, and purged everywhere at once when what the public sees changes.

Two layers, one rule. Django keeps each anonymous public page in the shared cache (Redis) under a key that
includes the *public generation*, a counter in Redis that `purge_public_pages()` bumps after the change
commits: every key of the old generation is unreachable from the next request on, in every process, and
expires by itself. In the deployed topology nginx keeps a micro-cache in front (deploy/nginx/caunoi.conf,
`X-Accel-Expires` below); the same purge deletes its cache files through its purge endpoint (WebDAV DELETE
of the cache's directories, stock nginx), once at once and once more EDGE_CACHE_REPURGE_SECONDS later, for
a page rendered from the old data but stored after the first purge. nginx's TTL is the bound should a purge
fail to reach it.

What makes a page shareable is checked here, in one place: a GET or HEAD from a visitor without a session,
a login or flash messages, answered 200 without setting a cookie or using the CSRF token. Everything else,
logged-in and staff pages above all, is marked `private` and never stored. Pages carry no per-visitor
state: the language switch is a plain GET form (caunoi.core.language) and views are counted by a beacon
(caunoi.analytics.web), not on the page's own request.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.utils.translation import get_language

from .redis_client import redis_client

logger = logging.getLogger(__name__)

GENERATION_KEY = "caunoi:version:public-pages"
STATUS_HEADER = "X-Page-Cache"  # hit, miss or bypass: what operators and tests look at
# nginx keeps its cache files in 16 × 256 directories (levels=1:2): deleting the 16 first-level ones empties it.
EDGE_DIRECTORIES = "0123456789abcdef"
EDGE_PURGE_COALESCE_SECONDS = 0.05
_last_edge_purge = 0.0
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Content-Disposition")
_session_cookie_names = (settings.SESSION_COOKIE_NAME, "messages")

View = TypeVar("View", bound=Callable[..., HttpResponse])


def public_page(view: View | None = None, *, seconds: int | None = None) -> Any:
    """Serves `view` from the public page cache when the request and its response allow it (module doc).
    `seconds` shortens a page's life in the cache for data that changes without a purge (the league)."""
    if view is None:
        return functools.partial(public_page, seconds=seconds)

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        generation = _generation() if _shareable_request(request) else None
        if generation is None:
            return _private(view(request, *args, **kwargs))
        key = _key(request, generation)
        stored = cache.get(key)
        if stored is not None:
            response = _rebuild(stored)
            response[STATUS_HEADER] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if not _shareable_response(request, response):
                return _private(response)
            response["ETag"] = f'"{hashlib.blake2b(response.content, digest_size=12).hexdigest()}"'
            lifetime = min(seconds or settings.PUBLIC_PAGE_CACHE_SECONDS, settings.PUBLIC_PAGE_CACHE_SECONDS)
            cache.set(key, _stored(response), lifetime)
            response[STATUS_HEADER] = "miss"
        _mark_public(response, seconds)
        if response["ETag"] in parse_etags(request.headers.get("If-None-Match", "")):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Cache-Control", "X-Accel-Expires", "Vary", STATUS_HEADER):
                if header in response:
                    not_modified[header] = response[header]
            return not_modified
        return response

    return cached_view  # type: ignore[return-value]


def purge_public_pages() -> None:
    """Every cached public page is gone for the next request once the caller's transaction commits."""
    transaction.on_commit(_purge_now)


def _purge_now() -> None:
    try:
        redis_client().incr(GENERATION_KEY)
    except redis.RedisError:
        # Pages are then served uncached (no generation can be read either), so nothing stale is shown.
        logger.error("Redis unreachable: could not bump the public page generation")
    global _last_edge_purge
    # One transaction that changed many rows (an admin's bulk edit) runs many of these back to back: one
    # edge purge, and one later, stand for all of them.
    now = time.monotonic()
    if settings.EDGE_CACHE_PURGE_URLS and now - _last_edge_purge > EDGE_PURGE_COALESCE_SECONDS:
        _last_edge_purge = now
        purge_edge_caches()
        _purge_edge_again_later()


def purge_edge_caches() -> None:
    """Deletes the cache files of every nginx in EDGE_CACHE_PURGE_URLS; a failure is logged, never raised."""
    for base in settings.EDGE_CACHE_PURGE_URLS:
        for directory in EDGE_DIRECTORIES:
            # The addresses come from the settings (http:// to nginx), never from a request.
            request = urllib.request.Request(f"{base.rstrip('/')}/{directory}/", method="DELETE")  # noqa: S310
            try:
                urllib.request.urlopen(request, timeout=settings.EDGE_CACHE_PURGE_TIMEOUT).close()  # noqa: S310
            except urllib.error.HTTPError as error:
                if error.code != 404:  # 404: that directory holds nothing yet
                    logger.error("edge cache purge of %s answered %s", base, error.code)
                    break
            except OSError:
                logger.error("edge cache purge: %s cannot be reached", base, exc_info=True)
                break


def _purge_edge_again_later() -> None:
    from .tasks import purge_edge_caches_task

    try:
        purge_edge_caches_task.apply_async(countdown=settings.EDGE_CACHE_REPURGE_SECONDS)
    except Exception:  # the broker is down: purge again from this process instead
        logger.warning("broker unreachable: the second edge purge runs in a timer thread", exc_info=True)
        timer = threading.Timer(settings.EDGE_CACHE_REPURGE_SECONDS, purge_edge_caches)
        timer.daemon = True
        timer.start()


def _generation() -> int | None:
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return None
    try:
        return int(redis_client().get(GENERATION_KEY) or 0)
    except (redis.RedisError, ValueError):
        return None


def _shareable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    return not any(name in request.COOKIES for name in _session_cookie_names)


def _shareable_response(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page embeds a visitor's CSRF token
        and (session is None or not session.modified)
    )


def _key(request: HttpRequest, generation: int) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{generation}:{get_language()}:{digest}"


def _stored(response: HttpResponse) -> dict[str, Any]:
    headers = {name: response[name] for name in (*_KEPT_HEADERS, "ETag") if name in response}
    return {"content": response.content, "headers": headers}


def _rebuild(stored: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(stored["content"])
    for name, value in stored["headers"].items():
        response[name] = value
    return response


def _mark_public(response: HttpResponse, seconds: int | None) -> None:
    # Browsers revalidate every time (a 304 costs one cache read); nginx keeps it EDGE seconds.
    response.headers.pop("Cache-Control", None)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    edge = settings.PUBLIC_PAGE_EDGE_SECONDS
    response["X-Accel-Expires"] = str(min(seconds or edge, edge))


def _private(response: HttpResponse) -> HttpResponse:
    if "Cache-Control" not in response:
        patch_cache_control(response, private=True, no_cache=True)
    response[STATUS_HEADER] = "bypass"
    return response


class PrivateUnlessPublicMiddleware:
    """Every response that did not say otherwise is `private, no-cache`: only pages served through
    `public_page` (and static files) may be kept by a shared cache, so a logged-in or staff page never is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
        return response

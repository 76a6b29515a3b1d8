"""Counting a page view by a beacon the page loads, so the page itself can come from a shared cache.

A cached item or search page never reaches Django (nginx serves it), so it cannot count itself. The page
carries a 1×1 image whose address names what to count, signed so that nobody can count an item that is not
on the page or a search nobody made; loading it sends the same signal the page used to send
(`item_viewed`, `search_performed`), and counting (caunoi.analytics.counting) is unchanged: bots and HEAD
are still left out, and an image-less crawler is not counted at all.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core import signing
from django.urls import reverse

SALT = "caunoi.analytics.beacon"
# The smallest transparent GIF: what the beacon answers, never cached.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def item_view_beacon(item_id: int) -> str:
    return _url({"v": int(item_id)})


def search_beacon(*, query: str, result_count: int, page: int) -> str:
    return _url({"q": query, "n": int(result_count), "p": int(page)})


def read(token: str) -> dict[str, Any] | None:
    """The payload of a beacon's token, or None when it was not made here."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


def _url(payload: dict[str, Any]) -> str:
    return f"{reverse('analytics:beacon')}?t={signing.dumps(payload, salt=SALT, compress=True)}"

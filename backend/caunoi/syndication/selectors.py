"""Reads of published items for feeds and Open311: only items that are published, newest first.

Feeds and Open311 list this portal's own items only: imported items belong to their origin portal, and
passing them on would let two portals that import from each other echo items back and forth.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from caunoi.agencies.models import Agency, Category
from caunoi.publication.models import PublishedItem, Status

FEED_SIZE = 50


def _published_here() -> QuerySet[PublishedItem]:
    return PublishedItem.objects.filter(status=Status.PUBLISHED, origin_portal="").select_related("agency", "category")


def published_for_feed(
    *, agency: Agency | None = None, category: Category | None = None, within_path: str = "", limit: int = FEED_SIZE
) -> list[PublishedItem]:
    """The newest published items of this portal; an agency's feed includes the agencies below it. With
    `within_path` (a component site's subtree) only the items of the agencies inside it."""
    items = _published_here()
    if within_path:
        items = items.filter(agency__path__startswith=within_path)
    if agency is not None:
        items = items.filter(agency__path__startswith=agency.path)
    if category is not None:
        items = items.filter(category=category)
    return list(items.order_by("-published_at", "-id")[:limit])


def published_for_open311(
    *,
    ids: list[str] | None = None,
    category: Category | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 1000,
) -> list[PublishedItem]:
    """Published items as Open311 lists them: by slug or tracking code, service (category) and the date the
    request was received, newest first. GeoReport v2 caps a response at 1,000 requests."""
    items = _published_here()
    if ids is not None:
        items = items.filter(Q(slug__in=ids) | Q(case__tracking_code__in=ids))
    if category is not None:
        items = items.filter(category=category)
    if start is not None:
        items = items.filter(received_at__gte=start)
    if end is not None:
        items = items.filter(received_at__lte=end)
    return list(items.order_by("-published_at", "-id")[:limit])


def published_item_for_open311(request_id: str) -> PublishedItem | None:
    """One published item by its slug, or by the tracking code of the case it answers (what an Open311
    client was given when it posted the request)."""
    items = _published_here()
    return items.filter(slug=request_id).first() or items.filter(case__tracking_code=request_id).first()

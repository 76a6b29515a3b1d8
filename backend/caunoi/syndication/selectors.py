"""Reads of published items for feeds and Open311: only items that are published, newest first.

Feeds and Open311 list this portal's own items only: imported items belong to their origin portal, and
passing them on would let two portals that import from each other echo items back and forth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import Case
from caunoi.core import clock
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


@dataclass(frozen=True)
class ServiceRequest:
    """One Open311 service request: a case (named by its tracking code, with its published item when there
    is one), or a published item of this portal made from something else (a dialogue's transcript, named by
    its slug)."""

    case: Case | None
    item: PublishedItem | None

    @property
    def id(self) -> str:
        return self.case.tracking_code if self.case is not None else self.item.slug  # type: ignore[union-attr]


OPEN311_DEFAULT_WINDOW = dt.timedelta(days=90)  # GeoReport v2: without dates, the most recent 90 days
OPEN311_MAX = 1000  # GeoReport v2 caps a response at 1,000 requests


def _requests_cases() -> QuerySet[Case]:
    # A case held as possible spam is not a request yet; imported items never have a case here.
    return Case.objects.filter(held_at__isnull=True).select_related("agency", "category", "published_item")


def _public(item: PublishedItem | None) -> PublishedItem | None:
    if item is None or item.status != Status.PUBLISHED or item.origin_portal:
        return None
    return item


def open311_requests(
    *,
    ids: list[str] | None = None,
    categories: list[Category] | None = None,
    statuses: set[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    now: dt.datetime | None = None,
    limit: int = OPEN311_MAX,
) -> list[ServiceRequest]:
    """Service requests as GeoReport v2 lists them, newest received first. `ids` (tracking codes, or slugs
    of published items) override every other filter, as the specification says; without ids or dates, the
    last 90 days. `statuses`: open (no answer or decision yet), closed."""
    cases = _requests_cases()
    items = _published_here().filter(case__isnull=True)
    if ids is not None:
        codes = [i.upper() for i in ids]
        cases = cases.filter(
            Q(tracking_code__in=codes) | Q(published_item__slug__in=ids, published_item__status=Status.PUBLISHED)
        )
        items = items.filter(slug__in=ids)
    else:
        if categories:
            cases = cases.filter(category__in=categories)
            items = items.filter(category__in=categories)
        if statuses and statuses != {"open", "closed"}:
            cases = cases.filter(closed_at__isnull="open" in statuses)
            if "closed" not in statuses:
                items = items.none()
        if start is None and end is None:
            start = (now or clock.now()) - OPEN311_DEFAULT_WINDOW
        if start is not None:
            cases = cases.filter(received_at__gte=start)
            items = items.filter(received_at__gte=start)
        if end is not None:
            cases = cases.filter(received_at__lte=end)
            items = items.filter(received_at__lte=end)
    found = [
        ServiceRequest(case, _public(getattr(case, "published_item", None)))
        for case in cases.order_by("-received_at", "-id")[:limit]
    ]
    found += [ServiceRequest(None, item) for item in items.order_by("-received_at", "-id")[:limit]]
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    found.sort(key=lambda r: (r.case.received_at if r.case else r.item.received_at) or far_past, reverse=True)  # type: ignore[union-attr]
    return found[:limit]


def open311_request(request_id: str) -> ServiceRequest | None:
    """One service request by its id (a tracking code, any letter case), or by the slug of its published
    item (what the lists of earlier versions named it by)."""
    case = _requests_cases().filter(tracking_code=request_id.upper()).first()
    if case is None:
        item = _published_here().filter(slug=request_id).select_related("case").first()
        if item is None:
            return None
        case = item.case if item.case is not None and item.case.held_at is None else None
        return ServiceRequest(case, item)
    return ServiceRequest(case, _public(getattr(case, "published_item", None)))

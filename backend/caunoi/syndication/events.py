"""What a published item looks like when it leaves this portal: the JSON event body and public links.

Only public fields of `PublishedItem` are read here (the redacted title, question and answer, never the
private `source_*` texts, never anything of the case behind it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from caunoi.portals.selectors import covering_site_url
from caunoi.publication.models import PublishedItem

from .models import EventType

# The public page of an item, as publication's web URLs name it; until that exists the API detail is used.
ITEM_PAGE_URL_NAME = "publication:item"


def portal_base_url() -> str:
    return str(settings.PORTAL_BASE_URL).rstrip("/")


def portal_authority() -> str:
    """This portal's host (and port, if any): how other portals name us as an origin."""
    return urlsplit(portal_base_url()).netloc


def item_path(item: PublishedItem) -> str:
    try:
        return reverse(ITEM_PAGE_URL_NAME, args=[item.slug])
    except NoReverseMatch:
        return api_item_path(item)


def api_item_path(item: PublishedItem) -> str:
    return f"/api/v1/published/{item.slug}/"


def item_url(item: PublishedItem) -> str:
    """The item's public page (absolute: events and feeds are read elsewhere), on the component site
    covering its agency when there is one."""
    return covering_site_url(item_path(item), item.agency.path if item.agency is not None else "")


def tag_uri(item: PublishedItem) -> str:
    """A stable, globally unique id (RFC 4151): it never changes when the item is corrected or moved, and
    says which portal published the item. The date is fixed: it dates the naming scheme, not the item."""
    host = urlsplit(portal_base_url()).hostname or "localhost"
    return f"tag:{host},2026:published/{item.slug}"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def item_fields(item: PublishedItem) -> dict[str, Any]:
    """The public fields of an item as JSON values; the same shape the import reads back."""
    agency = item.agency
    category = item.category
    return {
        "slug": item.slug,
        "id": tag_uri(item),
        "url": item_url(item),
        "api_url": portal_base_url() + api_item_path(item),
        "kind": item.kind,
        "title": item.title,
        "question": item.question,
        "answer": item.answer,
        "asker_display": item.asker_display,
        "agency": {"code": agency.code, "name": agency.name} if agency is not None else None,
        "category": {"slug": category.slug, "name": category.name} if category is not None else None,
        "received_at": _iso(item.received_at),
        "answered_at": _iso(item.answered_at),
        "published_at": _iso(item.published_at),
        "due_at": _iso(item.due_at),
        "answered_on_time": item.answered_on_time,
        "updated_at": _iso(item.updated_at),
    }


def event_body(
    *, event_type: EventType, item: PublishedItem, occurred_at: dt.datetime, revision: int | None = None
) -> dict[str, Any]:
    """The event as partners receive it (without `id`, which each delivery adds). An unpublished item is
    named only, so that text taken down here does not travel once more."""
    body: dict[str, Any] = {
        "type": str(event_type),
        "occurred_at": occurred_at.isoformat(),
        "portal": portal_base_url(),
    }
    if event_type == EventType.UNPUBLISHED:
        body["item"] = {"slug": item.slug, "id": tag_uri(item), "url": item_url(item)}
    else:
        body["item"] = item_fields(item)
    if revision is not None:
        body["revision"] = revision
    return body

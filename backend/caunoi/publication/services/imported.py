"""Items copied from another portal (syndication's import): publication owns every write to its items, so
the importer hands over what it read and this decides create, update or leave alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from ..models import PublishedItem, Status
from .common import vocabulary_add
from .surface import public_view_changed

# The fields an import writes; comparing them tells "changed" from "unchanged".
IMPORTED_FIELDS = (
    "kind", "title", "question", "answer", "asker_display", "agency_id", "category_id", "received_at",
    "answered_at", "due_at", "origin_url", "origin_agency_name",
)  # fmt: skip


def item_upsert_imported(
    *,
    origin: str,
    origin_id: str,
    values: dict[str, Any],
    published_at: dt.datetime,
    new_slug: Callable[[], str],
) -> tuple[Literal["created", "updated", "unchanged"], PublishedItem]:
    """Creates the published copy of (origin, origin_id), or brings an existing one up to date with `values`
    (IMPORTED_FIELDS). A copy an administrator unpublished here stays unpublished. Call inside the import's
    transaction (the row is locked). "Did you mean" learns the words of new titles."""
    existing = PublishedItem.objects.select_for_update().filter(origin_portal=origin, origin_id=origin_id).first()
    if existing is None:
        item = PublishedItem.objects.create(
            slug=new_slug(),
            status=Status.PUBLISHED,
            published_at=published_at,
            origin_portal=origin,
            origin_id=origin_id,
            **values,
        )
        vocabulary_add(item.title)
        public_view_changed(item=item, change="imported")
        return "created", item
    changed = [name for name in IMPORTED_FIELDS if getattr(existing, name) != values[name]]
    if not changed:
        return "unchanged", existing
    for name in changed:
        setattr(existing, name, values[name])
    existing.save(update_fields=[*changed, "updated_at"])
    if "title" in changed:
        vocabulary_add(existing.title)
    public_view_changed(item=existing, change="imported")
    return "updated", existing

"""The one function told whenever what the public sees of an item changes.

Every service that publishes, corrects (publicly or for privacy), unpublishes or imports an item calls
`public_view_changed` inside its transaction. It is where caches of public pages are purged (the front
page's data, and every cached page: caunoi.core.page_cache), and it sends `item_public_changed` for anything
else that keeps a copy of public text."""

from __future__ import annotations

from typing import Literal

from caunoi.core.page_cache import purge_public_pages

from ..models import PublishedItem
from ..selectors import home_cache
from ..signals import item_public_changed

Change = Literal["published", "corrected", "corrected_privately", "unpublished", "imported"]


def public_view_changed(*, item: PublishedItem, change: Change) -> None:
    """Purges every cached public view of `item` once the caller's transaction commits (nothing if it rolls
    back) and tells receivers of `item_public_changed`. Call it after the item's rows are written."""
    home_cache.invalidate()  # takes effect after the transaction commits
    purge_public_pages()
    item_public_changed.send(sender=PublishedItem, item=item, change=change)

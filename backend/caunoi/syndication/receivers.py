"""Publication's signals → the webhook outbox. Connected in apps.py. Runs inside the publishing
transaction and only writes rows: partners are called later, by workers, so they can never slow or
break publishing."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caunoi.publication.models import PublishedItem
from caunoi.publication.signals import item_corrected, item_published, item_unpublished

from .models import EventType
from .services.webhooks import deliveries_enqueue, deliveries_rewrite_item


@receiver(item_published, dispatch_uid="syndication.item_published")
def on_item_published(sender: Any, *, item: PublishedItem, **kwargs: Any) -> None:
    deliveries_enqueue(item=item, event_type=EventType.PUBLISHED)


@receiver(item_corrected, dispatch_uid="syndication.item_corrected")
def on_item_corrected(
    sender: Any, *, item: PublishedItem, revision: Any = None, private: bool = False, **kwargs: Any
) -> None:
    if private:  # corrected for privacy: nothing waiting to be sent (or in the log) keeps the old text
        deliveries_rewrite_item(item=item)
    # `revision` may be the revision row or its number, depending on publication's version of the signal.
    number = getattr(revision, "number", revision)
    deliveries_enqueue(item=item, event_type=EventType.CORRECTED, revision=number if isinstance(number, int) else None)


@receiver(item_unpublished, dispatch_uid="syndication.item_unpublished")
def on_item_unpublished(sender: Any, *, item: PublishedItem, **kwargs: Any) -> None:
    # The reason is not sent: it may describe the very data that had to be taken down.
    deliveries_enqueue(item=item, event_type=EventType.UNPUBLISHED)

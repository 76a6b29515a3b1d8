"""Publication's signals → the webhook outbox. Connected in apps.py. Runs inside the publishing
transaction and only writes rows: partners are called later, by workers, so they can never slow or
break publishing."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caunoi.publication.models import PublishedItem
from caunoi.publication.signals import item_anonymised, item_corrected, item_published, item_unpublished

from .models import Delivery, EventType
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


@receiver(item_anonymised, dispatch_uid="syndication.item_anonymised")
def on_item_anonymised(sender: Any, *, item: PublishedItem, known: Any, **kwargs: Any) -> None:
    # The delivery log keeps every webhook body sent: the person leaves it with the item (the item's fields
    # are replaced by its anonymised ones; anything else that named them is redacted).
    deliveries_rewrite_item(item=item)
    for delivery_id, payload in Delivery.objects.filter(item_id=item.pk).values_list("pk", "payload"):
        hidden = without_asker(known.redact_value(payload))
        if hidden != payload:
            Delivery.objects.filter(pk=delivery_id).update(payload=hidden)


def without_asker(value: Any) -> Any:
    """A JSON value with every `asker_display` emptied."""
    if isinstance(value, dict):
        return {key: "" if key == "asker_display" else without_asker(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_asker(item) for item in value]
    return value

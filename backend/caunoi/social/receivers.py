"""Publication's and dialogues' signals → the social outbox. Connected in apps.py. Runs inside the
publishing or scheduling transaction and only writes rows: platforms are called later, by workers."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caunoi.dialogues.models import Dialogue
from caunoi.dialogues.signals import dialogue_announced
from caunoi.publication.models import PublishedItem
from caunoi.publication.signals import item_anonymised, item_public_changed, item_published

from .services import posts_enqueue_for_dialogue, posts_enqueue_for_item, posts_rewrite_for_item


@receiver(item_published, dispatch_uid="social.item_published")
def on_item_published(sender: Any, *, item: PublishedItem, **kwargs: Any) -> None:
    posts_enqueue_for_item(item=item)


@receiver(item_public_changed, dispatch_uid="social.item_public_changed")
def on_item_public_changed(sender: Any, *, item: PublishedItem, change: str, **kwargs: Any) -> None:
    if change == "corrected_privately":  # the announced title may have carried what was taken out
        posts_rewrite_for_item(item=item)


@receiver(dialogue_announced, dispatch_uid="social.dialogue_announced")
def on_dialogue_announced(sender: Any, *, dialogue: Dialogue, **kwargs: Any) -> None:
    posts_enqueue_for_dialogue(dialogue=dialogue)


@receiver(item_anonymised, dispatch_uid="social.item_anonymised")
def on_item_anonymised(sender: Any, *, item: PublishedItem, **kwargs: Any) -> None:
    # The post log keeps what was announced: re-rendered from the anonymised public text, the person leaves it.
    posts_rewrite_for_item(item=item)

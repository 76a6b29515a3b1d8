"""Publication's and dialogues' signals → the social outbox. Connected in apps.py. Runs inside the
publishing or scheduling transaction and only writes rows: platforms are called later, by workers."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caunoi.dialogues.models import Dialogue
from caunoi.dialogues.signals import dialogue_announced
from caunoi.publication.models import PublishedItem
from caunoi.publication.signals import item_anonymised, item_published

from .models import Event, SocialPost
from .services import posts_enqueue_for_dialogue, posts_enqueue_for_item


@receiver(item_published, dispatch_uid="social.item_published")
def on_item_published(sender: Any, *, item: PublishedItem, **kwargs: Any) -> None:
    posts_enqueue_for_item(item=item)


@receiver(dialogue_announced, dispatch_uid="social.dialogue_announced")
def on_dialogue_announced(sender: Any, *, dialogue: Dialogue, **kwargs: Any) -> None:
    posts_enqueue_for_dialogue(dialogue=dialogue)


@receiver(item_anonymised, dispatch_uid="social.item_anonymised")
def on_item_anonymised(sender: Any, *, item: PublishedItem, known: Any, **kwargs: Any) -> None:
    # The post log keeps what was announced; the person leaves it with the item (what the platform shows is
    # the platform's, and the citizen consented to it).
    posts = SocialPost.objects.filter(event=Event.ANSWER_PUBLISHED, object_id=item.pk)
    for post_id, title, message in posts.values_list("pk", "title", "message"):
        SocialPost.objects.filter(pk=post_id).update(
            title=item.title[:255] or known.redact(title), message=known.redact(message)
        )

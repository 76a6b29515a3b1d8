"""Keeps embeddings current: after a case or a published item is written, its text is embedded by a task
queued once the transaction has committed (a rolled-back submission is never embedded)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from caunoi.cases.models import Case
from caunoi.publication.models import PublishedItem, Status

from .models import ObjectType

logger = logging.getLogger(__name__)
# Fields whose change alters the embedded text (update_fields without them: nothing to redo).
_CASE_TEXT = {"title", "body"}
_ITEM_TEXT = {"title", "question", "status"}


def _queue(object_type: str, object_id: int) -> None:
    from .tasks import embed_object

    def send() -> None:
        try:
            embed_object.delay(object_type, object_id)
        except Exception:
            logger.warning("could not queue the embedding of %s %s", object_type, object_id)

    transaction.on_commit(send)


def _case_saved(sender: Any, instance: Case, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if settings.SEMANTIC_ENABLED and (created or update_fields is None or _CASE_TEXT & set(update_fields)):
        _queue(ObjectType.CASE, instance.pk)


def _item_saved(sender: Any, instance: PublishedItem, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if not settings.SEMANTIC_ENABLED or instance.status != Status.PUBLISHED:
        return
    if created or update_fields is None or _ITEM_TEXT & set(update_fields):
        _queue(ObjectType.ITEM, instance.pk)


def connect() -> None:
    post_save.connect(_case_saved, sender=Case, dispatch_uid="understanding-case-saved")
    post_save.connect(_item_saved, sender=PublishedItem, dispatch_uid="understanding-item-saved")
    from . import hooks

    hooks.register()

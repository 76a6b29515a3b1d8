"""Celery tasks of the understanding app: they take ids, are idempotent and may run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from . import embedder
from .services import embed_objects

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def embed_object(object_type: str, object_id: int) -> int:
    """Embeds one case's or published item's current text (after the transaction that wrote it committed).
    Does nothing when the model is unavailable: `manage.py build_embeddings` catches up later."""
    if not embedder.available():
        return 0
    return embed_objects(object_type=object_type, ids=[object_id])


@shared_task(acks_late=True)
def retrain_routing_model() -> int | None:
    """Trains a new routing model from the routing history (routing_training.py); its id, or None when
    there is too little history yet."""
    from .routing_training import routing_model_train

    model = routing_model_train()
    return model.pk if model is not None else None


@shared_task(acks_late=True)
def update_semantic_index() -> int:
    """Brings the meaning half's index file up to date (ann.py): vectors written since added or replaced,
    objects closed or unpublished removed. Does nothing until `manage.py build_semantic_index` made one, so a
    small installation stays on brute force. Returns how many vectors were added."""
    from . import ann

    if not ann.index_path().exists():
        return 0
    added, _removed, _seq = ann.index_update()
    return added

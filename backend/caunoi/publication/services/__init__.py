"""Writes to published items. Each service runs in one transaction and records its PublicationEvent."""

from .common import NothingToPublish, WrongItemStatus
from .imported import item_upsert_imported
from .proposal import (
    auto_publish_allowed,
    is_publication_candidate,
    item_follow_reconsidered_answer,
    item_propose,
    item_propose_from_dialogue,
    make_slug,
)
from .review import (
    ReasonRequired,
    item_correct,
    item_edit,
    item_publish,
    item_redaction_add,
    item_redaction_remove,
    item_unpublish,
)

__all__ = [
    "NothingToPublish",
    "ReasonRequired",
    "WrongItemStatus",
    "auto_publish_allowed",
    "is_publication_candidate",
    "item_correct",
    "item_edit",
    "item_follow_reconsidered_answer",
    "item_propose",
    "item_propose_from_dialogue",
    "item_publish",
    "item_redaction_add",
    "item_redaction_remove",
    "item_unpublish",
    "item_upsert_imported",
    "make_slug",
]

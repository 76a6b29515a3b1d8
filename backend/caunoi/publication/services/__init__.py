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
    PhraseAmbiguous,
    ReasonRequired,
    item_correct,
    item_correct_privately,
    item_decline,
    item_edit,
    item_publish,
    item_redaction_add,
    item_redaction_remove,
    item_redaction_restore,
    item_unpublish,
)
from .surface import public_view_changed

__all__ = [
    "NothingToPublish",
    "PhraseAmbiguous",
    "ReasonRequired",
    "WrongItemStatus",
    "auto_publish_allowed",
    "is_publication_candidate",
    "item_correct",
    "item_correct_privately",
    "item_decline",
    "item_edit",
    "item_follow_reconsidered_answer",
    "item_propose",
    "item_propose_from_dialogue",
    "item_publish",
    "item_redaction_add",
    "item_redaction_remove",
    "item_redaction_restore",
    "item_unpublish",
    "item_upsert_imported",
    "make_slug",
    "public_view_changed",
]

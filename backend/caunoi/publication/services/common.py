"""What every publication service shares: the event log, the public texts derived from the private ones,
and the vocabulary of titles behind "did you mean"."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.core import clock, redaction
from caunoi.core.errors import ApplicationError
from caunoi.core.text import vn_fold

from ..models import PublicationEvent, PublicationEventType, PublishedItem, Status

_MARKER = re.compile(r"\[[^\]]*\]")
_WORD = re.compile(r"[^\W\d_]{2,40}")


class WrongItemStatus(ApplicationError):
    """The item is not in a state that allows this (e.g. correcting an item that was never published)."""

    status_code = 409


class NothingToPublish(ApplicationError):
    """Publishing would put an empty title, question or answer on the portal."""


def record(item: PublishedItem, type: PublicationEventType, *, by: User | None, **payload: Any) -> None:
    PublicationEvent.objects.create(
        item=item,
        type=type,
        actor=by if by is not None and by.is_authenticated else None,
        at=clock.now(),
        payload=payload,
    )


def require_status(item: PublishedItem, *allowed: Status) -> None:
    if item.status not in allowed:
        raise WrongItemStatus(_("This item cannot be changed this way in its current state."))


def refresh_public_texts(item: PublishedItem) -> None:
    """Derives the public texts from the private ones and the active redactions (no save).

    Markers are written in the portal's language whatever the reviewer's, since the public reads them."""
    if not item.case_id and not item.source_question:
        return  # imported: what the origin portal published is already public
    active = list(item.redactions.filter(is_active=True))
    with translation.override(settings.LANGUAGE_CODE):
        for name in ("title", "question", "answer"):
            # Redactions of every text, and those of one occurrence in this text.
            phrases = [(r.kind, r.text, r.occurrence) for r in active if r.field in ("", name)]
            value = redaction.apply(getattr(item, f"source_{name}"), phrases)
            setattr(item, name, value[:255] if name == "title" else value)


def vocabulary_add(title: str) -> None:
    """Counts the words of a published title (markers left out) for "did you mean"."""
    words = {word for word in _WORD.findall(_MARKER.sub(" ", title).lower())}
    if not words:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO publication_searchword (word, folded, frequency) VALUES (%s, %s, 1) "
            "ON CONFLICT (word) DO UPDATE SET frequency = publication_searchword.frequency + 1",
            [(word, vn_fold(word)) for word in sorted(words)],
        )


def vocabulary_remove(title: str) -> None:
    """Uncounts the words of a title that is no longer public; words no title uses any more are dropped, so a
    name taken off the portal is not suggested by "did you mean"."""
    words = sorted({word for word in _WORD.findall(_MARKER.sub(" ", title).lower())})
    if not words:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE publication_searchword SET frequency = frequency - 1 WHERE word = ANY(%s) AND frequency > 0",
            [words],
        )
        cursor.execute("DELETE FROM publication_searchword WHERE word = ANY(%s) AND frequency = 0", [words])


def check_publishable(item: PublishedItem) -> None:
    if not (item.title.strip() and item.question.strip() and item.answer.strip()):
        raise NothingToPublish(_("The title, the question and the answer must not be empty."))

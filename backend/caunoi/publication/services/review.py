"""What moderators and leaders do to an item: hide or reveal phrases, edit, publish, unpublish, correct.

Every service locks the item, checks its status, records a PublicationEvent and, for what the public sees
change, sends its signal inside the transaction (syndication queues webhooks from it, after commit)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.cases.models import Case
from caunoi.core import clock
from caunoi.core.errors import ApplicationError, NotFound

from ..models import (
    PublicationEventType,
    PublishedItem,
    PublishedItemRevision,
    Redaction,
    RedactionKind,
    Status,
)
from ..signals import item_corrected, item_published, item_unpublished
from .common import WrongItemStatus, check_publishable, record, refresh_public_texts, require_status, vocabulary_add

TEXT_FIELDS = ("title", "question", "answer")


class ReasonRequired(ApplicationError):
    pass


def _lock(item: PublishedItem) -> PublishedItem:
    return PublishedItem.objects.select_for_update().get(pk=item.pk)


def _save_texts(item: PublishedItem, *extra: str) -> None:
    refresh_public_texts(item)
    item.save(update_fields=["title", "question", "answer", *extra, "updated_at"])


@transaction.atomic
def item_redaction_add(*, item: PublishedItem, phrase: str, kind: str, by: User) -> Redaction:
    """Hides `phrase` wherever it appears (case and diacritics ignored) in an item under review."""
    item = _lock(item)
    require_status(item, Status.PENDING_REVIEW)
    phrase = " ".join(phrase.split())
    if not phrase:
        raise ReasonRequired(_("Enter the words to hide."))
    if kind not in RedactionKind.values:
        kind = RedactionKind.OTHER
    added = Redaction.objects.create(
        item=item, kind=kind, text=phrase[:500], origin=Redaction.Origin.MANUAL, created_by=by
    )
    _save_texts(item)
    record(item, PublicationEventType.REDACTION_ADDED, by=by, kind=kind)  # never the hidden text itself
    return added


@transaction.atomic
def item_redaction_remove(*, item: PublishedItem, redaction_id: int, by: User) -> None:
    """Shows again what a redaction hid, for an item under review."""
    item = _lock(item)
    require_status(item, Status.PENDING_REVIEW)
    updated = Redaction.objects.filter(item=item, pk=redaction_id, is_active=True).update(is_active=False)
    if not updated:
        raise NotFound(_("This redaction does not exist."))
    _save_texts(item)
    record(item, PublicationEventType.REDACTION_REMOVED, by=by, redaction=redaction_id)


@transaction.atomic
def item_edit(*, item: PublishedItem, title: str, question: str, answer: str, by: User) -> PublishedItem:
    """Changes the texts of an item under review (before redaction; redactions still apply)."""
    item = _lock(item)
    require_status(item, Status.PENDING_REVIEW)
    changed = _set_texts(item, title=title, question=question, answer=answer)
    _save_texts(item, "source_title", "source_question", "source_answer")
    record(item, PublicationEventType.EDITED, by=by, fields=changed)
    return item


@transaction.atomic
def item_publish(*, item: PublishedItem, by: User | None, automatic: bool = False) -> PublishedItem:
    """Makes the item public (first time, or again after unpublishing). Keeps revision 1 the first text."""
    item = _lock(item)
    require_status(item, Status.PENDING_REVIEW, Status.UNPUBLISHED)
    if item.case_id and not Case.objects.filter(pk=item.case_id, consent_to_publish=True).exists():
        raise WrongItemStatus(_("The citizen withdrew their consent: this item cannot be published."))
    refresh_public_texts(item)
    check_publishable(item)
    item.status = Status.PUBLISHED
    item.published_at = clock.now()
    item.save(update_fields=["title", "question", "answer", "status", "published_at", "updated_at"])
    if not item.revisions.exists():
        _add_revision(item, by=by, reason="")
    vocabulary_add(item.title)
    record(item, PublicationEventType.PUBLISHED, by=by, automatic=automatic)
    item_published.send(sender=PublishedItem, item=item, by=by)
    return item


@transaction.atomic
def item_unpublish(*, item: PublishedItem, reason: str, by: User) -> PublishedItem:
    """Takes the item off the portal, saying why (the reason is kept in the event log)."""
    item = _lock(item)
    require_status(item, Status.PUBLISHED)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Say why the item is unpublished."))
    item.status = Status.UNPUBLISHED
    item.save(update_fields=["status", "updated_at"])
    record(item, PublicationEventType.UNPUBLISHED, by=by, reason=reason)
    item_unpublished.send(sender=PublishedItem, item=item, by=by, reason=reason)
    return item


@transaction.atomic
def item_correct(
    *, item: PublishedItem, title: str, question: str, answer: str, reason: str, by: User
) -> PublishedItemRevision:
    """Corrects a published item; the previous text stays in its revision history with the reason."""
    item = _lock(item)
    require_status(item, Status.PUBLISHED)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Say what the correction fixes."))
    if not item.revisions.exists():  # imported, or published before revisions were kept: keep the old text
        _add_revision(item, by=None, reason="")
    changed = _set_texts(item, title=title, question=question, answer=answer)
    if item.case_id or item.source_question:
        _save_texts(item, "source_title", "source_question", "source_answer")
    else:
        item.save(update_fields=["title", "question", "answer", "updated_at"])
    check_publishable(item)
    revision = _add_revision(item, by=by, reason=reason)
    vocabulary_add(item.title)
    record(item, PublicationEventType.CORRECTED, by=by, revision=revision.number, reason=reason, fields=changed)
    item_corrected.send(sender=PublishedItem, item=item, by=by, revision=revision)
    return revision


def _set_texts(item: PublishedItem, *, title: str, question: str, answer: str) -> list[str]:
    """Writes new texts where the redactions apply to them; returns the names of those that changed."""
    imported = not item.case_id and not item.source_question
    prefix = "" if imported else "source_"
    changed = []
    for name, value in (("title", title.strip()[:255]), ("question", question.strip()), ("answer", answer.strip())):
        if getattr(item, prefix + name) != value:
            setattr(item, prefix + name, value)
            changed.append(name)
    return changed


def _add_revision(item: PublishedItem, *, by: User | None, reason: str) -> PublishedItemRevision:
    last = item.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return PublishedItemRevision.objects.create(
        item=item,
        number=last + 1,
        title=item.title,
        question=item.question,
        answer=item.answer,
        by=by if by is not None and by.is_authenticated else None,
        at=clock.now(),
        reason=reason,
    )

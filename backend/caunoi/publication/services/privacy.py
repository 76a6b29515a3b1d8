"""What a citizen's data-protection rights (Law 91/2025) do to published items: anonymisation after the
retention period, and withdrawal of consent. Each service locks the item and records a PublicationEvent.

Lock order: the item row, then its redactions and revisions."""

from __future__ import annotations

from django.db import transaction

from caunoi.accounts.models import User
from caunoi.cases.services.anonymise import Known

from ..models import PublicationEvent, PublicationEventType, PublishedItem, PublishedItemRevision, Status
from ..signals import item_anonymised, item_unpublished
from .common import record, refresh_public_texts, vocabulary_add, vocabulary_remove
from .surface import public_view_changed


@transaction.atomic
def item_anonymise(*, item: PublishedItem, known: Known) -> PublishedItem:
    """Removes the person from the item for good: the private texts get the redactions baked in (and the
    person's known details hidden), after which the redaction rows, which held the hidden phrases literally,
    are deleted; the asker's name goes; earlier public texts (revisions) and staff's reasons in the event log
    are redacted too. What the public reads does not grow: it was derived with the same redactions."""
    item = PublishedItem.objects.select_for_update().get(pk=item.pk)
    old_title, old_public = item.title, (item.title, item.question, item.answer, item.asker_display)
    if item.case_id or item.source_question:  # imported items hold no private text
        refresh_public_texts(item)  # what the reviewers' redactions make public: that becomes the private text
        item.source_title = known.redact(item.title)[:255]
        item.source_question = known.redact(item.question)
        item.source_answer = known.redact(item.answer)
    item.redactions.all().delete()
    refresh_public_texts(item)
    item.asker_display = ""
    item.save(
        update_fields=[
            "source_title", "source_question", "source_answer", "title", "question", "answer", "asker_display",
            "updated_at",
        ]
    )  # fmt: skip
    revisions = list(PublishedItemRevision.objects.filter(item=item))
    if revisions and old_title != item.title:  # it was published: its title's words were counted
        vocabulary_remove(old_title)
        vocabulary_add(item.title)
    for revision in revisions:
        texts = {name: known.redact(getattr(revision, name)) for name in ("title", "question", "answer", "reason")}
        PublishedItemRevision.objects.filter(pk=revision.pk).update(**texts)
    for event_id, payload in PublicationEvent.objects.filter(item=item).values_list("pk", "payload"):
        hidden = known.redact_value(payload)
        if hidden != payload:
            PublicationEvent.objects.filter(pk=event_id).update(payload=hidden)
    record(item, PublicationEventType.ANONYMISED, by=None)
    if item.status == Status.PUBLISHED and old_public != (item.title, item.question, item.answer, ""):
        public_view_changed(item=item, change="corrected_privately")
    item_anonymised.send(sender=PublishedItem, item=item, known=known)
    return item


@transaction.atomic
def item_withdraw_consent(*, item: PublishedItem, by: User | None) -> PublishedItem:
    """The citizen withdrew their consent to publication: the item leaves the portal at once (published or
    still under review, it is unpublished and no reviewer can publish it again without new consent).
    Idempotent."""
    item = PublishedItem.objects.select_for_update().get(pk=item.pk)
    if item.status == Status.UNPUBLISHED:
        return item
    was_public = item.status == Status.PUBLISHED
    item.status = Status.UNPUBLISHED
    item.save(update_fields=["status", "updated_at"])
    reason = "consent withdrawn"
    record(item, PublicationEventType.CONSENT_WITHDRAWN, by=by)
    if was_public:
        item_unpublished.send(sender=PublishedItem, item=item, by=by, reason=reason)
        public_view_changed(item=item, change="unpublished")
    return item

"""What moderators and leaders do to an item: hide or reveal phrases, edit, publish, decline, unpublish,
correct publicly, correct for privacy.

Every service locks the item, checks its status, records a PublicationEvent and, for what the public sees
change, calls surface.public_view_changed and sends its signal inside the transaction (syndication queues
webhooks from it, after commit). Lock order: the item row first, then its redactions and revisions."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caunoi.accounts.models import User
from caunoi.cases.models import Case
from caunoi.core import clock, redaction
from caunoi.core.errors import ApplicationError, NotFound
from caunoi.core.text import vn_fold

from ..models import (
    PublicationEventType,
    PublishedItem,
    PublishedItemRevision,
    Redaction,
    RedactionKind,
    Status,
)
from ..signals import item_corrected, item_published, item_unpublished
from .common import (
    WrongItemStatus,
    check_publishable,
    record,
    refresh_public_texts,
    require_status,
    vocabulary_add,
    vocabulary_remove,
)
from .surface import public_view_changed

TEXT_FIELDS = ("title", "question", "answer")


class ReasonRequired(ApplicationError):
    pass


class PhraseAmbiguous(ApplicationError):
    """The phrase to hide appears several times (or not at the occurrence named): the reviewer must say which
    occurrence, or ask for every one. Hiding a common word everywhere would mangle "Luật Đất đai"."""


def _lock(item: PublishedItem) -> PublishedItem:
    return PublishedItem.objects.select_for_update().get(pk=item.pk)


def _save_texts(item: PublishedItem, *extra: str) -> None:
    refresh_public_texts(item)
    item.save(update_fields=["title", "question", "answer", *extra, "updated_at"])


@transaction.atomic
def item_redaction_add(
    *,
    item: PublishedItem,
    phrase: str,
    kind: str,
    by: User,
    field: str = "",
    occurrence: int | None = None,
    everywhere: bool = False,
) -> Redaction:
    """Hides `phrase` (case and diacritics ignored) in an item under review: only its `occurrence`-th
    appearance in `field` when given; wherever it appears when `everywhere`; otherwise the one place it
    appears. Raises PhraseAmbiguous if it appears several times and neither says which, or not at all."""
    item = _lock(item)
    require_status(item, Status.PENDING_REVIEW)
    phrase = " ".join(phrase.split())
    if not phrase:
        raise ReasonRequired(_("Enter the words to hide."))
    if kind not in RedactionKind.values:
        kind = RedactionKind.OTHER
    field, occurrence = _where(item, phrase, field=field, occurrence=occurrence, everywhere=everywhere)
    added = Redaction.objects.create(
        item=item,
        kind=kind,
        text=phrase[:500],
        origin=Redaction.Origin.MANUAL,
        created_by=by,
        field=field,
        occurrence=occurrence,
    )
    _save_texts(item)
    record(item, PublicationEventType.REDACTION_ADDED, by=by, kind=kind)  # never the hidden text itself
    return added


def _where(
    item: PublishedItem, phrase: str, *, field: str, occurrence: int | None, everywhere: bool
) -> tuple[str, int | None]:
    """(field, occurrence) for a new redaction; see item_redaction_add."""
    texts = _private_texts(item)
    if everywhere:
        return "", None
    counts = {name: redaction.count_occurrences(text, phrase) for name, text in texts.items()}
    if field in texts:
        if occurrence is None and counts[field] == 1:
            occurrence = 1
        if occurrence is not None and 1 <= occurrence <= counts[field]:
            return field, occurrence
        total = counts[field]
    else:
        total = sum(counts.values())
        if total == 1:
            return next(name for name, count in counts.items() if count), 1
    if total == 0:
        raise PhraseAmbiguous(_("These words do not appear in the item as written."))
    raise PhraseAmbiguous(
        ngettext(
            "The words appear %(count)d time here: choose which occurrence to hide, or hide every occurrence.",
            "The words appear %(count)d times here: choose which occurrence to hide, or hide every occurrence.",
            total,
        )
        % {"count": total}
    )


def _private_texts(item: PublishedItem) -> dict[str, str]:
    """The texts the redactions apply to: the private ones, or the public ones of an imported item."""
    if item.case_id or item.source_question:
        return {"title": item.source_title, "question": item.source_question, "answer": item.source_answer}
    return {"title": item.title, "question": item.question, "answer": item.answer}


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
def item_redaction_restore(*, item: PublishedItem, redaction_id: int, by: User) -> None:
    """Hides again what a reviewer had chosen to show (a rejected proposal accepted after all), for an item
    under review. Raises NotFound if there is no such inactive redaction on the item."""
    item = _lock(item)
    require_status(item, Status.PENDING_REVIEW)
    restored = Redaction.objects.filter(item=item, pk=redaction_id, is_active=False)
    kind = restored.values_list("kind", flat=True).first()
    if kind is None or not restored.update(is_active=True):
        raise NotFound(_("This redaction does not exist."))
    _save_texts(item)
    record(item, PublicationEventType.REDACTION_ADDED, by=by, kind=kind, redaction=redaction_id)


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
    public_view_changed(item=item, change="published")
    item_published.send(sender=PublishedItem, item=item, by=by)
    return item


@transaction.atomic
def item_decline(*, item: PublishedItem, reason: str, by: User) -> PublishedItem:
    """Decides that an item under review is not to be published ("do not publish"), saying why. The reason and
    who decided are kept in the event log (staff only); the item can no longer be published."""
    item = _lock(item)
    require_status(item, Status.PENDING_REVIEW)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Say why the item is not to be published."))
    item.status = Status.DECLINED
    item.save(update_fields=["status", "updated_at"])
    record(item, PublicationEventType.DECLINED, by=by, reason=reason[:500])
    return item


@transaction.atomic
def item_unpublish(*, item: PublishedItem, reason: str, by: User | None) -> PublishedItem:
    """Takes the item off the portal, saying why (the reason is kept in the event log). `by` is None when the
    system does it for the citizen (consent withdrawn)."""
    item = _lock(item)
    require_status(item, Status.PUBLISHED)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Say why the item is unpublished."))
    item.status = Status.UNPUBLISHED
    item.save(update_fields=["status", "updated_at"])
    record(item, PublicationEventType.UNPUBLISHED, by=by, reason=reason)
    public_view_changed(item=item, change="unpublished")
    item_unpublished.send(sender=PublishedItem, item=item, by=by, reason=reason)
    return item


@transaction.atomic
def item_correct(
    *, item: PublishedItem, title: str, question: str, answer: str, reason: str, by: User
) -> PublishedItemRevision | None:
    """Corrects a published item; the previous text stays in its revision history with the reason, shown on the
    item's page. Personal data the detector finds in the new texts is hidden as at proposal (a phrase a
    reviewer chose to show stays shown).

    A correction that takes personal data out of the public text is a privacy correction whatever the reviewer
    called it: it goes the way of item_correct_privately (no public note, no revision, the old text purged)
    and returns None, since a public note saying what was fixed would tell readers what had been exposed."""
    item = _lock(item)
    require_status(item, Status.PUBLISHED)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Say what the correction fixes."))
    before = _public_personal_data(item)
    old_title = item.title
    if not item.revisions.exists():  # imported, or published before revisions were kept: keep the old text
        _add_revision(item, by=None, reason="")
    changed = _set_texts(item, title=title, question=question, answer=answer)
    if item.case_id or item.source_question:
        _propose_new_findings(item)
        _save_texts(item, "source_title", "source_question", "source_answer")
    else:
        item.save(update_fields=["title", "question", "answer", "updated_at"])
    check_publishable(item)
    if before - _public_personal_data(item):
        _finish_private_correction(item, reason=reason, by=by, changed=changed, old_title=old_title)
        return None
    # The note is public: personal data in it is hidden there (the event log keeps it as written, for staff).
    with translation.override(settings.LANGUAGE_CODE):
        public_reason = redaction.redact(reason)
    revision = _add_revision(item, by=by, reason=public_reason)
    vocabulary_add(item.title)
    record(item, PublicationEventType.CORRECTED, by=by, revision=revision.number, reason=reason, fields=changed)
    public_view_changed(item=item, change="corrected")
    item_corrected.send(sender=PublishedItem, item=item, by=by, revision=revision, private=False)
    return revision


def _public_personal_data(item: PublishedItem) -> set[tuple[str, str]]:
    """What the detector finds in the item's public texts now (markers hold nothing it finds)."""
    found: set[tuple[str, str]] = set()
    for name in TEXT_FIELDS:
        found |= {(f.kind, vn_fold(f.text)) for f in redaction.detect(getattr(item, name))}
    return found


def _propose_new_findings(item: PublishedItem) -> None:
    """Hides what the detector finds in the item's private texts that no redaction names yet (active or not:
    a proposal a reviewer switched off stays off)."""
    case = item.case
    shown = bool(case and case.show_name_publicly)
    known = {(kind, vn_fold(text)) for kind, text in item.redactions.values_list("kind", "text")}
    new: dict[tuple[str, str], str] = {}
    for text in _private_texts(item).values():
        for finding in redaction.detect(
            text,
            names=[case.contact_name] if case and not shown else [],
            addresses=[case.contact_address] if case and case.contact_address else [],
            contacts=[c for c in (case.contact_phone, case.contact_email) if c] if case else [],
            public_names=[case.contact_name] if case and shown else [],
        ):
            key = (finding.kind, vn_fold(finding.text))
            if key not in known:
                new.setdefault(key, finding.text)
    Redaction.objects.bulk_create(
        [
            Redaction(item=item, kind=kind, text=text[:500], origin=Redaction.Origin.DETECTED)
            for (kind, _), text in new.items()
        ]
    )


@transaction.atomic
def item_correct_privately(
    *,
    item: PublishedItem,
    reason: str,
    by: User | None,
    title: str | None = None,
    question: str | None = None,
    answer: str | None = None,
    hide: Iterable[tuple[str, str]] = (),
) -> PublishedItem:
    """Replaces the public text of a published item for privacy: new texts (None keeps one) and/or phrases to
    hide everywhere (`hide`: (kind, phrase) pairs, kept as active redactions).

    Unlike item_correct it leaves no public trace: no correction note, no revision; the texts of earlier
    revisions are overwritten with the new public text and the old title's words leave the "did you mean"
    vocabulary, so the exposed text survives nowhere the public reads (pages, API, feeds, search). The reason
    and who decided go to the event log (staff only). Partners receive the corrected item (item_corrected with
    private=True: syndication also rewrites deliveries that still carry the old text). Raises WrongItemStatus
    unless published, ReasonRequired without a reason or a change, PhraseAmbiguous for a phrase to hide that
    the texts do not contain, NothingToPublish if a text ends up empty."""
    item = _lock(item)
    require_status(item, Status.PUBLISHED)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Say why the text is corrected."))
    old_title = item.title
    current = _private_texts(item)
    changed = _set_texts(
        item,
        title=current["title"] if title is None else title,
        question=current["question"] if question is None else question,
        answer=current["answer"] if answer is None else answer,
    )
    imported = not item.case_id and not item.source_question
    for kind, phrase in hide:
        phrase = " ".join(phrase.split())
        if not phrase:
            continue
        kind = kind if kind in RedactionKind.values else RedactionKind.OTHER
        if not any(redaction.count_occurrences(text, phrase) for text in _private_texts(item).values()):
            raise PhraseAmbiguous(_("These words do not appear in the item as written."))
        Redaction.objects.create(item=item, kind=kind, text=phrase[:500], origin=Redaction.Origin.MANUAL, created_by=by)
        if imported:  # no private texts: the public ones are what the phrases apply to
            with translation.override(settings.LANGUAGE_CODE):
                for name in TEXT_FIELDS:
                    setattr(item, name, redaction.apply(getattr(item, name), [(kind, phrase)]))
        changed.append("hidden")
    if not changed:
        raise ReasonRequired(_("Nothing would change: enter the words to hide or the new text."))
    if imported:
        item.save(update_fields=["title", "question", "answer", "updated_at"])
    else:
        _save_texts(item, "source_title", "source_question", "source_answer")
    check_publishable(item)
    _finish_private_correction(item, reason=reason, by=by, changed=changed, old_title=old_title)
    return item


def _finish_private_correction(
    item: PublishedItem, *, reason: str, by: User | None, changed: list[str], old_title: str
) -> None:
    """After the new public texts are saved: earlier revisions overwritten with them, the old title's words out
    of "did you mean", the staff-only event, the public change and partners told (see item_correct_privately)."""
    item.revisions.update(title=item.title, question=item.question, answer=item.answer)
    if old_title != item.title:
        vocabulary_remove(old_title)
        vocabulary_add(item.title)
    record(item, PublicationEventType.CORRECTED_PRIVATELY, by=by, reason=reason[:500], fields=changed)
    public_view_changed(item=item, change="corrected_privately")
    item_corrected.send(sender=PublishedItem, item=item, by=by, revision=None, private=True)


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

"""Personal data is kept only as long as the case needs it: ANONYMISE_AFTER_MONTHS after a case closed, the
submitter's contact details, account link and attachments are removed, and personal data is hidden in every
text of the case (question, messages both ways, answers, notes, rating comment, reasons staff wrote, event
payloads) as publication hides it; events and messages no longer point at the citizen's account; the
idempotency record of the submission goes; higher floors (published items) are told through the
`case_anonymising` signal. What statistics read stays: kind, category, area, agency, dates, due dates, the
event types and times, the score.

Lock order: the case row, then its child rows, then (in the signal's receivers) the published item.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model

from caunoi.core import clock
from caunoi.core.redaction import redact
from caunoi.notifications.models import Notification

from ..events import record
from ..models import (
    AnswerVersion,
    Case,
    CaseEvent,
    EventType,
    Extension,
    IntakeKey,
    Message,
    Note,
    Pause,
    Rating,
)
from ..signals import case_anonymising

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class Known:
    """What is known to identify one person: hidden wherever it appears (core.redaction.redact)."""

    names: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)

    def redact(self, text: str) -> str:
        if not text:
            return text
        return redact(text, names=self.names, addresses=self.addresses, contacts=self.contacts)

    def redact_value(self, value: Any) -> Any:
        """A copy of a JSON value with every string in it redacted (keys are kept)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {key: self.redact_value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.redact_value(item) for item in value]
        return value


def known_of(
    *, names: Sequence[str], addresses: Sequence[str] = (), contacts: Sequence[str] = (), user: Any = None
) -> Known:
    """The Known of a person from what they typed and, when they had an account, what it holds."""
    names, contacts = list(names), list(contacts)
    if user is not None:
        names.append(user.get_full_name())
        contacts.append(user.email)
    return Known(
        names=[n for n in dict.fromkeys(names) if n.strip()],
        addresses=[a for a in dict.fromkeys(addresses) if a.strip()],
        contacts=[c for c in dict.fromkeys(contacts) if c.strip()],
    )


def anonymise_cutoff(now: dt.datetime) -> dt.datetime:
    """Cases closed before this instant are due for anonymisation."""
    months = settings.ANONYMISE_AFTER_MONTHS
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, 28)  # every month has a 28th: the cutoff moves by whole months, a few days early at most
    return now.replace(year=year, month=month + 1, day=day)


def cases_anonymise_closed(*, batch: int = BATCH) -> int:
    """Anonymises up to `batch` cases closed before the cutoff and not yet anonymised, each in its own
    transaction, skipping rows another worker holds. Returns how many. Idempotent: a case is done once."""
    cutoff = anonymise_cutoff(clock.now())
    done = 0
    due = Case.objects.filter(closed_at__lt=cutoff, anonymised_at__isnull=True).values_list("pk", flat=True)
    for case_id in due[:batch]:
        done += _anonymise(case_id, cutoff)
    return done


@transaction.atomic
def _anonymise(case_id: int, cutoff: dt.datetime) -> int:
    case = (
        Case.objects.select_for_update(skip_locked=True)
        .filter(pk=case_id, closed_at__lt=cutoff, anonymised_at__isnull=True)
        .first()
    )
    if case is None:  # another worker has it, or did it
        return 0
    anonymise_locked(case)
    return 1


def anonymise_locked(case: Case, **payload: Any) -> None:
    """Removes the submitter's personal data from `case`, which the caller holds locked in its transaction
    and which is not anonymised yet. `payload` goes into the `anonymised` event."""
    known = known_of(
        names=[case.contact_name],
        addresses=[case.contact_address],
        contacts=[case.contact_email, case.contact_phone],
        user=case.submitter,
    )
    case_anonymising.send(sender=Case, case=case, known=known)
    title_length = Case._meta.get_field("title").max_length  # type: ignore[attr-defined]
    case.title = known.redact(case.title)[:title_length]
    case.body = known.redact(case.body)
    case.contact_name = case.contact_email = case.contact_phone = case.contact_address = ""
    submitter_id, case.submitter = case.submitter_id, None
    case.anonymised_at = clock.now()
    case.save(
        update_fields=[
            "title", "body", "contact_name", "contact_email", "contact_phone", "contact_address", "submitter",
            "anonymised_at", "updated_at",
        ]
    )  # fmt: skip
    if submitter_id is not None:  # what the citizen did stays in the timeline, no longer by whom
        CaseEvent.objects.filter(case=case, actor_id=submitter_id).update(actor=None)
        Message.objects.filter(case=case, author_id=submitter_id).update(author=None)
    for model, name in (
        (Message, "body"), (AnswerVersion, "body"), (Note, "body"), (Rating, "comment"), (Extension, "reason"),
        (Pause, "reason"),
    ):  # fmt: skip
        _redact_rows(model, name, case, known)
    for event_id, payload in CaseEvent.objects.filter(case=case).values_list("pk", "payload"):
        hidden = known.redact_value(payload)
        if hidden != payload:  # staff's free text (reasons, comments) may name the citizen
            CaseEvent.objects.filter(pk=event_id).update(payload=hidden)
    attachments = list(case.attachments.all())
    names = [attachment.file.name for attachment in attachments if attachment.file.name]
    # Files go once the rows are gone for good: a rolled-back run keeps both.
    transaction.on_commit(lambda: _delete_files(names))
    case.attachments.all().delete()
    # The outbox held the citizen's address and the texts sent to them; the idempotency record a fingerprint
    # of what they sent.
    Notification.objects.filter(subject_ref=f"case:{case.pk}").delete()
    IntakeKey.objects.filter(case=case).delete()
    # The admin's history names the case by its title at the time ("HD-… <title>").
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk)).update(
        object_repr=case.tracking_code
    )
    record(case, EventType.ANONYMISED, payload={"attachments_removed": len(attachments), **payload})
    logger.info("case %s anonymised", case.tracking_code)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _redact_rows(model: type[Model], name: str, case: Case, known: Known) -> None:
    for row in model.objects.filter(case=case).only("pk", name):  # type: ignore[attr-defined]
        text = getattr(row, name)
        hidden = known.redact(text)
        if hidden != text:
            model.objects.filter(pk=row.pk).update(**{name: hidden})  # type: ignore[attr-defined]

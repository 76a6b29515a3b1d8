"""Personal data is kept only as long as the case needs it: ANONYMISE_AFTER_MONTHS after a case closed, the
submitter's contact details, account link and attachments are removed, and personal data is hidden in every
text of the case (question, messages both ways, answers, notes, rating comment) as publication hides it.
What statistics read stays: kind, category, area, agency, dates, due dates, the event timeline, the score.
Event payloads are left as written (append-only; they hold ids, dates and staff decisions, not the citizen's
details).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model

from caunoi.core import clock
from caunoi.core.redaction import redact
from caunoi.notifications.models import Notification

from ..events import record
from ..models import AnswerVersion, Case, EventType, Message, Note, Rating

logger = logging.getLogger(__name__)

BATCH = 200


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
    known = {
        "names": [case.contact_name],
        "addresses": [case.contact_address],
        "contacts": [case.contact_email, case.contact_phone],
    }
    case.title = redact(case.title, **known)[: Case._meta.get_field("title").max_length]  # type: ignore[attr-defined]
    case.body = redact(case.body, **known)
    case.contact_name = case.contact_email = case.contact_phone = case.contact_address = ""
    case.submitter = None
    case.anonymised_at = clock.now()
    case.save(
        update_fields=[
            "title", "body", "contact_name", "contact_email", "contact_phone", "contact_address", "submitter",
            "anonymised_at", "updated_at",
        ]
    )  # fmt: skip
    for model, field in ((Message, "body"), (AnswerVersion, "body"), (Note, "body"), (Rating, "comment")):
        _redact_rows(model, field, case, known)
    attachments = list(case.attachments.all())
    names = [attachment.file.name for attachment in attachments if attachment.file.name]
    # Files go once the rows are gone for good: a rolled-back run keeps both.
    transaction.on_commit(lambda: _delete_files(names))
    case.attachments.all().delete()
    # The outbox held the citizen's address and the texts sent to them.
    Notification.objects.filter(subject_ref=f"case:{case.pk}").delete()
    record(case, EventType.ANONYMISED, payload={"attachments_removed": len(attachments)})
    logger.info("case %s anonymised", case.tracking_code)
    return 1


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _redact_rows(model: type[Model], field: str, case: Case, known: dict[str, list[str]]) -> None:
    for row in model.objects.filter(case=case).only("pk", field):  # type: ignore[attr-defined]
        text = getattr(row, field)
        hidden = redact(text, **known) if text else text
        if hidden != text:
            model.objects.filter(pk=row.pk).update(**{field: hidden})  # type: ignore[attr-defined]

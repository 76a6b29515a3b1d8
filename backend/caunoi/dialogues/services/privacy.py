"""Askers' personal data is kept only as long as the dialogue needs it: ANONYMISE_AFTER_MONTHS after a
dialogue ended, its questions lose their askers' names, contact details and account links, every text of the
dialogue (questions, live answers, the stored room messages, the published transcript items) has the askers'
details hidden, and votes no longer say who voted. A question that became a case is anonymised with that
case, on the case's own schedule.

Lock order: the dialogue row, then its questions, votes, answers and messages, then published items."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat

from caunoi.cases.services.anonymise import Known, anonymise_cutoff, known_of
from caunoi.core import clock
from caunoi.publication.models import PublishedItem
from caunoi.publication.services.privacy import item_anonymise

from ..models import Dialogue, DialogueMessage, DialogueQuestion, LiveAnswer, State, Vote
from .broadcast import encode_frame

logger = logging.getLogger(__name__)

BATCH = 50
ENDED_STATES = (State.ENDED, State.PUBLISHED)


def dialogues_anonymise_ended(*, batch: int = BATCH) -> int:
    """Anonymises up to `batch` dialogues that ended before the cutoff, each in its own transaction, skipping
    rows another worker holds. Returns how many. Idempotent: a dialogue is done once."""
    cutoff = anonymise_cutoff(clock.now())
    due = Dialogue.objects.filter(state__in=ENDED_STATES, ends_at__lt=cutoff, anonymised_at__isnull=True).values_list(
        "pk", flat=True
    )
    return sum(_anonymise(dialogue_id, cutoff) for dialogue_id in due[:batch])


@transaction.atomic
def _anonymise(dialogue_id: int, cutoff: object) -> int:
    dialogue = (
        Dialogue.objects.select_for_update(skip_locked=True)
        .filter(pk=dialogue_id, ends_at__lt=cutoff, anonymised_at__isnull=True)
        .first()
    )
    if dialogue is None:
        return 0
    questions = list(
        DialogueQuestion.objects.select_for_update(of=("self",)).filter(dialogue=dialogue).select_related("asker")
    )
    # Everyone's details are hidden in every text: an answer may name any asker, a question another's.
    known = _merge(
        known_of(names=[q.asker_name], contacts=[q.contact_email, q.contact_phone], user=q.asker) for q in questions
    )
    for question in questions:
        question.text = known.redact(question.text)
        question.asker_name = question.contact_email = question.contact_phone = ""
        question.asker = None
        question.save(update_fields=["text", "asker_name", "contact_email", "contact_phone", "asker", "updated_at"])
    for answer in LiveAnswer.objects.filter(question__dialogue=dialogue):
        hidden = known.redact(answer.text)
        if hidden != answer.text:
            LiveAnswer.objects.filter(pk=answer.pk).update(text=hidden)
    # A vote only had to be unique per person while the room was open.
    Vote.objects.filter(question__dialogue=dialogue).update(
        voter=Concat(Value("x:"), Cast(F("pk"), output_field=Vote._meta.get_field("voter")))
    )
    for message in DialogueMessage.objects.filter(dialogue=dialogue):
        payload = _without_askers(known.redact_value(message.payload), known)
        if payload != message.payload and isinstance(payload, dict):
            DialogueMessage.objects.filter(pk=message.pk).update(
                payload=payload, frame=encode_frame(message.seq, message.type, payload)
            )
    prefix = f"dialogue:{dialogue.pk}:question:"
    for item in PublishedItem.objects.filter(source_ref__startswith=prefix):
        item_anonymise(item=item, known=known)
    dialogue.anonymised_at = clock.now()
    dialogue.save(update_fields=["anonymised_at", "updated_at"])
    logger.info("dialogue %s anonymised", dialogue.pk)
    return 1


def question_anonymise_for_case(*, case_id: int, known: Known) -> int:
    """The dialogue questions that became case `case_id` lose their asker's details with it (a deletion request
    on the case reaches the question it came from). Runs in the case's anonymisation transaction. Returns how
    many questions changed."""
    changed = 0
    for question in DialogueQuestion.objects.select_for_update().filter(case_id=case_id):
        question.text = known.redact(question.text)
        question.asker_name = question.contact_email = question.contact_phone = ""
        question.asker = None
        question.save(update_fields=["text", "asker_name", "contact_email", "contact_phone", "asker", "updated_at"])
        changed += 1
    return changed


def _merge(knowns: object) -> Known:
    names: list[str] = []
    addresses: list[str] = []
    contacts: list[str] = []
    for known in knowns:  # type: ignore[attr-defined]
        names += known.names
        addresses += known.addresses
        contacts += known.contacts
    return Known(names=list(dict.fromkeys(names)), addresses=addresses, contacts=list(dict.fromkeys(contacts)))


def _without_askers(value: object, known: Known) -> object:
    """A room message's payload with any asker's name in an "asker" field emptied (a one-word display name
    is not hidden by redaction, which needs a form of address before it)."""
    if isinstance(value, dict):
        return {
            key: "" if key == "asker" and isinstance(item, str) and item.strip() else _without_askers(item, known)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_askers(item, known) for item in value]
    return value

"""The conversation with the citizen: asking for more information, their reply, their rating."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.core.transactions import service_transaction

from ..attachments import CheckedFile
from ..events import record
from ..models import Case, EventType, Message, Rating
from .clock import pause_clock, resume_clock
from .lifecycle import InvalidTransition, apply_transition, lock
from .notify import notify_citizen
from .submission import files_removed_on_failure, save_attachments


@service_transaction
def case_request_info(*, case: Case, by: User, message: str) -> Message:
    """Asks the citizen for what is missing; the clock stops until they reply (on the track page or API)."""
    with transaction.atomic():
        case = lock(case)
        apply_transition(case, "request_info")
        pause_clock(case, reason="waiting_citizen")
        sent = Message.objects.create(
            case=case, direction=Message.Direction.TO_CITIZEN, body=message.strip(), author=by
        )
        record(case, EventType.INFO_REQUESTED, actor=by, payload={"message": sent.pk})
        notify_citizen(case, "info_requested", message=sent.body)
    return sent


@service_transaction
def case_citizen_reply(*, case: Case, body: str, attachments: Sequence[CheckedFile] = ()) -> Message:
    """The citizen's reply, with the files they attach (checked as at intake: api.serializers); the clock runs
    again and the due date moves by the days it was stopped. Files written before a rollback are removed."""
    with files_removed_on_failure() as written, transaction.atomic():
        case = lock(case)
        apply_transition(case, "citizen_reply")
        computation = resume_clock(case)
        reply = Message.objects.create(case=case, direction=Message.Direction.FROM_CITIZEN, body=body.strip())
        save_attachments(case, attachments, written, message=reply)
        due_date = computation.due_date.isoformat() if computation.due_date else None
        payload = {"message": reply.pk, "due_date": due_date, "attachments": len(attachments)}
        record(case, EventType.CITIZEN_REPLIED, payload=payload)
    return reply


@service_transaction
def case_citizen_message(*, case: Case, body: str, via: str, attachments: Sequence[CheckedFile] = ()) -> Message:
    """What the citizen wrote about their open case (by e-mail, `via`): an answer to a question of the agency
    resumes the clock like `case_citizen_reply`; otherwise it joins the conversation and the clock is untouched.
    `attachments` (already checked) join the case's attachments.

    Raises InvalidTransition for a closed case (its conversation is over: an appeal has its own way in)."""
    with files_removed_on_failure() as written, transaction.atomic():
        case = lock(case)
        save_attachments(case, attachments, written)
        if case.closed_at is not None:
            raise InvalidTransition(_("This case is closed."))
        if case.status == "waiting_citizen":
            apply_transition(case, "citizen_reply")
            computation = resume_clock(case)
            reply = Message.objects.create(case=case, direction=Message.Direction.FROM_CITIZEN, body=body.strip())
            due_date = computation.due_date.isoformat() if computation.due_date else None
            payload = {"message": reply.pk, "due_date": due_date, "via": via, "attachments": len(attachments)}
            record(case, EventType.CITIZEN_REPLIED, payload=payload)
            return reply
        message = Message.objects.create(case=case, direction=Message.Direction.FROM_CITIZEN, body=body.strip())
        record(
            case, EventType.CITIZEN_WROTE, payload={"message": message.pk, "via": via, "attachments": len(attachments)}
        )
    return message


@service_transaction
def case_rate(*, case: Case, score: int, comment: str = "") -> Rating:
    """The citizen rates the answer once. Who rated is not recorded anywhere.

    Raises InvalidTransition before the answer or when already rated."""
    with transaction.atomic():
        case = lock(case)
        if case.status != "answered":
            raise InvalidTransition(_("The case can be rated once it has been answered."))
        if Rating.objects.filter(case=case).exists():
            raise InvalidTransition(_("This answer has already been rated."))
        rating = Rating.objects.create(case=case, score=score, comment=comment.strip())
        record(case, EventType.RATED, payload={"score": score})
    return rating

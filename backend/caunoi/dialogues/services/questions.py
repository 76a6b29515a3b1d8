"""Questions in a dialogue: asking, voting, moderation and answering on air. Each service runs in one
transaction, locks what it changes, and stores the broadcast it sets off (published after commit).

Lock order (the dialogues app's, for every service here and in lifecycle.py): the dialogue row first, then
its questions in id order, then rows that refer to them (votes, live answers, messages). The dialogue row is
also the broadcast counter (broadcast.py), which every service takes before committing: taking it first
costs nothing more and means two services can never wait for each other (a vote used to hold its question
while waiting for the counter that a host's pick held while waiting for the question: a deadlock). Rows are
locked FOR NO KEY UPDATE, which does not block inserts that only refer to them."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caunoi.accounts.models import User
from caunoi.core import clock
from caunoi.core.errors import NotFound
from caunoi.core.text import normalize
from caunoi.core.transactions import service_transaction
from caunoi.notifications.services import notification_enqueue

from ..models import (
    ASKING_STATES,
    Audience,
    Dialogue,
    DialogueQuestion,
    LiveAnswer,
    QuestionStatus,
    State,
    Vote,
)
from ..selectors import question_data
from .broadcast import message_broadcast
from .errors import AlreadyVoted, DialogueStateError, QuestionStateError
from .urls import portal_url
from .words import restricted_words_in


def _lock_dialogue(dialogue_id: int) -> Dialogue:
    """The dialogue row, locked first (the lock order above). Raises NotFound."""
    dialogue = Dialogue.objects.select_for_update(no_key=True).filter(pk=dialogue_id).first()
    if dialogue is None:
        raise NotFound(_("Dialogue not found."))
    return dialogue


def _locked_question(question_id: int, dialogue_id: int) -> DialogueQuestion:
    """The question, locked; the caller holds the dialogue's lock already. Raises NotFound."""
    question = (
        DialogueQuestion.objects.select_for_update(no_key=True).filter(pk=question_id, dialogue_id=dialogue_id).first()
    )
    if question is None:
        raise NotFound(_("Question not found."))
    return question


@service_transaction
def question_ask(
    *,
    dialogue: Dialogue,
    asker_name: str,
    text: str,
    email: str = "",
    phone: str = "",
    user: User | None = None,
    show_name: bool = False,
) -> DialogueQuestion:
    """Stores a question for moderation. Raises DialogueStateError unless the dialogue is open for questions
    or live. Moderators and hosts are sent it (staff broadcast); everyone else sees it once approved."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.state not in ASKING_STATES:
        raise DialogueStateError(_("This dialogue is not taking questions now."))
    text = normalize(text).strip()
    question = DialogueQuestion.objects.create(
        dialogue=dialogue,
        asker_name=normalize(asker_name).strip(),
        show_name=show_name,
        text=text,
        held_words=", ".join(restricted_words_in(dialogue, text))[:400],
        contact_email=email.strip(),
        contact_phone=phone.strip(),
        asker=user if user is not None and user.is_authenticated else None,
    )
    message_broadcast(
        dialogue_id=dialogue.pk,
        type_="question_submitted",
        data=question_data(question, staff=True),
        audience=Audience.STAFF,
    )
    return question


@service_transaction
def question_vote(*, dialogue_id: int, question_id: int, voter: str) -> int:
    """Counts one vote by `voter` ("u:<id>" or "a:<browser id>") for an approved question; returns the new
    count. Raises AlreadyVoted for a second vote, QuestionStateError if the question is not approved.
    A hot path (thousands of viewers): four statements, no savepoint. The dialogue row is locked first (the
    lock order), though the broadcast would take it anyway: votes of one dialogue are serialised by it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Dialogue._meta.db_table} WHERE id = %s FOR NO KEY UPDATE",  # noqa: S608
            [dialogue_id],
        )
        if cursor.fetchone() is None:
            raise NotFound(_("Question not found."))
        cursor.execute(
            f"UPDATE {DialogueQuestion._meta.db_table} SET vote_count = vote_count + 1 "  # noqa: S608
            "WHERE id = %s AND dialogue_id = %s AND status = %s RETURNING vote_count",
            [question_id, dialogue_id, QuestionStatus.APPROVED],
        )
        counted = cursor.fetchone()
    if counted is None:
        if DialogueQuestion.objects.filter(pk=question_id, dialogue_id=dialogue_id).exists():
            raise QuestionStateError(_("Only approved questions can be voted for."))
        raise NotFound(_("Question not found."))
    votes = int(counted[0])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Vote._meta.db_table} (question_id, voter, created_at) VALUES (%s, %s, now()) "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id",
            [question_id, voter],
        )
        if cursor.fetchone() is None:
            raise AlreadyVoted(_("You have already voted for this question."))  # rolls the count back
    message_broadcast(dialogue_id=dialogue_id, type_="votes", data={"id": question_id, "votes": votes})
    return votes


@service_transaction
def question_approve(*, dialogue_id: int, question_id: int, by: User) -> DialogueQuestion:
    """Pending → approved; everyone in the room is sent the question."""
    _lock_dialogue(dialogue_id)
    question = _locked_question(question_id, dialogue_id)
    if question.status != QuestionStatus.PENDING:
        raise QuestionStateError(_("Only questions waiting for moderation can be approved."))
    question.status = QuestionStatus.APPROVED
    question.save(update_fields=["status", "updated_at"])
    message_broadcast(dialogue_id=dialogue_id, type_="question", data=question_data(question))
    return question


@service_transaction
def question_reject(*, dialogue_id: int, question_id: int, by: User) -> DialogueQuestion:
    """Pending or approved → rejected. An approved question is withdrawn from everyone's list."""
    _lock_dialogue(dialogue_id)
    question = _locked_question(question_id, dialogue_id)
    if question.status not in {QuestionStatus.PENDING, QuestionStatus.APPROVED}:
        raise QuestionStateError(_("This question can no longer be rejected."))
    was_public = question.status == QuestionStatus.APPROVED
    question.status = QuestionStatus.REJECTED
    question.save(update_fields=["status", "updated_at"])
    if was_public:
        message_broadcast(dialogue_id=dialogue_id, type_="question_removed", data={"id": question.pk})
    else:
        message_broadcast(
            dialogue_id=dialogue_id, type_="question_rejected", data={"id": question.pk}, audience=Audience.STAFF
        )
    return question


@service_transaction
def question_merge(*, dialogue_id: int, question_id: int, into_id: int, by: User) -> DialogueQuestion:
    """Merges a duplicate into another question of the same dialogue: the duplicate's votes move over and it
    leaves the list. The target must be approved (the one people see)."""
    if question_id == into_id:
        raise QuestionStateError(_("A question cannot be merged into itself."))
    # Locked in id order so that two moderators merging a pair both ways cannot deadlock.
    _lock_dialogue(dialogue_id)
    first, second = sorted([question_id, into_id])
    locked = {q.pk: q for q in (_locked_question(first, dialogue_id), _locked_question(second, dialogue_id))}
    question, into = locked[question_id], locked[into_id]
    if question.status not in {QuestionStatus.PENDING, QuestionStatus.APPROVED}:
        raise QuestionStateError(_("This question can no longer be merged."))
    if into.status != QuestionStatus.APPROVED:
        raise QuestionStateError(_("Questions can only be merged into an approved question."))
    question.status, question.merged_into = QuestionStatus.MERGED, into
    question.save(update_fields=["status", "merged_into", "updated_at"])
    into.vote_count += question.vote_count
    into.save(update_fields=["vote_count", "updated_at"])
    message_broadcast(
        dialogue_id=dialogue_id,
        type_="question_merged",
        data={"id": question.pk, "into": into.pk, "votes": into.vote_count, "into_text": into.text},
    )
    _tell_asker_merged(question, into)
    return question


def _tell_asker_merged(question: DialogueQuestion, into: DialogueQuestion) -> None:
    """The asker of a merged question is told which question theirs joined (by e-mail, else SMS, when they
    left either): their question leaves the room's list, and its answer will be the other's. Everyone in the
    room is told by the broadcast; an asker who already left learns it here."""
    context = {
        "dialogue": into.dialogue.title,
        "question": question.text,
        "into": into.text,
        "room_url": portal_url(reverse("dialogues:detail", args=[into.dialogue_id])),
    }
    channel, recipient = (
        ("email", question.contact_email) if question.contact_email else ("sms", question.contact_phone)
    )
    notification_enqueue(
        channel=channel,
        recipient=recipient,
        template="dialogue_question_merged",
        context=context,
        dedupe_key=f"dialogue-merged:{question.pk}",
        subject_ref=f"dialogue:{into.dialogue_id}",
    )


@service_transaction
def questions_reorder(*, dialogue_id: int, order: Sequence[int], by: User) -> list[int]:
    """Sets the running order of approved questions: those listed first, in the order given; the others
    after them. Ids that are not approved questions of this dialogue are ignored. Returns the order."""
    _lock_dialogue(dialogue_id)
    approved = list(
        DialogueQuestion.objects.select_for_update(no_key=True)
        .filter(dialogue_id=dialogue_id, status=QuestionStatus.APPROVED)
        .order_by("position", "-vote_count", "id")
    )
    by_id = {q.pk: q for q in approved}
    listed = [by_id[i] for i in dict.fromkeys(order) if i in by_id]
    rest = [q for q in approved if q not in listed]
    ordered = listed + rest
    for position, question in enumerate(ordered, start=1):
        question.position = position
    DialogueQuestion.objects.bulk_update(ordered, ["position"])
    ids = [q.pk for q in ordered]
    message_broadcast(dialogue_id=dialogue_id, type_="order", data={"ids": ids})
    return ids


def _live_dialogue(dialogue_id: int) -> Dialogue:
    dialogue = _lock_dialogue(dialogue_id)
    if dialogue.state != State.LIVE:
        raise DialogueStateError(_("The dialogue is not live."))
    return dialogue


@service_transaction
def question_pick(*, dialogue_id: int, question_id: int, by: User) -> DialogueQuestion:
    """A host takes an approved question: everyone is told it is being answered now."""
    dialogue = _live_dialogue(dialogue_id)
    question = _locked_question(question_id, dialogue_id)
    if question.status != QuestionStatus.APPROVED:
        raise QuestionStateError(_("Only approved questions can be answered."))
    dialogue.now_answering = question
    dialogue.save(update_fields=["now_answering", "updated_at"])
    message_broadcast(dialogue_id=dialogue_id, type_="now_answering", data=question_data(question))
    return question


@service_transaction
def answer_publish(*, dialogue_id: int, question_id: int, text: str, by: User) -> LiveAnswer:
    """A host's typed answer to an approved (or already answered) question, sent to everyone. The question is
    answered from then on: it shows as answered, joins the transcript and does not become a case when the
    dialogue ends. Raises DialogueStateError unless the dialogue is live."""
    dialogue = _live_dialogue(dialogue_id)
    question = _locked_question(question_id, dialogue_id)
    if question.status not in {QuestionStatus.APPROVED, QuestionStatus.ANSWERED}:
        raise QuestionStateError(_("Only approved questions can be answered."))
    answer = LiveAnswer.objects.create(question=question, host=by, text=normalize(text).strip())
    message_broadcast(
        dialogue_id=dialogue_id,
        type_="answer",
        data={"id": answer.pk, "question": question_id, "text": answer.text, "host": by.get_full_name() or by.username},
    )
    if question.status == QuestionStatus.APPROVED:
        question.status, question.answered_at = QuestionStatus.ANSWERED, clock.now()
        question.save(update_fields=["status", "answered_at", "updated_at"])
        message_broadcast(
            dialogue_id=dialogue_id,
            type_="answered",
            data={"id": question.pk, "now_answering": dialogue.now_answering_id},
        )
    return answer


@service_transaction
def question_mark_answered(*, dialogue_id: int, question_id: int, by: User) -> DialogueQuestion:
    """Approved → answered, for a question answered aloud (it will not become a case after the dialogue).
    A question already answered (a typed answer marks it) is left as it is."""
    dialogue = _live_dialogue(dialogue_id)
    question = _locked_question(question_id, dialogue_id)
    if question.status == QuestionStatus.ANSWERED:
        return question
    if question.status != QuestionStatus.APPROVED:
        raise QuestionStateError(_("Only approved questions can be marked answered."))
    question.status, question.answered_at = QuestionStatus.ANSWERED, clock.now()
    question.save(update_fields=["status", "answered_at", "updated_at"])
    if dialogue.now_answering_id == question.pk:
        dialogue.now_answering = None
        dialogue.save(update_fields=["now_answering", "updated_at"])
    message_broadcast(
        dialogue_id=dialogue_id, type_="answered", data={"id": question.pk, "now_answering": dialogue.now_answering_id}
    )
    return question

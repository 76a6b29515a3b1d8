"""Reads for dialogue pages, the API and the live room."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Case, Min, Prefetch, Q, QuerySet, When
from django.db.models.functions import Coalesce

from caunoi.core.text import vn_fold

from .models import PUBLIC_STATUSES, Audience, Dialogue, DialogueMessage, DialogueQuestion, LiveAnswer, QuestionStatus

# A client further behind than this is told to reload the page rather than be sent the whole backlog.
MAX_REPLAY = 2000


def question_data(question: DialogueQuestion, *, staff: bool = False) -> dict[str, Any]:
    """A question as the room shows it: never the asker's contact details, and their name only to moderators
    and hosts or when they chose to show it (else `asker` is "" and clients show "Participant <asker_number>")."""
    return {
        "id": question.pk,
        "asker": question.asker_name if staff else question.public_asker,
        "asker_number": question.pk,
        "text": question.text,
        "status": question.status,
        "votes": question.vote_count,
        "position": question.position,
    }


def dialogues_announced() -> QuerySet[Dialogue]:
    """Every scheduled dialogue, soonest upcoming and live first, then the past ones newest first."""
    return Dialogue.objects.select_related("agency").order_by("-starts_at")


def public_questions(dialogue: Dialogue) -> list[DialogueQuestion]:
    """Approved questions in running order, then the answered ones in the order they were answered, each
    with its live answers."""
    return list(
        dialogue.questions.filter(status__in=PUBLIC_STATUSES)
        .prefetch_related(Prefetch("answers", queryset=LiveAnswer.objects.select_related("host")))
        .order_by(
            Case(When(status=QuestionStatus.ANSWERED, then=1), default=0),
            "answered_at",
            "position",
            "-vote_count",
            "id",
        )
    )


def staff_questions(dialogue: Dialogue, status: str) -> list[DialogueQuestion]:
    return list(dialogue.questions.filter(status=status).order_by("position", "-vote_count", "id"))


def transcript(dialogue: Dialogue) -> list[DialogueQuestion]:
    """The questions answered on air (a typed answer, or marked answered when answered aloud), each with its
    answers, in the order they were answered."""
    return list(
        dialogue.questions.annotate(first_answer=Min("answers__created_at"))
        .filter(Q(first_answer__isnull=False) | Q(status=QuestionStatus.ANSWERED))
        .prefetch_related(Prefetch("answers", queryset=LiveAnswer.objects.select_related("host")))
        .order_by(Coalesce("first_answer", "answered_at"), "id")
    )


@dataclass(frozen=True)
class Replay:
    frames: list[str]
    last_seq: int  # the newest number stored when read: live frames up to it are already in `frames`
    too_far_behind: bool


def messages_after(dialogue_id: int, since: int, *, staff: bool) -> Replay:
    """The frames a client that saw everything up to `since` has missed, in order (staff also get staff-only
    frames). When more than MAX_REPLAY are missing, none are returned and `too_far_behind` is set."""
    last_seq = Dialogue.objects.filter(pk=dialogue_id).values_list("last_seq", flat=True).first() or 0
    rows = DialogueMessage.objects.filter(dialogue_id=dialogue_id, seq__gt=since, seq__lte=last_seq)
    if not staff:
        rows = rows.filter(audience=Audience.PUBLIC)
    frames = list(rows.order_by("seq").values_list("frame", flat=True)[: MAX_REPLAY + 1])
    if len(frames) > MAX_REPLAY:
        return Replay([], last_seq, True)
    return Replay(frames, last_seq, False)


def wire_messages_between(dialogue_id: int, first: int, last: int) -> list[tuple[str, int, str]]:
    """(audience, seq, frame) of the stored messages numbered first..last: a room fills a gap with them."""
    rows = DialogueMessage.objects.filter(dialogue_id=dialogue_id, seq__gte=first, seq__lte=last).order_by("seq")
    return [(audience, seq, frame) for audience, seq, frame in rows.values_list("audience", "seq", "frame")]


def unanswered_approved(dialogue: Dialogue) -> QuerySet[DialogueQuestion]:
    """The questions that become cases when the dialogue ends: approved, not answered, no case yet."""
    return dialogue.questions.filter(status=QuestionStatus.APPROVED, case__isnull=True).order_by("id")


def most_similar_first(question: DialogueQuestion, candidates: list[DialogueQuestion]) -> list[DialogueQuestion]:
    """`candidates` with those closest in wording to `question` first (diacritics and case aside): the
    moderation desk offers the likeliest duplicate as the default to merge into."""
    folded = vn_fold(question.text)
    return sorted(candidates, key=lambda other: -SequenceMatcher(None, folded, vn_fold(other.text)).ratio())

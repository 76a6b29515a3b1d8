"""Writes to dialogues. Each service runs in one transaction; room broadcasts are stored with it and published
after commit (services/broadcast.py).

The one lock order of every service here (written out in questions.py): the dialogue row first (it is also the
broadcast counter), then its questions in id order, then the rows that refer to them (votes, live answers,
messages), then rows of other apps (cases opened at the end, notifications, published items). A vote racing a
host's pick of the same question is tested on real connections (tests/integration/test_concurrency_rules.py)."""

from .broadcast import message_broadcast, room_channel
from .errors import AlreadyVoted, DialogueStateError, QuestionStateError, RateLimited
from .lifecycle import (
    Advanced,
    dialogue_advance,
    dialogue_reschedule,
    dialogue_schedule,
    notice_is_short,
    working_days_until,
)
from .questions import (
    answer_publish,
    question_approve,
    question_ask,
    question_mark_answered,
    question_merge,
    question_pick,
    question_reject,
    question_vote,
    questions_reorder,
)

__all__ = [
    "Advanced",
    "AlreadyVoted",
    "DialogueStateError",
    "QuestionStateError",
    "RateLimited",
    "answer_publish",
    "dialogue_advance",
    "dialogue_reschedule",
    "dialogue_schedule",
    "message_broadcast",
    "notice_is_short",
    "question_approve",
    "question_ask",
    "question_mark_answered",
    "question_merge",
    "question_pick",
    "question_reject",
    "question_vote",
    "questions_reorder",
    "room_channel",
    "working_days_until",
]

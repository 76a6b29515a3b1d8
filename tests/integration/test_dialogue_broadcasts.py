"""Broadcast numbering under concurrency, and the hot-path services' refusals (nothing stored when refused)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from caunoi.core.errors import NotFound
from caunoi.dialogues.models import DialogueMessage, LiveAnswer, State, Vote
from caunoi.dialogues.services import (
    AlreadyVoted,
    DialogueStateError,
    QuestionStateError,
    answer_publish,
    dialogue_advance,
    question_approve,
    question_ask,
    question_vote,
)
from caunoi.dialogues.testing import make_dialogue
from django.db import connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


def test_concurrent_broadcasts_get_dense_unique_numbers_in_commit_order(dialogue, personas):
    question = question_ask(dialogue=dialogue, asker_name="An", text="Câu hỏi được nhiều người bỏ phiếu?")
    question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])

    def vote(i: int) -> int:
        try:
            return question_vote(dialogue_id=dialogue.pk, question_id=question.pk, voter=f"a:browser-{i}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        counts = list(pool.map(vote, range(40)))
    assert sorted(counts) == list(range(1, 41))
    rows = list(DialogueMessage.objects.filter(dialogue=dialogue).order_by("seq").values_list("seq", "type", "payload"))
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    vote_counts = [payload["votes"] for _, kind, payload in rows if kind == "votes"]
    assert vote_counts == list(range(1, 41))  # numbered in the order the counts were committed
    dialogue.refresh_from_db()
    assert dialogue.last_seq == len(rows)


def test_votes_are_refused_without_counting(dialogue, personas):
    pending = question_ask(dialogue=dialogue, asker_name="An", text="Câu hỏi chưa được duyệt?")
    with pytest.raises(QuestionStateError):
        question_vote(dialogue_id=dialogue.pk, question_id=pending.pk, voter="a:x")
    with pytest.raises(NotFound):
        question_vote(dialogue_id=dialogue.pk, question_id=987654, voter="a:x")
    question_approve(dialogue_id=dialogue.pk, question_id=pending.pk, by=personas["moderator"])
    assert question_vote(dialogue_id=dialogue.pk, question_id=pending.pk, voter="a:x") == 1
    with pytest.raises(AlreadyVoted):
        question_vote(dialogue_id=dialogue.pk, question_id=pending.pk, voter="a:x")
    pending.refresh_from_db()
    assert pending.vote_count == 1 and Vote.objects.count() == 1
    assert DialogueMessage.objects.filter(type="votes").count() == 1


def test_an_answer_after_the_end_is_refused_and_nothing_is_stored(dialogue, personas):
    question = question_ask(dialogue=dialogue, asker_name="An", text="Câu hỏi trả lời muộn?")
    question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=personas["leader"])
    before = DialogueMessage.objects.count()
    with pytest.raises(DialogueStateError):
        answer_publish(dialogue_id=dialogue.pk, question_id=question.pk, text="Muộn rồi.", by=personas["leader"])
    assert not LiveAnswer.objects.exists() and DialogueMessage.objects.count() == before
    dialogue.refresh_from_db()
    assert dialogue.last_seq == before

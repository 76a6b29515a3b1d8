"""When a dialogue is published, each question answered on air becomes a publication candidate: reviewed
like any other (personal data proposed for hiding), and once published it points back to the transcript."""

import pytest
from caunoi.dialogues.models import State
from caunoi.dialogues.services import (
    answer_publish,
    dialogue_advance,
    question_approve,
    question_ask,
    question_mark_answered,
)
from caunoi.dialogues.services.lifecycle import transcript_ref
from caunoi.dialogues.testing import make_dialogue
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import item_publish
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(personas, reference_data):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )
    moderator, host = personas["moderator"], personas["leader"]
    answered = question_ask(
        dialogue=dialogue,
        asker_name="Chị Hạnh",
        text="Gia đình tôi ở số 12 ngõ 34 phố Huế, khi nào được cấp sổ đỏ?",
        show_name=True,
    )
    unanswered = question_ask(dialogue=dialogue, asker_name="Anh Bình", text="Tiền đền bù được trả khi nào?")
    for question in (answered, unanswered):
        question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=moderator)
    for text in ("Trong quý III, liên hệ 024 3825 3536.", "Phường sẽ thông báo lịch."):
        answer_publish(dialogue_id=dialogue.pk, question_id=answered.pk, text=text, by=host)
    question_mark_answered(dialogue_id=dialogue.pk, question_id=answered.pk, by=host)
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=host)
    return dialogue, answered, unanswered


def test_publishing_the_dialogue_proposes_each_answered_question_for_review(ended, personas):
    dialogue, answered, unanswered = ended
    assert not PublishedItem.objects.exists()  # ending alone publishes nothing

    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.PUBLISHED, by=personas["leader"])

    item = PublishedItem.objects.get()
    assert item.source_ref == transcript_ref(dialogue.pk, answered.pk)
    assert item.status == Status.PENDING_REVIEW and item.case is None
    assert item.agency == dialogue.agency and item.asker_display == "Chị Hạnh"
    assert "Trong quý III" in item.answer and "Phường sẽ thông báo lịch." in item.answer  # both answers, in order
    assert item.answer.index("Trong quý III") < item.answer.index("Phường sẽ")
    assert "ngõ 34" not in item.question and "3825 3536" not in item.answer  # proposed for hiding
    assert "cấp sổ đỏ" in item.question
    assert not PublishedItem.objects.filter(source_ref=transcript_ref(dialogue.pk, unanswered.pk)).exists()


def test_once_published_the_item_links_to_the_transcript(ended, personas):
    dialogue, _answered, _unanswered = ended
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.PUBLISHED, by=personas["leader"])
    item = item_publish(item=PublishedItem.objects.get(), by=personas["moderator"])

    page = Client().get(reverse("publication:item", args=[item.slug])).content.decode()

    assert reverse("dialogues:transcript", args=[dialogue.pk]) in page
    assert item.dialogue_id == dialogue.pk

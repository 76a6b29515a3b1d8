"""Dialogue askers are shown by a neutral label ("Người hỏi 12" / "Participant 12"), as case askers are
hidden, unless they chose to show their name: in the room's broadcasts, on the pages, in the API and in the
published transcript."""

from __future__ import annotations

import json

import pytest
from caunoi.dialogues.models import DialogueMessage, State
from caunoi.dialogues.services import (
    answer_publish,
    dialogue_advance,
    question_approve,
    question_ask,
    question_mark_answered,
)
from caunoi.dialogues.testing import make_dialogue
from caunoi.publication.models import PublishedItem
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


def answered(dialogue, personas, **ask):
    question = question_ask(dialogue=dialogue, text="Khi nào phường cấp sổ đỏ cho khu tập thể?", **ask)
    question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    answer_publish(dialogue_id=dialogue.pk, question_id=question.pk, text="Quý III năm nay.", by=personas["leader"])
    question_mark_answered(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["leader"])
    return question


def test_the_room_the_pages_the_api_and_the_transcript_show_a_label_not_the_name(dialogue, personas):
    question = answered(dialogue, personas, asker_name="Trần Thị Hạnh")
    public_frames = DialogueMessage.objects.filter(dialogue=dialogue, audience="public")
    assert public_frames.exists()
    assert not any("Trần Thị Hạnh" in frame for frame in public_frames.values_list("frame", flat=True))
    shown = json.loads(public_frames.filter(type="question").first().frame)["data"]
    assert shown["asker"] == "" and shown["asker_number"] == question.pk

    page = Client().get(f"/dialogues/{dialogue.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Trần Thị Hạnh" not in page and f"Người hỏi {question.pk}" in page
    api = Client().get(f"/api/v1/dialogues/{dialogue.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "Trần Thị Hạnh" not in json.dumps(api, ensure_ascii=False)
    assert f"Participant {question.pk}" in json.dumps(api)

    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=personas["leader"])
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.PUBLISHED, by=personas["leader"])
    transcript = Client().get(f"/dialogues/{dialogue.pk}/transcript/").content.decode()
    assert "Trần Thị Hạnh" not in transcript and f"Người hỏi {question.pk}" in transcript
    item = PublishedItem.objects.get()
    assert item.asker_display == ""


def test_the_askers_name_in_their_own_words_is_proposed_for_hiding(dialogue, personas):
    question = question_ask(
        dialogue=dialogue, asker_name="Trần Thị Hạnh", text="Tôi là Trần Thị Hạnh, khi nào phường cấp sổ đỏ?"
    )
    question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    answer_publish(dialogue_id=dialogue.pk, question_id=question.pk, text="Quý III năm nay.", by=personas["leader"])
    question_mark_answered(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["leader"])
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=personas["leader"])
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.PUBLISHED, by=personas["leader"])
    item = PublishedItem.objects.get()
    assert "Hạnh" not in item.question and "cấp sổ đỏ" in item.question


def test_an_asker_who_opts_in_is_shown_by_name(dialogue, personas):
    question = answered(dialogue, personas, asker_name="Trần Thị Hạnh", show_name=True)
    shown = json.loads(DialogueMessage.objects.filter(dialogue=dialogue, type="question").first().frame)["data"]
    assert shown["asker"] == "Trần Thị Hạnh"
    page = Client().get(f"/dialogues/{dialogue.pk}/").content.decode()
    assert "Trần Thị Hạnh" in page
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=personas["leader"])
    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.PUBLISHED, by=personas["leader"])
    assert PublishedItem.objects.get().asker_display == "Trần Thị Hạnh"
    assert question.show_name


def test_the_web_form_asks_whether_to_show_the_name(dialogue, personas):
    dialogue.state = State.OPEN
    dialogue.save()
    client = Client()
    form = client.get(f"/dialogues/{dialogue.pk}/ask/").content.decode()
    assert 'name="show_name"' in form
    client.post(f"/dialogues/{dialogue.pk}/ask/", {"name": "Hạnh", "text": "Khi nào phường cấp sổ đỏ?"})
    client.post(
        f"/dialogues/{dialogue.pk}/ask/", {"name": "Bình", "text": "Khi nào trả tiền đền bù?", "show_name": "true"}
    )
    assert [(q.asker_name, q.show_name) for q in dialogue.questions.order_by("id")] == [
        ("Hạnh", False), ("Bình", True),
    ]  # fmt: skip

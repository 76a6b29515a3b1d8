"""The moderation desk: questions with restricted words (the dialogue's list, or its agency's and those above)
are held apart for review; merging tells the merged question's asker; the likeliest duplicate is offered first;
a schedule change is an event of the room."""

from __future__ import annotations

import datetime as dt

import pytest
from caunoi.core import clock
from caunoi.core.errors import ValidationFailed
from caunoi.dialogues.models import DialogueMessage, RestrictedWords
from caunoi.dialogues.services import dialogue_reschedule, question_approve, question_ask, question_merge
from caunoi.dialogues.services.words import restricted_words_set
from caunoi.dialogues.testing import make_dialogue
from caunoi.notifications.models import Notification
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["SO-NNMT-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


def test_questions_with_restricted_words_are_held_for_review(dialogue, personas, reference_data):
    RestrictedWords.objects.create(agency=reference_data["agencies"]["UBND-HN"], words="hối lộ\nlừa đảo")
    restricted_words_set(dialogue_id=dialogue.pk, words="  tham nhũng \n\n", by=personas["moderator"])

    plain = question_ask(dialogue=dialogue, asker_name="An", text="Khi nào có bảng giá đất mới?")
    by_agency = question_ask(dialogue=dialogue, asker_name="Bình", text="Cán bộ đòi HOI LO khi làm sổ đỏ?")
    by_dialogue = question_ask(dialogue=dialogue, asker_name="Chi", text="Có tham nhũng trong dự án không?")
    partial = question_ask(dialogue=dialogue, asker_name="Dũng", text="Ông Lừa Đảoo là ai?")  # not a whole word

    assert (plain.held_words, by_agency.held_words, by_dialogue.held_words) == ("", "hối lộ", "tham nhũng")
    assert partial.held_words == ""
    client = Client()
    client.force_login(personas["moderator"])
    html = client.get(reverse("dialogues:moderate", args=[dialogue.pk])).content.decode()
    held = html[html.index('id="held-title"') : html.index('id="pending-title"')]
    assert by_agency.text in held and by_dialogue.text in held and plain.text not in held
    assert 'data-count="held">2<' in html and 'data-count="pending">2<' in html


def test_only_the_dialogues_moderators_edit_its_words(dialogue, personas):
    url = reverse("dialogues:words", args=[dialogue.pk])
    for persona, allowed in [("citizen", False), ("leader", False), ("moderator", True)]:
        client = Client()
        client.force_login(personas[persona])
        response = client.post(url, {"words": f"từ của {persona}"})
        assert response.status_code == (302 if allowed else 404), persona
    assert RestrictedWords.objects.get(dialogue=dialogue).words == "từ của moderator"


def test_merging_tells_the_merged_questions_asker(dialogue, personas):
    into = question_ask(dialogue=dialogue, asker_name="An", text="Bao giờ có bảng giá đất mới?")
    question_approve(dialogue_id=dialogue.pk, question_id=into.pk, by=personas["moderator"])
    by_mail = question_ask(
        dialogue=dialogue, asker_name="Bình", text="Khi nào ban hành giá đất mới?", email="b@example.org"
    )
    by_phone = question_ask(
        dialogue=dialogue, asker_name="Chi", text="Bảng giá đất mới bao giờ có?", phone="0912345678"
    )
    silent = question_ask(dialogue=dialogue, asker_name="Dũng", text="Giá đất mới khi nào áp dụng?")
    for question in (by_mail, by_phone, silent):
        question_merge(dialogue_id=dialogue.pk, question_id=question.pk, into_id=into.pk, by=personas["moderator"])

    sent = Notification.objects.filter(template="dialogue_question_merged").order_by("id")
    assert [(n.channel, n.recipient) for n in sent] == [("email", "b@example.org"), ("sms", "0912345678")]
    assert sent[0].context["into"] == into.text and sent[0].context["question"] == by_mail.text
    merged = DialogueMessage.objects.filter(dialogue=dialogue, type="question_merged").first()
    assert merged.payload["into_text"] == into.text  # the room (every asker still watching) is told too


def test_the_desk_offers_the_most_similar_approved_question_first(dialogue, personas):
    for text in ("Trường học mới ở phường Ba Đình?", "Bao giờ có bảng giá đất mới?"):
        question = question_ask(dialogue=dialogue, asker_name="An", text=text)
        question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    question_ask(dialogue=dialogue, asker_name="Bình", text="Bao gio co bang gia dat moi?")
    client = Client()
    client.force_login(personas["moderator"])
    html = client.get(reverse("dialogues:moderate", args=[dialogue.pk])).content.decode()
    select = html[html.index('name="into"') :]
    assert select.index("Bao giờ có bảng giá đất mới?") < select.index("Trường học mới")


def test_a_schedule_change_is_an_event_of_the_room(dialogue, personas):
    start = clock.now() + dt.timedelta(days=1)
    dialogue_reschedule(
        dialogue_id=dialogue.pk,
        by=personas["leader"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        stream_url="https://video.example.org/live",
    )
    event = DialogueMessage.objects.filter(dialogue=dialogue, type="schedule").get()
    assert event.payload["stream_url"] == "https://video.example.org/live"
    assert event.payload["starts_at"] == start.isoformat() and "–" in event.payload["when"]
    with pytest.raises(ValidationFailed):
        dialogue_reschedule(
            dialogue_id=dialogue.pk, by=personas["leader"], starts_at=start, ends_at=start, stream_url=""
        )

"""Answered means answered: a posted answer marks its question answered (the room is told, the transcript shows
it); ending asks the host to confirm and lists the questions that will become cases; those cases go to the
dialogue's own agency and area through normal intake, under the asker's choice about their name."""

from __future__ import annotations

import pytest
from caunoi.cases.models import Case, Channel
from caunoi.dialogues.models import Dialogue, DialogueMessage, QuestionStatus, State
from caunoi.dialogues.services import (
    answer_publish,
    dialogue_advance,
    question_approve,
    question_ask,
    question_pick,
)
from caunoi.dialogues.testing import make_dialogue
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def dialogue(personas, reference_data):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )
    Dialogue.objects.filter(pk=dialogue.pk).update(area=reference_data["areas"]["tinh-01"])
    dialogue.refresh_from_db()
    return dialogue


def approved(dialogue, moderator, text, **fields):
    question = question_ask(dialogue=dialogue, asker_name=fields.pop("name", "Nguyễn Thị Hạnh"), text=text, **fields)
    question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=moderator)
    return question


def test_a_posted_answer_marks_its_question_answered_and_tells_the_room(dialogue, personas):
    question = approved(dialogue, personas["moderator"], "Khi nào khu tập thể Kim Liên được cấp sổ đỏ?")
    question_pick(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["leader"])

    answer_publish(dialogue_id=dialogue.pk, question_id=question.pk, text="Quý III năm nay.", by=personas["leader"])

    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_at is not None
    types = list(DialogueMessage.objects.filter(dialogue=dialogue).order_by("seq").values_list("type", flat=True))
    assert types[-2:] == ["answer", "answered"]
    # A second part of the answer is welcome and does not announce "answered" twice.
    answer_publish(dialogue_id=dialogue.pk, question_id=question.pk, text="Và cả quý IV.", by=personas["leader"])
    assert DialogueMessage.objects.filter(dialogue=dialogue, type="answered").count() == 1
    html = Client().get(reverse("dialogues:transcript", args=[dialogue.pk])).content.decode()
    assert question.text in html and "Quý III năm nay." in html and "Và cả quý IV." in html


def test_an_answered_question_does_not_become_a_case(dialogue, personas):
    answered = approved(dialogue, personas["moderator"], "Tiền bồi thường giải phóng mặt bằng trả khi nào?")
    waiting = approved(dialogue, personas["moderator"], "Khi nào đường Vành đai 4 thông xe?")
    answer_publish(dialogue_id=dialogue.pk, question_id=answered.pk, text="Tháng sau.", by=personas["leader"])

    result = dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=personas["leader"])

    assert [q.pk for q in result.cases_opened] == [waiting.pk]
    answered.refresh_from_db()
    assert answered.case is None and answered.status == QuestionStatus.ANSWERED


def test_cases_go_to_the_dialogues_agency_and_area_under_the_askers_choice(dialogue, personas, reference_data):
    hidden = approved(dialogue, personas["moderator"], "Khi nào đường Vành đai 4 thông xe?", email="hanh@example.org")
    shown = approved(dialogue, personas["moderator"], "Trường học mới ở đâu?", name="Trần Văn Nam", show_name=True)

    dialogue_advance(dialogue_id=dialogue.pk, to_state=State.ENDED, by=personas["leader"])

    cases = {c.pk: c for c in Case.objects.filter(channel=Channel.DIALOGUE)}
    hidden.refresh_from_db()
    shown.refresh_from_db()
    for question in (hidden, shown):
        case = cases[question.case_id]
        # Within the Hà Nội people's committee's own tree, not the national triage desk.
        assert case.agency.path.startswith(dialogue.agency.path), case.agency.code
        assert case.area == reference_data["areas"]["tinh-01"]
        assert case.due_at is not None
    assert cases[hidden.case_id].show_name_publicly is False
    assert cases[shown.case_id].show_name_publicly is True
    assert cases[hidden.case_id].contact_email == "hanh@example.org"  # the receipt still reaches the asker


def test_the_transcript_never_shows_a_name_the_asker_kept_private(dialogue, personas):
    question = approved(dialogue, personas["moderator"], "Khi nào có quy hoạch mới?", name="Lê Thị Riêng")
    answer_publish(dialogue_id=dialogue.pk, question_id=question.pk, text="Cuối năm.", by=personas["leader"])
    html = Client().get(reverse("dialogues:transcript", args=[dialogue.pk])).content.decode()
    assert question.text in html and "Lê Thị Riêng" not in html


def test_ending_asks_for_confirmation_listing_the_questions_that_become_cases(dialogue, personas):
    answered = approved(dialogue, personas["moderator"], "Câu hỏi đã được trả lời trên sóng?")
    waiting = approved(dialogue, personas["moderator"], "Tiền đền bù được trả khi nào?")
    answer_publish(dialogue_id=dialogue.pk, question_id=answered.pk, text="Rồi.", by=personas["leader"])
    client = Client()
    client.force_login(personas["leader"])
    url = reverse("dialogues:advance", args=[dialogue.pk])

    asked = client.post(url, {"to_state": "ended"})

    assert asked.status_code == 200
    html = asked.content.decode()
    confirmation = html[html.index('id="end-confirmation"') :]
    assert waiting.text in confirmation and answered.text not in confirmation
    assert 'name="confirm"' in confirmation
    assert Dialogue.objects.get(pk=dialogue.pk).state == State.LIVE  # nothing happened yet
    assert not Case.objects.exists()

    done = client.post(url, {"to_state": "ended", "confirm": "1"})
    assert done.status_code == 302
    assert Dialogue.objects.get(pk=dialogue.pk).state == State.ENDED
    waiting.refresh_from_db()
    assert waiting.case is not None

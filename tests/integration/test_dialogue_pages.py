"""Dialogue pages and API: the announced list, the viewer page without JavaScript, the question form, the
moderator and host pages, scheduling, the transcript; who may open and use each."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from caunoi.dialogues.models import Dialogue, DialogueQuestion, QuestionStatus, State
from caunoi.dialogues.services import answer_publish, question_approve, question_ask, question_pick
from caunoi.dialogues.testing import make_dialogue
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    # These tests read messages in English (the message ids); pages default to Vietnamese otherwise.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def dialogue(personas, reference_data):
    return make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )


@pytest.fixture
def room(dialogue, personas):
    """A live dialogue with one answered-on-air question, one approved, one pending."""
    answered = question_ask(dialogue=dialogue, asker_name="Chị Mai", text="Khi nào có quy hoạch mới?")
    approved = question_ask(dialogue=dialogue, asker_name="Anh Tuấn", text="Giá đền bù tính thế nào?")
    pending = question_ask(
        dialogue=dialogue, asker_name="Ông Ba", text="Câu hỏi còn chờ duyệt?", email="ba@example.org"
    )
    for question in (answered, approved):
        question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    question_pick(dialogue_id=dialogue.pk, question_id=answered.pk, by=personas["leader"])
    answer_publish(dialogue_id=dialogue.pk, question_id=answered.pk, text="Cuối năm nay.", by=personas["leader"])
    return {"answered": answered, "approved": approved, "pending": pending}


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_list_and_api_announce_dialogues(dialogue, room):
    page = Client().get(reverse("dialogues:list"))
    assert page.status_code == 200 and dialogue.title in page.content.decode()
    listed = Client().get("/api/v1/dialogues/").json()
    assert [d["id"] for d in listed] == [dialogue.pk]
    assert listed[0]["websocket"] == f"/ws/dialogues/{dialogue.pk}/" and listed[0]["state"] == "live"
    detail = Client().get(f"/api/v1/dialogues/{dialogue.pk}/").json()
    # Questions still to answer first, then the answered ones (a posted answer marks its question answered).
    assert [q["text"] for q in detail["questions"]] == [room["approved"].text, room["answered"].text]
    assert detail["questions"][1]["answers"][0]["text"] == "Cuối năm nay."
    assert [q["status"] for q in detail["questions"]] == ["approved", "answered"]
    assert detail["last_seq"] == Dialogue.objects.get(pk=dialogue.pk).last_seq
    assert detail["now_answering"] == room["answered"].pk
    assert "ba@example.org" not in str(detail)
    assert Client().get("/api/v1/dialogues/999999/").status_code == 404


def test_viewer_page_works_without_javascript(dialogue, room):
    response = Client().get(reverse("dialogues:detail", args=[dialogue.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    assert room["answered"].text in html and "Cuối năm nay." in html and room["approved"].text in html
    assert room["pending"].text not in html
    assert "caunoi_voter" in response.cookies
    assert f'data-last-seq="{Dialogue.objects.get(pk=dialogue.pk).last_seq}"' in html


def test_voting_with_the_plain_form(dialogue, room):
    client = Client()
    client.get(reverse("dialogues:detail", args=[dialogue.pk]))  # sets the browser id
    url = reverse("dialogues:act", args=[dialogue.pk, "vote"])
    assert client.post(url, {"question": room["approved"].pk}).status_code == 302
    client.post(url, {"question": room["approved"].pk})  # a second vote is refused with a message
    room["approved"].refresh_from_db()
    assert room["approved"].vote_count == 1
    page = client.get(reverse("dialogues:detail", args=[dialogue.pk])).content.decode()
    assert "You have already voted" in page or "đã bỏ phiếu" in page or "bỏ phiếu" in page


def test_question_form(dialogue):
    url = reverse("dialogues:ask", args=[dialogue.pk])
    assert Client().get(url).status_code == 200
    bad = Client().post(url, {"name": "", "text": "ngắn", "email": "not-an-email", "phone": "abc"})
    assert bad.status_code == 400
    html = bad.content.decode()
    for field in ("name", "text", "email", "phone"):
        assert f'id="id_{field}-error"' in html and f'href="#id_{field}"' in html
    assert 'value="not-an-email"' in html
    good = Client().post(url, {"name": "Cô Lan", "text": "Xin hỏi về thủ tục tách thửa đất?", "phone": "0912 345 678"})
    assert good.status_code == 302 and good["Location"] == reverse("dialogues:detail", args=[dialogue.pk])
    question = DialogueQuestion.objects.get(dialogue=dialogue)
    assert question.status == QuestionStatus.PENDING and question.contact_phone == "0912 345 678"


def test_question_form_when_closed(personas, reference_data):
    ended = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[], state=State.ENDED
    )
    url = reverse("dialogues:ask", args=[ended.pk])
    assert 'name="text"' not in Client().get(url).content.decode()
    response = Client().post(url, {"name": "An", "text": "Câu hỏi sau khi kết thúc?"})
    assert response.status_code == 400 and not DialogueQuestion.objects.exists()


STAFF_PAGES = {"moderate": {"moderator", "admin"}, "host": {"leader", "admin"}}


@pytest.mark.parametrize("page", sorted(STAFF_PAGES))
@pytest.mark.parametrize(
    "persona", ["anonymous", "citizen", "official_a", "official_b", "leader", "moderator", "admin"]
)
def test_staff_pages_open_only_to_their_people(dialogue, room, personas, page, persona):
    user = None if persona == "anonymous" else personas[persona]
    response = client_for(user).get(reverse(f"dialogues:{page}", args=[dialogue.pk]))
    if persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif persona in STAFF_PAGES[page]:
        assert response.status_code == 200
        assert (room["pending"].text in response.content.decode()) == (page == "moderate")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "official_a", "leader", "moderator", "admin"])
def test_moderation_forms_act_only_for_moderators(dialogue, room, personas, persona):
    user = None if persona == "anonymous" else personas[persona]
    client_for(user).post(reverse("dialogues:act", args=[dialogue.pk, "approve"]), {"question": room["pending"].pk})
    room["pending"].refresh_from_db()
    expected = QuestionStatus.APPROVED if persona in {"moderator", "admin"} else QuestionStatus.PENDING
    assert room["pending"].status == expected


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "official_a", "leader", "moderator", "admin"])
def test_host_forms_act_only_for_hosts(dialogue, room, personas, persona):
    user = None if persona == "anonymous" else personas[persona]
    url = reverse("dialogues:act", args=[dialogue.pk, "answer"])
    client_for(user).post(url, {"question": room["approved"].pk, "text": "Theo bảng giá đất."})
    answers = list(room["approved"].answers.values_list("text", flat=True))
    assert answers == (["Theo bảng giá đất."] if persona in {"leader", "admin"} else [])


def test_unknown_web_action_is_404(dialogue, personas):
    assert (
        client_for(personas["admin"]).post(reverse("dialogues:act", args=[dialogue.pk, "explode"])).status_code == 404
    )


def test_move_up_reorders(dialogue, room, personas):
    client = client_for(personas["moderator"])
    client.post(reverse("dialogues:act", args=[dialogue.pk, "move_up"]), {"question": room["approved"].pk})
    page = client.get(reverse("dialogues:detail", args=[dialogue.pk])).content.decode()
    listed = page[page.index("data-questions") :]  # after "now answering"
    assert listed.index(room["approved"].text) < listed.index(room["answered"].text)


def test_ending_from_the_host_page_opens_cases(dialogue, room, personas):
    client = client_for(personas["leader"])
    response = client.post(
        reverse("dialogues:advance", args=[dialogue.pk]), {"to_state": "ended", "confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    room["approved"].refresh_from_db()
    assert room["approved"].case is not None and room["approved"].case.channel == "dialogue"
    bad = client.post(reverse("dialogues:advance", args=[dialogue.pk]), {"to_state": "live"}, follow=True)
    assert Dialogue.objects.get(pk=dialogue.pk).state == State.ENDED and bad.status_code == 200
    assert (
        client_for(personas["moderator"])
        .post(reverse("dialogues:advance", args=[dialogue.pk]), {"to_state": "published"})
        .status_code
        == 404
    )


def test_transcript(dialogue, room):
    html = Client().get(reverse("dialogues:transcript", args=[dialogue.pk])).content.decode()
    assert room["answered"].text in html and "Cuối năm nay." in html
    assert room["approved"].text not in html and room["pending"].text not in html


def schedule_form(personas, reference_data, start: dt.datetime, **extra) -> dict:
    return {
        "title": "Đối thoại về chuyển đổi số",
        "description": "Người dân hỏi, lãnh đạo trả lời.",
        "agency": reference_data["agencies"]["SO-NNMT-HN"].pk,
        "hosts": [personas["leader"].pk],
        "moderators": [personas["moderator"].pk],
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "stream_url": "",
        **extra,
    }


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "official_a", "moderator"])
def test_only_leaders_and_admins_schedule(personas, persona):
    user = None if persona == "anonymous" else personas[persona]
    response = client_for(user).get(reverse("dialogues:schedule"))
    assert response.status_code == (302 if user is None else 404)


@time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=VN), tick=False)
def test_scheduling_warns_when_notice_is_short(personas, reference_data):
    client = client_for(personas["leader"])
    assert client.get(reverse("dialogues:schedule")).status_code == 200
    soon = schedule_form(personas, reference_data, dt.datetime(2026, 12, 14, 9))
    warned = client.post(reverse("dialogues:schedule"), soon)
    assert warned.status_code == 200 and 'id="short-notice"' in warned.content.decode()
    assert not Dialogue.objects.exists()
    confirmed = client.post(reverse("dialogues:schedule"), {**soon, "confirm_short_notice": "on"})
    assert confirmed.status_code == 302
    later = client.post(
        reverse("dialogues:schedule"), schedule_form(personas, reference_data, dt.datetime(2026, 12, 21, 9))
    )
    assert later.status_code == 302 and Dialogue.objects.count() == 2


@time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=VN), tick=False)
def test_scheduling_errors_are_shown(personas, reference_data):
    client = client_for(personas["leader"])
    form = schedule_form(personas, reference_data, dt.datetime(2026, 12, 21, 9), title="", agency="")
    form["ends_at"] = form["starts_at"]
    form["agency"] = reference_data["agencies"]["BO-GDDT"].pk  # outside the leader's reach
    response = client.post(reverse("dialogues:schedule"), form)
    html = response.content.decode()
    assert response.status_code == 400 and 'href="#id_title"' in html and 'href="#id_agency"' in html
    assert not Dialogue.objects.exists()


def test_admin_lists_dialogues_questions_and_messages(dialogue, room, personas):
    admin = Client()
    admin.force_login(personas["admin"])
    personas["admin"].is_staff = personas["admin"].is_superuser = True
    personas["admin"].save(update_fields=["is_staff", "is_superuser"])
    for model in ("dialogue", "dialoguequestion", "dialoguemessage"):
        response = admin.get(f"/admin/dialogues/{model}/")
        assert response.status_code == 200, model
    assert admin.get(f"/admin/dialogues/dialogue/{dialogue.pk}/change/").status_code == 200

"""Citizen forms never lose a word: an error is shown beside the field and in the summary, with the right
message in the page's language, what was typed (and the rating chosen) comes back, and the answer is HTTP 400.
Nothing is truncated silently: a text over its limit is refused with a message naming the limit and the count."""

import pytest
from caunoi.cases.models import Case, Message, Rating
from caunoi.cases.services import (
    case_answer_draft,
    case_approve,
    case_claim,
    case_request_info,
    case_submit_for_review,
)

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db


def _tracked(web, personas, *, answered: bool):
    case, token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    if answered:
        case_answer_draft(case=case, by=personas["official_a"], body="Trả lời.")
        case_submit_for_review(case=case, by=personas["official_a"])
        case_approve(case=case, by=personas["leader"], version=1)
    else:
        case_request_info(case=case, by=personas["official_a"], message="Xin gửi bản sao.")
    web.post("/track/", {"code": case.tracking_code, "token": token})
    return case


def test_a_reply_too_long_says_so_and_keeps_the_text(web, personas, reference_data):
    case = _tracked(web, personas, answered=False)
    long_reply = "Nội dung dài " + "x" * 10_000
    response = web.post(f"/track/{case.tracking_code}/reply/", {"body": long_reply})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_reply_body-error"' in html
    assert "10.000" in html and f"{len(long_reply):,}".replace(",", ".") in html  # the limit and the count
    assert "Vui lòng nhập" not in html and "Write your reply" not in html
    assert long_reply in html  # the text comes back in the textarea
    assert 'class="error-summary"' in html and 'href="#id_reply_body"' in html
    assert not Message.objects.filter(case=case, direction="from_citizen").exists()


def test_an_empty_reply_asks_for_one(web, personas, reference_data):
    case = _tracked(web, personas, answered=False)
    response = web.post(f"/track/{case.tracking_code}/reply/", {"body": "   "})
    assert response.status_code == 400
    assert 'id="id_reply_body-error"' in response.content.decode()


def test_a_comment_too_long_keeps_the_rating_chosen(web, personas, reference_data):
    case = _tracked(web, personas, answered=True)
    comment = "Góp ý " + "y" * 2_000
    response = web.post(f"/track/{case.tracking_code}/rating/", {"score": "4", "comment": comment})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_rating_comment-error"' in html
    assert "1 đến 5" not in html  # the score was chosen: no message about it
    assert 'id="id_score_4" checked' in html
    assert comment in html
    assert not Rating.objects.filter(case=case).exists()


def test_a_rating_without_a_score_keeps_the_comment(web, personas, reference_data):
    case = _tracked(web, personas, answered=True)
    response = web.post(f"/track/{case.tracking_code}/rating/", {"comment": "Rất rõ ràng"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_score-error"' in html and "Rất rõ ràng" in html


def test_an_empty_tracking_form_shows_errors_beside_the_fields(web, reference_data):
    html = web.post("/track/", {"code": "", "token": ""}).content.decode()
    assert 'id="id_code-error"' in html and 'id="id_token-error"' in html


def test_a_pasted_text_over_the_limit_is_refused_never_cut(web, reference_data):
    body = "Nội dung rất dài. " * 800  # 14,400 characters
    form = {"kind": "question", "title": "Hỏi về đất đai", "body": body, "category": "dat-dai", "name": "Trần Hạnh"}
    response = web.post("/submit/", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_body-error"' in html
    assert "10.000" in html and f"{len(body.strip()):,}".replace(",", ".") in html  # counted as stored: trimmed
    assert body.strip() in html
    assert 'maxlength="10000"' not in html  # the browser must not cut what is pasted
    assert not Case.objects.exists()


def test_the_limit_message_speaks_english_on_an_english_page(web, reference_data):
    web.cookies["django_language"] = "en"
    form = {"kind": "question", "title": "T" * 250, "body": "Nội dung đủ dài.", "category": "dat-dai", "name": "A"}
    html = web.post("/submit/", form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "200" in html and "250" in html and "characters" in html


def test_a_dialogue_question_over_the_limit_is_refused_never_cut(web, personas, reference_data):
    from caunoi.dialogues.testing import make_dialogue

    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )
    text = "Xin hỏi về đền bù giải phóng mặt bằng. " * 60  # 2,340 characters
    response = web.post(f"/dialogues/{dialogue.pk}/ask/", {"name": "Hạnh", "text": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "2.000" in html and f"{len(text.strip()):,}".replace(",", ".") in html
    assert 'maxlength="2000"' not in html and 'data-character-count="2000"' in html

"""Every staff action form on the case page fails the same way: HTTP 400, the case page again with the form's
fold open, a summary at the top of the form linking to each field, the message beside the field, in the
page's language, and the text as typed (the finding: "extend with 0 days" flashed English at the top and
cleared the reason)."""

from __future__ import annotations

import re

import pytest
from caunoi.cases.services import case_answer_draft, case_claim, case_submit_for_review
from django.urls import reverse

from tests.support.cases import submit_case

pytestmark = pytest.mark.django_db

REASON = "Cần thêm thời gian để xác minh thực địa tại phường Hoàn Kiếm."
# DRF's own messages, English whatever the page's language.
ENGLISH = re.compile(r"Ensure this|may not be|This field|valid integer|Expected a list|greater than", re.I)


def post(client, case, action, data):
    return client.post(reverse("cases:staff-case-action", args=[case.id, action]), data)


def details_open(html: str, details_id: str) -> bool:
    return re.search(rf'<details class="action-details" id="{details_id}" open>', html) is not None


@pytest.fixture
def leader(client, personas):
    client.force_login(personas["leader"])
    return client


def test_extend_with_zero_days_keeps_the_reason_beside_a_vietnamese_message(leader, reference_data):
    case, _ = submit_case()
    response = post(leader, case, "extend", {"days": "0", "reason": REASON})
    html = response.content.decode()
    assert response.status_code == 400
    assert details_open(html, "action-extend")
    assert REASON in html  # the typed reason, back in its textarea
    assert 'id="action-extend-days-error"' in html  # beside the field
    assert 'href="#action-extend-days"' in html  # in the summary, linking to it
    assert "Nhập số ngày" in html
    assert not ENGLISH.search(html)
    case.refresh_from_db()
    assert not case.extensions.exists()


def test_transfer_without_an_agency_keeps_the_reason(leader, reference_data):
    case, _ = submit_case()
    response = post(leader, case, "transfer", {"agency": "", "reason": REASON})
    html = response.content.decode()
    assert response.status_code == 400
    assert details_open(html, "action-transfer")
    assert REASON in html
    assert 'id="action-transfer-agency-error"' in html
    assert "Chọn cơ quan" in html
    assert not ENGLISH.search(html)


def test_english_page_speaks_english(leader, reference_data):
    case, _ = submit_case()
    leader.cookies["django_language"] = "en"
    response = post(leader, case, "extend", {"days": "abc", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a whole number of days from 1 to 30." in html
    assert "Give the reason for the extension." in html


def test_too_long_text_is_refused_with_a_message_never_cut(leader, reference_data):
    case, _ = submit_case()
    long_reason = "x" * 2001
    response = post(leader, case, "transfer", {"agency": "BO-GDDT", "reason": long_reason})
    html = response.content.decode()
    assert response.status_code == 400
    assert long_reason in html
    assert 'id="action-transfer-reason-error"' in html


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("note", {"body": ""}, "action-note-body"),
        ("request_info", {"message": ""}, "action-request-info-message"),
        ("reject", {"reason": "Không thuộc thẩm quyền.", "pointer": ""}, "action-reject-pointer"),
        ("split", {"agencies": ["BO-GDDT"], "note": "Mỗi cơ quan trả lời một phần."}, "action-split-agencies"),
        ("link_duplicate", {"primary": "HD-2026-999999"}, "action-link-primary"),
        ("assign", {"assignee": ""}, "action-assign-assignee"),
    ],
)
def test_every_action_form_is_sent_back_the_same_way(leader, personas, reference_data, action, data, field):
    case, _ = submit_case()
    if action == "request_info":  # asked while the case is being handled
        case_claim(case=case, by=personas["leader"])
    response = post(leader, case, action, data)
    html = response.content.decode()
    assert response.status_code == 400, html[:500]
    assert f'id="{field}-error"' in html
    assert f'href="#{field}"' in html
    assert not ENGLISH.search(html)
    for value in data.values():
        for text in [value] if isinstance(value, str) else value:
            if text and len(text) > 10:
                assert text in html


def test_return_by_the_leader_keeps_the_comment_field_and_says_why(client, personas, reference_data):
    case, _ = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Bản nháp trả lời công dân.")
    case_submit_for_review(case=case, by=personas["official_a"])
    client.force_login(personas["leader"])
    response = post(client, case, "return", {"comment": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="action-return-comment-error"' in html
    assert not ENGLISH.search(html)


def test_a_form_no_longer_offered_still_shows_why_and_the_text(leader, reference_data):
    case, _ = submit_case()  # not claimed: asking the citizen is not offered yet
    message = "Xin bổ sung bản sao giấy tờ về nguồn gốc đất."
    response = post(leader, case, "request_info", {"message": message})
    html = response.content.decode()
    assert response.status_code == 409
    assert 'id="error-summary"' in html
    assert message in html


def test_approving_a_version_no_longer_the_latest_says_why_in_the_form(client, personas, reference_data):
    case, _ = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_answer_draft(case=case, by=personas["official_a"], body="Bản nháp thứ nhất.")
    case_submit_for_review(case=case, by=personas["official_a"])
    client.force_login(personas["leader"])
    response = post(client, case, "approve", {"version": "7"})
    html = response.content.decode()
    assert response.status_code == 409
    assert 'id="error-summary"' in html
    assert "phiên bản 1" in html.lower()
    case.refresh_from_db()
    assert case.status == "in_review"

"""Handling a case in real browsers: an official, a leader and the citizen, each in a browser of their own.

1. The official claims the case, drafts the answer and sends it for review; the leader returns it with a
   comment; the official revises it and sends it again; the leader approves; the citizen reads the answer on
   the tracking page and rates it.
2. The official asks the citizen for more information; the clock stops; the citizen replies on the tracking
   page; the case page shows the reply and the clock running again.

Every step is checked on the page (the confirmation message, the content) and in the database.
"""

from __future__ import annotations

import pytest
from caunoi.cases.api.actions import ACTIONS
from caunoi.cases.models import AnswerVersion, Case, Message, Rating
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.support.browser import DESKTOP, screenshot, serious_accessibility_violations
from tests.support.cases import submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


@pytest.fixture
def open_page(browser, live_server):
    """A new page in a browser context of its own (its own cookies: one person each)."""
    contexts = []

    def open_page(locale: str = "vi-VN"):
        context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)  # a missing element fails the test in seconds, not half a minute
        return page

    yield open_page
    for context in contexts:
        context.close()


def done(action: str) -> str:
    """The confirmation the page shows after `action`, in Vietnamese (the browsers ask for vi-VN)."""
    with translation.override("vi"):
        return str(ACTIONS[action].done)


def in_vietnamese(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def log_in(page, username: str, case: Case) -> None:
    """Opens the case page, is sent to the login form, logs in, and lands back on the case page."""
    page.goto(reverse("cases:staff-case", args=[case.id]))
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"**{reverse('cases:staff-case', args=[case.id])}")


def action_form(page, case: Case, action: str):
    return page.locator(f"form[action='{reverse('cases:staff-case-action', args=[case.id, action])}']")


def act(page, case: Case, action: str, **fields: str) -> None:
    """Fills and submits the action's form; waits for the redirect back and checks the confirmation."""
    form = action_form(page, case, action)
    details = form.locator("xpath=ancestor::details[1]")
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").first.click()
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    success = page.locator(".messages .message--success")
    assert success.count() == 1, page.locator(".messages").all_inner_texts()
    assert success.inner_text() == done(action)


def offered(page, case: Case) -> set[str]:
    """The actions whose forms the page shows."""
    return {action for action in ACTIONS if action_form(page, case, action).count()}


def test_claim_draft_review_return_approve_and_rate(open_page, personas):
    case, token = submit_case()
    first_draft = "Kính gửi bà Hạnh,\nThủ tục cấp giấy chứng nhận lần đầu gồm đơn đăng ký và giấy tờ về nguồn gốc đất."
    comment = "Cần nêu rõ căn cứ: Điều 137 Luật Đất đai 2024, và nơi nộp hồ sơ."
    revised = (
        "Kính gửi bà Hạnh,\n"
        "Theo Điều 137 Luật Đất đai 2024, hộ gia đình sử dụng đất ổn định từ trước năm 1993 được cấp giấy chứng "
        "nhận lần đầu. Hồ sơ gồm đơn đăng ký và giấy tờ về nguồn gốc đất, nộp tại Bộ phận một cửa của phường."
    )

    # The official opens the case: only what an official may do now is offered.
    official = open_page()
    log_in(official, "official-a", case)
    assert offered(official, case) == {"claim", "note", "link_duplicate", "transfer"}
    assert serious_accessibility_violations(official) == []
    screenshot(official, "flow-01-official-case-received")

    # The leader, in a browser of their own, may do more on a new case; every folded form is checked too.
    leader = open_page()
    log_in(leader, "leader", case)
    assert offered(leader, case) == {
        "claim", "assign", "note", "extend", "transfer", "link_duplicate", "split", "reject",
    }  # fmt: skip
    leader.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    transfer_choices = leader.locator("#action-transfer-agency option").all_inner_texts()
    assert not any("Sở Nông nghiệp và Môi trường Hà Nội" in choice for choice in transfer_choices)  # not itself
    assert any(choice.startswith("\xa0" * 6) and "Sở Xây dựng Hà Nội" in choice for choice in transfer_choices)
    assert serious_accessibility_violations(leader) == []
    screenshot(leader, "flow-01b-leader-every-action-open")

    act(official, case, "claim")
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("in_progress", personas["official_a"])
    assert {"draft", "request_info"} <= offered(official, case)
    assert "submit_for_review" not in offered(official, case)  # nothing to send before a draft is saved
    assert "approve" not in offered(official, case)
    assert serious_accessibility_violations(official) == []
    screenshot(official, "flow-02-official-claimed")

    act(official, case, "draft", body=first_draft)
    assert AnswerVersion.objects.filter(case=case).count() == 1
    assert official.input_value("#action-draft-body") == first_draft  # the form starts from the latest draft
    assert "submit_for_review" in offered(official, case)
    act(official, case, "submit_for_review")
    case.refresh_from_db()
    assert case.status == "in_review"
    assert offered(official, case) == {"note"}
    screenshot(official, "flow-03-official-sent-for-review")

    # The leader reads the draft being reviewed, beside the question, and returns it with a comment.
    leader.reload()
    assert "Gia đình tôi sử dụng đất ổn định" in leader.locator(".case-actions .case-question").inner_text()
    assert {"approve", "return", "reject", "extend"} <= offered(leader, case)
    assert "Điều 137" not in leader.locator(".answer-preview").inner_text()
    assert "nguồn gốc đất" in leader.locator(".answer-preview").inner_text()
    assert serious_accessibility_violations(leader) == []
    screenshot(leader, "flow-04-leader-review")
    act(leader, case, "return", comment=comment)
    case.refresh_from_db()
    assert case.status == "in_progress"

    # The official sees the comment beside the draft, revises it and sends it again.
    official.reload()
    assert comment in official.locator(".case-actions .review-comment").inner_text()
    assert official.input_value("#action-draft-body") == first_draft
    screenshot(official, "flow-05-official-returned")
    act(official, case, "draft", body=revised)
    assert AnswerVersion.objects.filter(case=case).count() == 2
    assert official.locator(".case-actions .review-comment").count() == 0  # answered by the new version
    act(official, case, "submit_for_review")
    case.refresh_from_db()
    assert case.status == "in_review"

    # The leader approves the revised version, which the page shows before the button.
    leader.reload()
    assert "Điều 137" in leader.locator(".answer-preview").inner_text()
    act(leader, case, "approve")
    case.refresh_from_db()
    assert case.status == "answered"
    assert case.closed_at is not None
    approved = AnswerVersion.objects.get(case=case, approved_at__isnull=False)
    assert (approved.number, approved.approved_by) == (2, personas["leader"])
    assert offered(leader, case) == {"note"}
    assert leader.locator(".version--approved").count() == 1
    assert "Điều 137" in leader.locator(".version--approved").inner_text()
    screenshot(leader, "flow-06-leader-approved")

    # The citizen follows their link, reads the answer and rates it.
    citizen = open_page(locale="vi-VN")
    citizen.goto(f"/track/?code={case.tracking_code}#token={token}")
    citizen.wait_for_url(f"**/track/{case.tracking_code}/")
    assert citizen.locator("html").get_attribute("lang") == "vi"
    answer = citizen.locator(".answer-panel")
    assert "Điều 137 Luật Đất đai 2024" in answer.inner_text()
    assert first_draft.split("\n")[1] not in citizen.content()  # only the approved version reaches the citizen
    assert comment not in citizen.content()  # the review stays internal
    assert serious_accessibility_violations(citizen) == []
    screenshot(citizen, "flow-07-citizen-answer")

    citizen.locator("label[for=id_score]").click()  # the first choice (5) carries the field's id
    citizen.fill("#id_rating_comment", "Trả lời rõ ràng, cảm ơn.")
    with citizen.expect_navigation():
        citizen.click("form.rating-form button[type=submit]")
    citizen.wait_for_load_state()
    assert citizen.locator(".messages .message--success").inner_text() == in_vietnamese(
        "Thank you for rating the answer."
    )
    assert "5/5" in citizen.locator(".rating-given").inner_text()
    assert citizen.locator("form.rating-form").count() == 0
    rating = Rating.objects.get(case=case)
    assert (rating.score, rating.comment) == (5, "Trả lời rõ ràng, cảm ơn.")
    assert serious_accessibility_violations(citizen) == []
    screenshot(citizen, "flow-08-citizen-rated")


def test_asking_the_citizen_stops_the_clock_until_they_reply(open_page, personas):
    case, token = submit_case()
    question = "Xin bà cho biết số thửa, số tờ bản đồ và gửi kèm bản chụp giấy tờ mua bán đất (nếu có)."
    reply = "Thửa số 125, tờ bản đồ số 7. Giấy mua bán viết tay năm 1990, tôi sẽ mang bản gốc đến phường."

    official = open_page()
    log_in(official, "official-a", case)
    act(official, case, "claim")
    act(official, case, "request_info", message=question)
    case.refresh_from_db()
    assert case.status == "waiting_citizen"
    assert case.due_at is None
    assert question in official.locator(".conversation").inner_text()
    assert official.locator(".tag--paused").count() >= 1
    assert serious_accessibility_violations(official) == []
    screenshot(official, "flow-11-official-asked")

    # The citizen sees the question, that the deadline is on hold, and replies.
    citizen = open_page(locale="vi-VN")
    citizen.goto(f"/track/?code={case.tracking_code}#token={token}")
    citizen.wait_for_url(f"**/track/{case.tracking_code}/")
    assert question in citizen.locator(".reply-box").inner_text()
    assert citizen.locator(".tag--paused").count() == 1
    assert serious_accessibility_violations(citizen) == []
    screenshot(citizen, "flow-12-citizen-asked")
    citizen.fill("#id_reply_body", reply)
    with citizen.expect_navigation():
        citizen.click(f"form[action='{reverse('cases:track-reply', args=[case.tracking_code])}'] button[type=submit]")
    citizen.wait_for_load_state()
    assert citizen.locator(".messages .message--success").inner_text() == in_vietnamese(
        "Your reply has been sent; the deadline runs again."
    )
    assert citizen.locator(".reply-box").count() == 0
    assert reply in citizen.locator(".conversation").inner_text()
    assert citizen.locator(".tag--paused").count() == 0
    screenshot(citizen, "flow-13-citizen-replied")

    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.due_at is not None
    assert list(Message.objects.filter(case=case).values_list("direction", flat=True)) == ["to_citizen", "from_citizen"]

    # The case page shows the reply and a running clock with its new due date.
    official.reload()
    conversation = official.locator(".conversation").inner_text()
    assert question in conversation and reply in conversation
    assert official.locator(".tag--paused").count() == 0
    due = timezone.localtime(case.due_at).strftime("%d/%m/%Y")
    assert official.locator(f"time[datetime='{timezone.localtime(case.due_at).isoformat()}']").first.inner_text() == due
    assert serious_accessibility_violations(official) == []
    screenshot(official, "flow-14-official-reply-received")

"""The live room in a real browser, several pages at once: a host answers on the host page and a viewer's page
in Chromium shows the answer without reloading; every state change (open, live, ended) and schedule change
reaches viewers, askers and moderators in place; the moderator sees new questions arrive. Pages are served
by a real uvicorn process (HTTP and websockets) on the test database; axe finds nothing serious;
screenshots at desktop and phone width when SCREENSHOT_DIR is set."""

from __future__ import annotations

import signal

import pytest
from caunoi.cases.models import Case
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.models import DialogueQuestion, QuestionStatus, RestrictedWords, State
from caunoi.dialogues.services import question_approve, question_ask
from caunoi.dialogues.testing import free_port, make_dialogue, session_cookie, start_asgi_server
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The test server of each port: a test may restart it.
_servers: dict = {}


@pytest.fixture
def server(db):
    redis_client().flushdb()
    port = free_port()
    _servers[port] = start_asgi_server(port, database_name=connection.settings_dict["NAME"])
    yield f"http://127.0.0.1:{port}"
    process = _servers.pop(port)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    connection.close_pool()


@pytest.fixture
def open_page(browser, server):
    contexts = []

    def open_page(user=None, **options):
        context = browser.new_context(viewport=DESKTOP, base_url=server, locale="vi-VN", **options)
        contexts.append(context)
        if user is not None:
            # Signed in as the login page would (the server's password hasher differs from the tests' fast one).
            context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": server}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def dialogue(personas, reference_data):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"], hosts=[personas["leader"]], moderators=[personas["moderator"]]
    )
    for text in ("Khi nào khu tập thể Kim Liên được cấp sổ đỏ?", "Tiền bồi thường giải phóng mặt bằng trả khi nào?"):
        question = question_ask(dialogue=dialogue, asker_name="Chị Hạnh", text=text)
        question_approve(dialogue_id=dialogue.pk, question_id=question.pk, by=personas["moderator"])
    return dialogue


def test_a_host_answers_and_the_viewer_sees_it_live(open_page, dialogue, personas):
    question = dialogue.questions.order_by("id").first()
    viewer = open_page()
    viewer.goto(reverse("dialogues:detail", args=[dialogue.pk]))
    live_status = viewer.locator("[data-live-status]")
    # The module replaces "this page refreshes every 30 seconds" once its socket is open.
    expect(live_status).not_to_contain_text("30", timeout=15_000)
    viewer.evaluate("window.notReloaded = true")
    assert serious_accessibility_violations(viewer) == []

    host = open_page(personas["leader"])
    host.goto(reverse("dialogues:host", args=[dialogue.pk]))
    assert serious_accessibility_violations(host) == []
    screenshot(host, "dialogue-host")

    item = host.locator(f"#q-{question.pk}")
    with host.expect_navigation():
        item.locator("form[action$='/act/pick/'] button").click()
    item = host.locator(f"#q-{question.pk}")
    item.locator("textarea[name=text]").fill("Quý III năm nay, phường sẽ trả sổ cho các hộ.")
    with host.expect_navigation():
        item.locator("form[action$='/act/answer/'] button").click()

    answer = viewer.locator(f"#q-{question.pk} [data-answers] li")
    answer.wait_for()
    assert "Quý III năm nay" in answer.inner_text()
    assert viewer.locator("[data-now]").is_visible()
    assert question.text in viewer.locator("[data-now-text]").inner_text()
    assert viewer.evaluate("window.notReloaded") is True  # it arrived over the socket, not by a reload
    assert serious_accessibility_violations(viewer) == []
    screenshot(viewer, "dialogue-viewer")


def test_without_javascript_the_page_refreshes_itself(open_page, dialogue):
    page = open_page(java_script_enabled=False)
    page.goto(reverse("dialogues:detail", args=[dialogue.pk]))
    assert page.locator("noscript").count() >= 1
    assert page.locator("[data-questions] > li").count() == 2
    assert page.locator("[data-live-status] a").count() == 1  # "Refresh now"
    page.goto(reverse("dialogues:ask", args=[dialogue.pk]))
    page.fill("#id_name", "Anh Nam")
    page.fill("#id_text", "Xin hỏi thủ tục chuyển mục đích sử dụng đất?")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url.endswith(reverse("dialogues:detail", args=[dialogue.pk]))
    assert page.locator(".message--success").count() == 1
    screenshot(page, "dialogue-after-asking")  # (axe needs JavaScript: the same pages are checked with it above)


def test_staff_and_form_pages_are_accessible(open_page, dialogue, personas):
    moderator = open_page(personas["moderator"])
    moderator.goto(reverse("dialogues:moderate", args=[dialogue.pk]))
    assert moderator.locator("form[action$='/act/move_up/']").count() == 1  # the second of two approved questions
    assert serious_accessibility_violations(moderator) == []
    screenshot(moderator, "dialogue-moderate")
    page = open_page(personas["leader"])
    for name, url in [
        ("dialogue-schedule", reverse("dialogues:schedule")),
        ("dialogue-list", reverse("dialogues:list")),
        ("dialogue-ask", reverse("dialogues:ask", args=[dialogue.pk])),
    ]:
        page.goto(url)
        assert page.url.endswith(url), name  # the page itself, not a login or two-factor page
        assert serious_accessibility_violations(page) == [], name
        screenshot(page, name)
    page.goto(reverse("dialogues:ask", args=[dialogue.pk]))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "dialogue-ask-errors")


def not_reloaded(*pages) -> None:
    for page in pages:
        page.evaluate("window.notReloaded = true")


def live(page) -> None:
    """Waits until the page's socket said hello."""
    page.locator("#dialogue-room[data-connected='1']").wait_for(state="attached", timeout=15_000)


def test_every_page_follows_the_dialogue_from_scheduled_to_ended(open_page, personas, reference_data):
    dialogue = make_dialogue(
        agency=reference_data["agencies"]["UBND-HN"],
        hosts=[personas["leader"]],
        moderators=[personas["moderator"]],
        state=State.SCHEDULED,
    )
    viewer, asker, moderator, host = (
        open_page(),
        open_page(),
        open_page(personas["moderator"]),
        open_page(personas["leader"]),
    )
    viewer.goto(reverse("dialogues:detail", args=[dialogue.pk]))
    moderator.goto(reverse("dialogues:moderate", args=[dialogue.pk]))
    host.goto(reverse("dialogues:host", args=[dialogue.pk]))
    asker.goto(reverse("dialogues:ask", args=[dialogue.pk]))  # too early: the form is not offered yet
    for page in (viewer, moderator, host, asker):
        live(page)
    assert viewer.locator("[data-ask-link]").is_hidden()
    assert asker.locator("#id_text").is_hidden()
    not_reloaded(viewer, moderator, asker)

    with host.expect_navigation():
        host.locator("form[action$='/advance/'] button").click()  # scheduled → open for questions
    badge = viewer.locator("[data-dialogue-state]")
    expect(badge).to_have_text("Đang nhận câu hỏi")
    expect(viewer.locator("[data-ask-link]")).to_be_visible()
    expect(moderator.locator("[data-dialogue-state]")).to_have_text("Đang nhận câu hỏi")

    expect(asker.locator("#id_text")).to_be_visible()  # the form appeared in place
    asker.fill("#id_text", "Khi nào phường cấp sổ đỏ cho khu tập thể?")

    with host.expect_navigation():
        host.locator("form[action$='/advance/'] button").click()  # → live
    expect(badge).to_have_text("Đang diễn ra")
    with host.expect_navigation():
        host.locator("form[action$='/advance/'] button").click()  # → asks to confirm the end
    with host.expect_navigation():
        host.locator("#end-confirmation button[type=submit]").click()

    expect(badge).to_have_text("Đã kết thúc")
    expect(viewer.locator("[data-transcript-link]")).to_be_visible()
    expect(viewer.locator("[data-ask-link]")).to_be_hidden()
    expect(moderator.locator("[data-dialogue-state]")).to_have_text("Đã kết thúc")
    # The asker is told, and keeps what they typed.
    expect(asker.locator("[data-closed-notice]")).to_be_visible()
    assert asker.locator("#id_text").input_value() == "Khi nào phường cấp sổ đỏ cho khu tập thể?"
    for page in (viewer, moderator, asker):
        assert page.evaluate("window.notReloaded") is True


def test_a_schedule_change_reaches_the_viewer(open_page, dialogue, personas):
    viewer = open_page()
    viewer.goto(reverse("dialogues:detail", args=[dialogue.pk]))
    live(viewer)
    not_reloaded(viewer)
    assert viewer.locator("[data-stream]").is_hidden()
    host = open_page(personas["leader"])
    host.goto(reverse("dialogues:host", args=[dialogue.pk]))
    host.locator(".dlg-reschedule summary").click()
    host.fill("#id_re_stream_url", "https://video.example.org/truc-tiep")
    with host.expect_navigation():
        host.locator("form[action$='/reschedule/'] button").click()
    expect(viewer.locator("[data-stream]")).to_be_visible()
    assert viewer.locator("[data-stream-link]").get_attribute("href") == "https://video.example.org/truc-tiep"
    assert viewer.evaluate("window.notReloaded") is True


def test_the_moderator_sees_new_questions_arrive_and_works_with_the_keyboard(open_page, dialogue, personas):
    RestrictedWords.objects.create(dialogue=dialogue, words="lừa đảo")
    moderator = open_page(personas["moderator"])
    moderator.goto(reverse("dialogues:moderate", args=[dialogue.pk]))
    live(moderator)
    not_reloaded(moderator)
    expect(moderator.locator("[data-count=pending]")).to_have_text("0")

    fresh = question_ask(dialogue=dialogue, asker_name="Anh Tùng", text="Bao giờ sửa đường Giải Phóng?")
    expect(moderator.locator(f"#q-{fresh.pk}")).to_be_visible()
    expect(moderator.locator("[data-count=pending]")).to_have_text("1")
    held = question_ask(dialogue=dialogue, asker_name="Ẩn danh", text="Cán bộ phường LỪA ĐẢO dân?")
    expect(moderator.locator(f"#q-{held.pk}")).to_be_visible()
    expect(moderator.locator("[data-count=held]")).to_have_text("1")
    assert moderator.evaluate("window.notReloaded") is True
    screenshot(moderator, "dialogue-moderate-live")

    # Keyboard: J to the first question in hand (the held one comes first), J again, A approves it.
    moderator.keyboard.press("j")
    moderator.keyboard.press("j")
    expect(moderator.locator(f"#q-{fresh.pk}")).to_be_focused()
    with moderator.expect_navigation():
        moderator.keyboard.press("a")
    assert DialogueQuestion.objects.get(pk=fresh.pk).status == QuestionStatus.APPROVED


def test_a_posted_answer_marks_the_question_answered_and_it_does_not_become_a_case(open_page, dialogue, personas):
    question = dialogue.questions.order_by("id").first()
    viewer = open_page()
    viewer.goto(reverse("dialogues:detail", args=[dialogue.pk]))
    live(viewer)
    not_reloaded(viewer)
    host = open_page(personas["leader"])
    host.goto(reverse("dialogues:host", args=[dialogue.pk]))
    item = host.locator(f"#q-{question.pk}")
    item.locator("textarea[name=text]").fill("Quý III năm nay.")
    with host.expect_navigation():
        item.locator("form[action$='/act/answer/'] button").click()
    expect(viewer.locator(f"#q-{question.pk} [data-answered]")).to_be_visible()
    with host.expect_navigation():
        host.locator("form[action$='/advance/'] button").click()
    confirmation = host.locator("#end-confirmation")
    assert question.text not in confirmation.inner_text()
    with host.expect_navigation():
        confirmation.locator("button[type=submit]").click()
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.case_id is None
    assert Case.objects.count() == 1  # the other approved question, not answered on air
    assert viewer.evaluate("window.notReloaded") is True


def test_reconnect_waits_are_fully_jittered_and_capped(open_page, dialogue):
    page = open_page()
    page.goto(reverse("dialogues:detail", args=[dialogue.pk]))
    waits = page.evaluate(
        """async () => {
            const { reconnectDelay, CAP_MS } = await import("/static/js/dialogue-backoff.js");
            const waits = [];
            for (let attempt = 0; attempt < 40; attempt++) {
                for (let i = 0; i < 50; i++) waits.push([attempt, reconnectDelay(attempt), CAP_MS]);
            }
            return waits;
        }"""
    )
    cap = waits[0][2]
    assert all(0 <= wait < min(cap, 500 * 2**attempt) for attempt, wait, _ in waits)
    late = [wait for attempt, wait, _ in waits if attempt >= 10]
    # Spread over the whole window, not bunched at its top: some pages come back at once, some near the cap.
    assert min(late) < cap * 0.1 and max(late) > cap * 0.9


def test_a_server_restart_loses_nothing_for_an_open_page(open_page, dialogue, personas, db):
    question = dialogue.questions.order_by("id").first()
    viewer = open_page()
    viewer.goto(reverse("dialogues:detail", args=[dialogue.pk]))
    live(viewer)
    not_reloaded(viewer)
    port = int(viewer.url.split(":")[2].split("/")[0])
    process = _servers[port]
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    viewer.locator("#dialogue-room[data-connected='']").wait_for(state="attached")
    # Said while the page was away: stored, so resumed with since= once the server is back.
    from caunoi.dialogues.services import answer_publish

    answer_publish(
        dialogue_id=dialogue.pk, question_id=question.pk, text="Đã trả lời khi mất kết nối.", by=personas["leader"]
    )
    _servers[port] = start_asgi_server(port, database_name=connection.settings_dict["NAME"])
    expect(viewer.locator(f"#q-{question.pk} [data-answers] li")).to_have_count(1, timeout=20_000)
    expect(viewer.locator(f"#q-{question.pk} [data-answered]")).to_be_visible()
    assert viewer.evaluate("window.notReloaded") is True

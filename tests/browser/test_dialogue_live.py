"""The live room in a real browser: a host answers on the host page and a viewer's page in Chromium shows the
answer without reloading. Pages are served by a real uvicorn process (HTTP and websockets) on the test
database; axe finds nothing serious; screenshots at desktop and phone width when SCREENSHOT_DIR is set."""

from __future__ import annotations

import signal

import pytest
from caunoi.core.redis_client import redis_client
from caunoi.dialogues.services import question_approve, question_ask
from caunoi.dialogues.testing import free_port, make_dialogue, session_cookie, start_asgi_server
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(db):
    redis_client().flushdb()
    port = free_port()
    process = start_asgi_server(port, database_name=connection.settings_dict["NAME"])
    yield f"http://127.0.0.1:{port}"
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

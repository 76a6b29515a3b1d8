"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import DESKTOP

# Playwright's sync API runs an event loop in the test's thread; Django's ORM calls from the test body are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Component sites are told apart by host name (test_component_sites.py): every *.test name reaches the live
# server. The reserved .test domain is never a real site, so no other test can be affected.
CHROMIUM_FLAGS.append("--host-resolver-rules=MAP *.test 127.0.0.1")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    # Every page runs under the content security policy: anything it blocks (an inline script or style,
    # a resource from elsewhere) is a bug in the page, reported by Chromium on the console.
    blocked: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", watch)
    yield page
    context.close()
    assert blocked == [], f"blocked by the content security policy: {blocked}"

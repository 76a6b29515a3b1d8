"""Publishing in a real browser: a moderator reviews an answered case, hides one more phrase and publishes;
a visitor searches without diacritics, finds the item and opens it; the submit form shows it as a similar
question while the citizen types. Every page is checked with axe and photographed at desktop and phone."""

from __future__ import annotations

import pytest
from caunoi.publication.models import PublishedItem, Status
from django.urls import reverse

from tests.support.browser import DESKTOP, screenshot, serious_accessibility_violations
from tests.support.publication import answered_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_page():
        context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def check(page, name: str) -> None:
    assert serious_accessibility_violations(page) == [], name
    screenshot(page, f"publication-{name}")


def test_moderator_publishes_and_a_visitor_finds_it_without_diacritics(open_page, personas):
    item = PublishedItem.objects.get(case=answered_case(personas))
    review_url = reverse("publication:review-item", args=[item.pk])

    moderator = open_page()
    moderator.goto(review_url)
    moderator.wait_for_url("**/accounts/login/**")
    moderator.fill("input[name=username]", "moderator")
    moderator.fill("input[name=password]", PASSWORD)
    with moderator.expect_navigation():
        moderator.click("main form[action='/accounts/login/'] button[type=submit]")
    moderator.wait_for_url(f"**{review_url}")
    public_column = moderator.locator("[data-public-question]")
    assert "0912 345 678" not in public_column.inner_text()
    assert "0912 345 678" in moderator.locator("#original-heading + h3 + h4 + .body-text").inner_text()
    check(moderator, "review")

    moderator.fill("#id_phrase", "năm 1990")
    with moderator.expect_navigation():
        moderator.click("form[action$='/redact/'] button[type=submit]")
    assert "năm 1990" not in moderator.locator("[data-public-question]").inner_text()
    with moderator.expect_navigation():
        moderator.click("form[action$='/publish/'] button[type=submit]")
    assert moderator.locator(".message--success").count() == 1
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED

    visitor = open_page()
    visitor.goto("/")
    check(visitor, "home")
    visitor.fill("#id_home_q", "thu tuc cap so do")
    with visitor.expect_navigation():
        visitor.click("form[role=search] button[type=submit]")
    check(visitor, "search")
    result = visitor.locator(".pub-card__title a").first
    assert result.inner_text() == item.title
    assert visitor.locator(".pub-card mark").count() >= 1
    with visitor.expect_navigation():
        result.click()
    assert visitor.locator("h1").inner_text().endswith(item.title)
    body = visitor.locator("main").inner_text()
    assert "0912 345 678" not in body and "Nguyễn Văn An" not in body and "năm 1990" not in body
    check(visitor, "item")

    visitor.goto(reverse("publication:agency", args=[item.agency.code]))
    assert visitor.locator(".pub-card__title a").first.inner_text() == item.title
    check(visitor, "agency")

    visitor.goto(reverse("cases:submit"))
    visitor.fill("#id_title", "Thủ tục cấp sổ đỏ")
    visitor.locator(".similar__list a").first.wait_for()
    assert visitor.locator(".similar__list a").first.inner_text() == item.title
    check(visitor, "submit-similar")


def test_moderator_hides_one_occurrence_of_a_common_word_and_corrects_privately(open_page, personas):
    item = PublishedItem.objects.get(case=answered_case(personas))
    review_url = reverse("publication:review-item", args=[item.pk])
    moderator = open_page()
    moderator.goto(review_url)
    moderator.wait_for_url("**/accounts/login/**")
    moderator.fill("input[name=username]", "moderator")
    moderator.fill("input[name=password]", PASSWORD)
    with moderator.expect_navigation():
        moderator.click("main form[action='/accounts/login/'] button[type=submit]")
    moderator.wait_for_url(f"**{review_url}")

    # "đất" appears several times (and in "Luật Đất đai"): refused beside the field, what was typed kept.
    moderator.fill("#id_phrase", "đất")
    with moderator.expect_navigation():
        moderator.click("form[action$='/redact/'] button[type=submit]")
    assert moderator.locator("#error-summary").count() == 1
    assert moderator.locator("#id_phrase-error").count() == 1
    assert moderator.locator("#id_phrase").input_value() == "đất"
    check(moderator, "review-ambiguous")
    moderator.select_option("#id_redaction_field", "question")
    moderator.fill("#id_redaction_occurrence", "1")
    with moderator.expect_navigation():
        moderator.click("form[action$='/redact/'] button[type=submit]")
    assert moderator.locator(".message--success").count() == 1
    assert "Luật Đất đai" in moderator.locator("[data-public-answer]").inner_text()

    with moderator.expect_navigation():
        moderator.click("form[action$='/publish/'] button[type=submit]")
    check(moderator, "review-published")
    moderator.fill("#id_hide_phrase", "một cửa")
    moderator.fill("#id_hide_reason", "Chỉ rõ nơi làm việc của người dân")
    with moderator.expect_navigation():
        moderator.click("form[action$='/hide-published/'] button[type=submit]")
    assert moderator.locator(".message--success").count() == 1
    item.refresh_from_db()
    assert "một cửa" not in item.answer and item.status == Status.PUBLISHED

    visitor = open_page()
    visitor.goto(reverse("publication:item", args=[item.slug]))
    body = visitor.locator("main").inner_text()
    assert "một cửa" not in body and "Chỉ rõ nơi làm việc" not in body

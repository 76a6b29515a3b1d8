"""In Chromium: an official's answer survives the leader transferring the case while it is being written, and
a staff action refused for bad input keeps its reason beside the message, its fold open."""

from __future__ import annotations

from pathlib import Path

import pytest
from caunoi.agencies.models import Agency
from caunoi.cases.models import AnswerVersion
from caunoi.cases.services import case_claim, case_transfer
from django.urls import reverse

from tests.support.browser import DESKTOP, PHONE, screenshot, serious_accessibility_violations
from tests.support.cases import submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
ANSWER = (
    "Kính gửi bà Hạnh, theo Điều 137 Luật Đất đai 2024, hộ gia đình sử dụng đất ổn định từ trước năm 1993 được "
    "cấp giấy chứng nhận lần đầu; hồ sơ nộp tại Bộ phận một cửa của phường. "
) * 20


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"**{next_url}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_draft_survives_a_transfer(page, personas, reference_data, viewport):
    page.set_viewport_size(viewport)
    page.set_default_timeout(10_000)
    case, _ = submit_case()
    case_claim(case=case, by=personas["official_a"])
    log_in(page, "official-a", reverse("cases:staff-case", args=[case.id]))

    # Autosave: a pause in typing keeps the text on the server, and the status line says when.
    page.locator("form[data-autosave-url]").evaluate("form => form.dataset.autosaveDelay = '200'")
    page.fill("#action-draft-body", "Kính gửi bà Hạnh,")
    page.locator("[data-autosave-status]").filter(has_text="Đã lưu lúc").wait_for()
    assert AnswerVersion.objects.get(case=case).body == "Kính gửi bà Hạnh,"

    # The leader transfers the case while the official goes on writing (3,000+ characters).
    case_transfer(
        case=case, by=personas["leader"], to_agency=Agency.objects.get(code="BO-GDDT"), reason="Sai thẩm quyền."
    )
    page.fill("#action-draft-body", ANSWER)
    page.locator("[data-autosave-status]").filter(has_text="Bộ Giáo dục và Đào tạo").wait_for()

    # Saving gives the text back with what changed, never a 404.
    with page.expect_navigation() as navigation:
        page.locator("form[data-autosave-url] button[type=submit]").click()
    assert navigation.value.status == 409
    assert page.input_value("#draft-rescue-text") == ANSWER
    assert "Bộ Giáo dục và Đào tạo" in page.inner_text("#what-changed")
    assert serious_accessibility_violations(page) == []
    screenshot(page, f"draft-rescue-{'phone' if viewport == PHONE else 'desktop'}")

    # Downloading it keeps every character.
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải về dưới dạng tệp văn bản").click()
    assert Path(download.value.path()).read_text(encoding="utf-8") == ANSWER


def test_autosave_keeps_the_version_named_for_review_current(page, personas, reference_data):
    case, _ = submit_case()
    case_claim(case=case, by=personas["official_a"])
    log_in(page, "official-a", reverse("cases:staff-case", args=[case.id]))
    page.locator("form[data-autosave-url]").evaluate("form => form.dataset.autosaveDelay = '200'")
    page.fill("#action-draft-body", "Bản nháp thứ nhất.")
    with page.expect_navigation():
        page.locator("form[data-autosave-url] button[type=submit]").click()  # saved as version 1
    page.locator("form[data-autosave-url]").evaluate("form => form.dataset.autosaveDelay = '200'")
    page.fill("#action-draft-body", "Bản nháp thứ hai, đầy đủ hơn.")
    page.locator("[data-autosave-status]").filter(has_text="phiên bản 2").wait_for()
    assert "phiên bản 2" in page.locator("form[action$='/submit_for_review/'] button").inner_text().lower()


def test_an_action_refused_keeps_the_reason_with_its_fold_open(page, personas, reference_data):
    case, _ = submit_case()
    log_in(page, "leader", reverse("cases:staff-case", args=[case.id]))
    page.click("#action-extend summary")
    page.fill("#action-extend-days", "0")
    page.fill("#action-extend-reason", "Cần xác minh thực địa.")
    with page.expect_navigation() as navigation:
        page.click("#action-extend button[type=submit]")
    assert navigation.value.status == 400
    assert page.locator("#action-extend").get_attribute("open") is not None
    assert page.input_value("#action-extend-reason") == "Cần xác minh thực địa."
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "1 đến 30" in page.inner_text("#action-extend-days-error")
    page.click("#error-summary a")
    assert page.evaluate("document.activeElement.id") == "action-extend-days"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "staff-action-sent-back")

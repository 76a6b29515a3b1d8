"""In Chromium, at desktop and phone widths: the long fields count characters as one types (GOV.UK's character
count) without ever cutting a pasted text; a reply over the limit comes back with its message beside the field
and the text kept; a reply carries the documents the agency asked for."""

import pytest
from caunoi.cases.models import Attachment
from caunoi.cases.services import case_claim, case_request_info
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, screenshot, serious_accessibility_violations
from tests.support.cases import submit_case
from tests.support.files import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_submit_form_counts_and_keeps_a_pasted_text(page, reference_data, viewport):
    page.set_viewport_size(viewport)
    page.goto("/submit/")
    message = page.locator("#id_body ~ .character-count__message")
    expect(message).to_have_text("Bạn còn 10.000 ký tự")
    page.fill("#id_body", "Nội dung. " * 1400)  # 14,000 characters, as if pasted
    assert len(page.input_value("#id_body")) == 14_000  # nothing cut by the browser
    expect(message).to_have_text("Bạn đã vượt quá 4.000 ký tự")
    assert serious_accessibility_violations(page) == []
    screenshot(page, f"submit-character-count-{viewport['width']}")

    page.fill("#id_title", "Hỏi về đất đai")
    page.select_option("#id_category", "dat-dai")
    page.fill("#id_name", "Vũ Thị Mai")
    page.click("main button[type=submit]")
    expect(page.locator("#id_body-error")).to_contain_text("10.000")
    assert len(page.input_value("#id_body")) == 14_000  # kept exactly as typed


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_reply_keeps_its_text_then_goes_with_a_file(page, personas, reference_data, tmp_path, viewport):
    page.set_viewport_size(viewport)
    case, token = submit_case()
    case_claim(case=case, by=personas["official_a"])
    case_request_info(case=case, by=personas["official_a"], message="Xin gửi bản sao sổ đỏ.")
    page.goto(f"/track/?code={case.tracking_code}#token={token}")
    page.wait_for_url(f"**/track/{case.tracking_code}/")

    too_long = "Tôi xin gửi. " * 800  # 10,400 characters
    page.fill("#id_reply_body", too_long)
    expect(page.locator("#id_reply_body ~ .character-count__message")).to_have_text("Bạn đã vượt quá 400 ký tự")
    page.click(".reply-box button[type=submit]")
    expect(page.locator("#id_reply_body-error")).to_contain_text("10.000")
    expect(page.locator("#error-summary")).to_be_focused(timeout=5000)
    assert page.input_value("#id_reply_body") == too_long
    assert serious_accessibility_violations(page) == []
    screenshot(page, f"track-reply-error-{viewport['width']}")

    document = tmp_path / "so-do.pdf"
    document.write_bytes(pdf_bytes())
    page.fill("#id_reply_body", "Tôi gửi kèm bản sao sổ đỏ.")
    page.set_input_files("#id_reply_attachments", str(document))
    page.click(".reply-box button[type=submit]")
    expect(page.locator(".conversation a", has_text="so-do.pdf")).to_be_visible()
    assert Attachment.objects.filter(case=case, message__isnull=False).count() == 1
    assert serious_accessibility_violations(page) == []
    screenshot(page, f"track-replied-with-file-{viewport['width']}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_empty_tracking_form_says_what_is_missing(page, reference_data, viewport):
    page.set_viewport_size(viewport)
    page.goto("/track/")
    page.click("main form button[type=submit]")
    expect(page.locator("#id_code-error")).to_be_visible()
    expect(page.locator("#id_token-error")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused(timeout=5000)
    assert serious_accessibility_violations(page) == []
    screenshot(page, f"track-empty-{viewport['width']}")

"""In a real browser: a citizen opens their bookmarked link (the access code only in the fragment), finds their
rights on the track page, withdraws consent, downloads their data and asks for deletion; an official carries
the request out from the deletion queue."""

import json
from pathlib import Path

import pytest
from caunoi.cases.models import Case
from playwright.sync_api import expect

from tests.support.browser import screenshot, serious_accessibility_violations
from tests.support.cases import submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rights_on_the_track_page_and_the_deletion_queue(page, personas, reference_data):
    case, token = submit_case(phone="0912345678")
    Case.objects.filter(pk=case.pk).update(consent_to_publish=True)
    page.goto(f"/track/?code={case.tracking_code}#token={token}")
    page.wait_for_url(f"**/track/{case.tracking_code}/")
    assert token not in page.url
    assert page.locator("#rights-heading").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "track-rights")

    with page.expect_download() as download:
        page.click("text=Tải xuống dữ liệu của tôi")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["contact"]["phone"] == "0912345678"

    page.click("text=Rút lại đồng ý công khai")
    expect(page.locator(".messages, [role=status], .notice").first).to_be_visible()
    assert not Case.objects.get(pk=case.pk).consent_to_publish

    page.click("text=Yêu cầu xóa dữ liệu của tôi")
    page.wait_for_load_state()
    assert "Đã nhận yêu cầu xóa dữ liệu cá nhân của bạn" in page.content()
    screenshot(page, "track-rights-requested")

    staff = page.context.browser.new_context(base_url=page.url.split("/track")[0], locale="vi-VN").new_page()
    staff.goto("/accounts/login/?next=/staff/erasure-requests/")
    staff.fill("input[name=username]", "official-a")
    staff.fill("input[name=password]", "correct horse 42")
    staff.click("main button[type=submit]")
    staff.wait_for_url("**/staff/erasure-requests/")
    assert case.tracking_code in staff.locator("main table").inner_text()
    assert serious_accessibility_violations(staff) == []
    screenshot(staff, "erasure-queue")
    staff.click("main table button[type=submit]")
    staff.wait_for_url("**/staff/erasure-requests/")
    assert Case.objects.get(pk=case.pk).anonymised_at is not None
    staff.context.close()

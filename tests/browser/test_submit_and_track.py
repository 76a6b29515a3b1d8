"""A citizen submits the form in a real browser, gets a tracking code, and follows the case."""

import re

import pytest
from caunoi.cases.models import Case
from playwright.sync_api import expect

from tests.support.browser import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_the_form_and_track_the_case(page, reference_data):
    page.goto("/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "home")

    page.goto("/submit/?kind=feedback")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "submit")

    # First a mistake: the page must say what is wrong, next to the field, and keep what was typed.
    page.fill("#id_body", "Đèn đường ở ngõ 12 phố Lý Thái Tổ bị hỏng hơn một tháng nay, buổi tối rất tối.")
    page.click("main button[type=submit]")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    # error-summary.js moves focus there once it has loaded (a module: after the page is parsed).
    # expect() polls from outside the page: a string predicate would be eval'd inside it, which our CSP refuses.
    expect(summary).to_be_focused(timeout=5000)
    assert page.locator("#id_title-error").is_visible()
    assert "Lý Thái Tổ" in page.input_value("#id_body")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "submit-errors")

    page.fill("#id_title", "Đèn đường hỏng ở ngõ 12 Lý Thái Tổ")
    page.select_option("#id_category", "xay-dung")
    page.select_option("#id_province", "tinh-01")
    page.fill("#id_name", "Vũ Thị Mai")
    page.fill("#id_phone", "0987 654 321")
    page.click("main button[type=submit]")

    page.wait_for_url("**/submit/done/")
    case = Case.objects.get()
    assert case.tracking_code in page.content()
    assert case.agency.code == "SO-XD-HN"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "submit-done")

    link = page.locator("a[href*='#token=']").first.get_attribute("href")
    assert re.search(r"/track/\?code=[A-Z]{2}-\d{4}-\d{6}#token=", link)  # the secret only in the fragment

    # Another browser (no session) opens the bookmarked link and sees the case.
    other = page.context.browser.new_context(base_url=page.url.split("/submit")[0], locale="vi-VN")
    track = other.new_page()
    track.goto(link)
    track.wait_for_url(f"**/track/{case.tracking_code}/")
    assert "Đèn đường hỏng ở ngõ 12 Lý Thái Tổ" in track.content()
    assert "Sở Xây dựng Hà Nội" in track.content()
    assert serious_accessibility_violations(track) == []
    screenshot(track, "track-detail")
    other.close()


def test_track_form_refuses_a_wrong_access_code(page, reference_data):
    page.goto("/track/")
    screenshot(page, "track")
    page.fill("#id_code", "HD-2026-000001")
    page.fill("#id_token", "doan-bua")
    page.click("main button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    assert serious_accessibility_violations(page) == []


def test_switching_to_english(page, reference_data):
    page.goto("/submit/")
    page.select_option("select[name=language]", "en")
    page.locator("form[action='/i18n/setlang/'] button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Send" in page.content()


def test_an_official_logs_in_and_reads_why_here_and_the_due_date(page, personas, reference_data):
    from caunoi.agencies.models import Category
    from caunoi.cases.services import Contact, case_submit

    submitted = case_submit(
        kind="question",
        title="Hỏi về cấp sổ đỏ lần đầu",
        body="Gia đình tôi sử dụng đất ổn định từ năm 1990, xin hỏi thủ tục cấp giấy chứng nhận.",
        category=Category.objects.get(slug="dat-dai"),
        area=reference_data["areas"]["xa-00070"],
        channel="web",
        contact=Contact(name="Hoàng Văn Tư", phone="0912345678"),
    )
    page.goto(f"/staff/cases/{submitted.case.id}/")
    page.wait_for_url("**/accounts/login/**")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "login")
    page.fill("input[name=username]", "official-a")
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/staff/cases/{submitted.case.id}/")
    html = page.content()
    assert "hanoi-land" in html
    assert "Nghị định 43/2011" in html
    assert serious_accessibility_violations(page) == []
    screenshot(page, "staff-case")

"""In Chromium, at desktop and phone widths: a citizen chooses the province, then a ward of it, with JavaScript
(the list follows the province at once) and without (the form's own "show" step); the case is about the ward."""

import pytest
from caunoi.cases.models import Case
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page):
    page.check("#id_kind_feedback")
    page.fill("#id_title", "Đèn đường hỏng ở ngõ 12")
    page.fill("#id_body", "Đèn đường ở ngõ 12 phố Hàng Bài bị hỏng hơn một tháng nay.")
    page.select_option("#id_category", "xay-dung")
    page.fill("#id_name", "Vũ Thị Mai")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_ward_chosen_with_javascript(page, reference_data, viewport):
    page.set_viewport_size(viewport)
    page.goto("/submit/")
    expect(page.locator("#id_commune")).to_be_hidden()
    assert page.locator("[data-show-communes]").count() == 0  # the script does its work
    _fill(page)
    page.select_option("#id_province", "tinh-01")
    expect(page.locator("#id_commune")).to_be_visible()
    page.select_option("#id_commune", label="Phường Hoàn Kiếm")
    assert serious_accessibility_violations(page) == []
    screenshot(page, f"submit-commune-{viewport['width']}")
    page.click("main form button[type=submit]:not([data-show-communes]) >> nth=-1")
    page.wait_for_url("**/submit/done/")
    assert Case.objects.get().area.code == "xa-00070"


def test_a_ward_chosen_without_javascript(browser, live_server, reference_data):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto("/submit/")
    _fill(page)
    page.select_option("#id_province", "tinh-01")
    page.click("[data-show-communes]")
    expect(page.locator("#id_commune")).to_be_visible()
    assert page.input_value("#id_title") == "Đèn đường hỏng ở ngõ 12"  # nothing typed was lost
    page.select_option("#id_commune", "xa-00004")
    page.click("main form button[type=submit]:not([data-show-communes]) >> nth=-1")
    page.wait_for_url("**/submit/done/")
    assert Case.objects.get().area.code == "xa-00004"
    context.close()

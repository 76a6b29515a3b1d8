"""In Chromium: Back, then Send again, shows the first case's confirmation and stores no second case; the access
code shown on the confirmation is not shown again on a reload."""

import pytest
from caunoi.cases.models import Case
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page):
    page.check("#id_kind")
    page.fill("#id_title", "Đèn đường hỏng ở ngõ 12")
    page.fill("#id_body", "Đèn đường ở ngõ 12 phố Lý Thái Tổ bị hỏng hơn một tháng nay.")
    page.select_option("#id_category", "xay-dung")
    page.fill("#id_name", "Vũ Thị Mai")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_back_and_send_again_stores_one_case(page, reference_data, viewport):
    page.set_viewport_size(viewport)
    page.goto("/submit/")
    _fill(page)
    page.click("main button[type=submit]")
    page.wait_for_url("**/submit/done/")
    case = Case.objects.get()
    expect(page.locator("#tracking-code")).to_have_text(case.tracking_code)
    expect(page.locator("#access-code")).to_be_visible()

    page.go_back()
    page.wait_for_url("**/submit/")
    if not page.input_value("#id_title"):  # a browser that did not restore the form: the citizen types again
        _fill(page)
    page.click("main button[type=submit]")
    page.wait_for_url("**/submit/done/")
    assert Case.objects.count() == 1
    expect(page.locator("#tracking-code")).to_have_text(case.tracking_code)
    screenshot(page, f"submit-done-again-{viewport['width']}")


def test_the_access_code_is_not_shown_on_a_reload(page, reference_data):
    page.goto("/submit/")
    _fill(page)
    page.click("main button[type=submit]")
    page.wait_for_url("**/submit/done/")
    secret = page.locator("#access-code").inner_text()
    assert secret
    page.reload()
    expect(page.locator("#tracking-code")).to_have_text(Case.objects.get().tracking_code)
    assert page.locator("#access-code").count() == 0
    assert secret not in page.content()

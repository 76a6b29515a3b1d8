"""A citizen opens an account in a real browser, sends a request while logged in, and finds it on "My
requests" without its access code."""

import pytest
from caunoi.accounts.models import User
from caunoi.cases.models import Case
from playwright.sync_api import expect

from tests.support.browser import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_send_and_find_the_request(page, reference_data):
    page.goto("/accounts/login/?next=/submit/")
    page.click("text=Tạo tài khoản")
    page.wait_for_url("**/accounts/register/?next=/submit/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "register")

    # A mistake first: the page says what is wrong beside each field and keeps what was typed.
    page.fill("#id_full_name", "Phạm Minh Châu")
    page.fill("#id_email", "chau@example")
    page.fill("#id_password1", "12345678")
    page.fill("#id_password2", "12345678")
    page.click("main button[type=submit]")
    expect(page.locator("#error-summary")).to_be_focused(timeout=5000)
    assert page.locator("#id_email-error").is_visible() and page.locator("#id_password1-error").is_visible()
    assert page.input_value("#id_full_name") == "Phạm Minh Châu"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "register-errors")
    assert not User.objects.exists()

    page.fill("#id_email", "chau.pham@example.org")
    page.fill("#id_password1", "hoa sen nở 2026")
    page.fill("#id_password2", "hoa sen nở 2026")
    page.click("main button[type=submit]")

    # On to the form it came from, with the account's name and address filled in.
    page.wait_for_url("**/submit/")
    assert page.input_value("#id_name") == "Phạm Minh Châu"
    assert page.input_value("#id_email") == "chau.pham@example.org"
    page.check("input[name=kind][value=question]")
    page.fill("#id_title", "Hỏi về thủ tục cấp sổ đỏ lần đầu")
    page.fill("#id_body", "Gia đình tôi sử dụng đất ổn định từ năm 1995, xin hỏi thủ tục cấp giấy chứng nhận.")
    page.select_option("#id_category", "dat-dai")
    page.select_option("#id_province", "tinh-01")
    page.click("main button[type=submit]")
    page.wait_for_url("**/submit/done/")
    case = Case.objects.get()
    assert case.submitter == User.objects.get(username="chau.pham@example.org")

    # The confirmation points to the account's list too; the list opens it without its codes.
    page.locator("main a[href='/my-cases/']").click()
    page.wait_for_url("**/my-cases/")
    row = page.locator("tbody tr", has_text=case.tracking_code)
    expect(row).to_contain_text("Hỏi về thủ tục cấp sổ đỏ lần đầu")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "my-cases")

    # The owner opens it without the access code, in a fresh session of the same account.
    page.context.clear_cookies()
    page.goto("/accounts/login/?next=/my-cases/")
    page.fill("#id_username", "Chau.Pham@example.org")
    page.fill("#id_password", "hoa sen nở 2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/my-cases/")
    page.click(f"text={case.tracking_code}")
    page.wait_for_url(f"**/track/{case.tracking_code}/")
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in page.content()

    page.goto("/my-cases/")
    page.click("text=Đổi mật khẩu")
    page.wait_for_url("**/accounts/password/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "password-change")


def test_ask_for_a_new_password(page, reference_data):
    page.goto("/accounts/login/")
    page.click("text=Quên mật khẩu?")
    page.wait_for_url("**/accounts/password-reset/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "password-reset")
    page.fill("#id_email", "ai-do@example.org")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/password-reset/sent/")
    expect(page.locator("h1")).to_have_text("Kiểm tra hộp thư")
    assert serious_accessibility_violations(page) == []

"""An official turns on two-factor login with an authenticator app, is shown recovery codes once, then logs in
with password and code."""

import pytest
from caunoi.accounts import two_factor
from django_otp.oath import totp

from tests.support.browser import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse 42")
    page.click("button[type=submit]:has-text('Đăng nhập')")


def test_turn_on_then_log_in_with_a_code(page, personas, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    official = personas["official_a"]
    log_in(page, official.username)
    page.goto("/accounts/two-factor/")
    assert page.locator("img.qr").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "two-factor-setup")

    page.fill("#id_otp_code", code_for(two_factor.pending_device(official)))
    page.click("form:has(#id_otp_code) button[type=submit]")
    assert page.locator(".recovery-codes li").count() == 10  # shown this once
    assert serious_accessibility_violations(page) == []
    screenshot(page, "two-factor-recovery-codes")
    page.click("a.button")
    assert page.locator(".callout").first.is_visible()
    screenshot(page, "two-factor-on")

    page.click("button:has-text('Đăng xuất')")
    log_in(page, official.username)
    page.wait_for_url("**/accounts/login/code/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "two-factor-code")
    device = two_factor.confirmed_device(official)
    device.last_t = -1  # the code used to confirm is still the current one
    device.save()
    page.fill("#id_otp_code", code_for(device))
    page.click("button[type=submit]")
    page.goto("/staff/queue/")
    assert page.url.endswith("/staff/queue/")


def test_the_devices_and_email_pages(page, personas):
    from caunoi.accounts.tokens import api_token_issue

    official = personas["official_a"]
    api_token_issue(user=official, device="Máy tính văn phòng")
    log_in(page, official.username)
    page.goto("/accounts/devices/")
    assert page.get_by_role("cell", name="Máy tính văn phòng", exact=True).is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "api-devices")
    page.click("button:has-text('Thu hồi')")
    assert page.get_by_role("cell", name="Máy tính văn phòng", exact=True).count() == 0

    page.goto("/accounts/email/")
    page.fill("#id_email", "moi@example.vn")
    page.fill("#id_confirm", "wrong")
    page.click("button[type=submit]:has-text('Lưu')")
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#id_email") == "moi@example.vn"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "email-change-error")

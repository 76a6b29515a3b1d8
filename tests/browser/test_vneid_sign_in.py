"""A citizen logs in through a real OpenID Connect provider on loopback in Chromium: our login page's
button, the provider's own page, back to the portal logged in; a request sent then carries the identity
level for staff. A refusal at the provider and a stale callback end on a clear page."""

from __future__ import annotations

import pytest
from caunoi.accounts.models import ExternalIdentity, Role, User
from caunoi.accounts.sso import client as sso_client
from caunoi.agencies.models import Membership
from caunoi.cases.models import Case
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, screenshot, serious_accessibility_violations
from tests.support.oidc_provider import loopback_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(settings):
    with loopback_provider() as provider:
        settings.OIDC_ISSUER = provider.issuer
        settings.OIDC_CLIENT_ID = "cau-noi"
        settings.OIDC_CLIENT_SECRET = "secret"
        settings.OIDC_PROVIDER_NAME = "VNeID"
        sso_client._clients.clear()
        yield provider
    sso_client._clients.clear()


def test_log_in_with_vneid_and_send_a_request(page, live_server, provider, reference_data):
    provider.set_user("079190000001", {"name": "Đỗ Thị Mai", "acr": "2"})
    page.goto("/accounts/login/?next=/submit/")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "sso-login-vi")
    page.click("text=Đăng nhập bằng VNeID")

    # The provider's own page: the person identifies themselves there and allows the portal.
    page.wait_for_url(f"{provider.issuer}/oauth2/authorize?*")
    page.fill("input[name=sub]", "079190000001")
    page.click("button:has-text('Authorize')")

    page.wait_for_url("**/submit/")
    assert page.input_value("#id_name") == "Đỗ Thị Mai"
    link = ExternalIdentity.objects.get(subject="079190000001")
    assert link.last_level == 2
    page.check("input[name=kind][value=question]")
    page.fill("#id_title", "Hỏi về thủ tục cấp sổ đỏ lần đầu")
    page.fill("#id_body", "Gia đình tôi sử dụng đất ổn định từ năm 1995, xin hỏi thủ tục cấp giấy chứng nhận.")
    page.select_option("#id_category", "dat-dai")
    page.select_option("#id_province", "tinh-01")
    page.fill("#id_phone", "0912345678")
    page.click("main button[type=submit]")
    page.wait_for_url("**/submit/done/")
    case = Case.objects.get()
    assert case.submitter == link.user
    assert (case.identity_provider, case.identity_level) == ("VNeID", 2)

    # The account's page of linked identities, reached from "My requests".
    page.goto("/my-cases/")
    page.click("main >> text=Đăng nhập một lần")
    page.wait_for_url("**/accounts/sso/")
    expect(page.locator("tbody tr")).to_contain_text("Mức 2")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "sso-identities-vi")

    # Staff handling the case see how surely the citizen was identified.
    official = User.objects.create_user(username="can-bo", password="mật khẩu cán bộ 1", role=Role.OFFICIAL)
    Membership.objects.create(user=official, agency=case.agency)
    # Logging out here offers to end the VNeID session too (a shared computer at a commune office).
    page.click("button:has-text('Đăng xuất')")
    expect(page.locator("h1")).to_have_text("Bạn đã đăng xuất")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "sso-logged-out-vi")
    page.click("text=Đăng xuất khỏi cả VNeID")
    page.wait_for_url(f"{provider.issuer}/oauth2/end_session?*")
    page.click("button:has-text('End session')")
    page.wait_for_url(live_server.url + "/")

    page.goto(f"/accounts/login/?next=/staff/cases/{case.pk}/")
    page.fill("#id_username", "can-bo")
    page.fill("#id_password", "mật khẩu cán bộ 1")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/staff/cases/{case.pk}/")
    expect(page.locator("[data-identity]")).to_have_text("Đăng nhập bằng VNeID, mức định danh 2")
    screenshot(page, "sso-staff-case-vi")


def test_a_refusal_at_the_provider_and_a_stale_return_get_a_clear_page(page, provider, reference_data):
    page.goto("/accounts/login/")
    page.click("text=Đăng nhập bằng VNeID")
    page.wait_for_url(f"{provider.issuer}/oauth2/authorize?*")
    page.click("button:has-text('Deny')")
    page.wait_for_url("**/accounts/sso/settings/callback/?*")
    expect(page.locator("h1")).to_have_text("Đã hủy đăng nhập bằng VNeID")
    assert serious_accessibility_violations(page) == []

    page.goto("/accounts/sso/settings/callback/?code=old&state=used-already")
    expect(page.locator("h1")).to_have_text("Lượt đăng nhập này đã hết hạn")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "sso-error-vi")
    page.click("text=Quay lại trang đăng nhập")
    page.wait_for_url("**/accounts/login/")


def test_the_pages_in_english(browser, live_server, provider, reference_data):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.locator("main a.sso-button")).to_have_text("Log in with VNeID")
    screenshot(page, "sso-login-en")
    page.goto("/accounts/sso/settings/callback/?code=old&state=used-already")
    expect(page.locator("h1")).to_have_text("This login attempt has expired")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "sso-error-en")
    context.close()

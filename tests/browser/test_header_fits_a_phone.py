"""Mobile first: on a 375×812 phone the header takes at most a fifth of the screen for every role, the menu
button opens the navigation (a <details>: no JavaScript needed), and on a desktop the navigation is unfolded."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_SCREEN = {"width": 375, "height": 812}
ROLES = ["anonymous", "citizen", "official_a", "leader", "admin"]


def _log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("role", ROLES)
def test_the_header_fits_a_phone_for_every_role(page, personas, reference_data, role):
    if role != "anonymous":
        _log_in(page, personas[role])
    page.set_viewport_size(PHONE_SCREEN)
    page.goto("/")
    height = page.locator("header.site-header").bounding_box()["height"]
    assert height <= 0.2 * PHONE_SCREEN["height"], f"{role}: header {height} px of {PHONE_SCREEN['height']}"
    navigation = page.locator("nav.site-nav a", has_text="Tra cứu")
    expect(navigation).to_be_hidden()
    screenshot(page, f"header-phone-{role}")

    page.click("summary.site-menu__toggle")
    expect(navigation).to_be_visible()
    expect(page.locator("#language-select")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 1400})
    screenshot(page, f"header-phone-open-{role}")


@pytest.mark.parametrize("role", ["anonymous", "leader"])
def test_the_navigation_is_unfolded_on_a_desktop(page, personas, reference_data, role):
    if role != "anonymous":
        _log_in(page, personas[role])
    page.goto("/")
    expect(page.locator("summary.site-menu__toggle")).to_be_hidden()
    expect(page.locator("nav.site-nav a", has_text="Tra cứu")).to_be_visible()
    expect(page.locator("#language-select")).to_be_visible()
    if role == "anonymous":  # one row of links (a leader's many may take two)
        assert page.locator("header.site-header").bounding_box()["height"] < 200
    assert serious_accessibility_violations(page) == []
    page.locator("nav.site-nav a", has_text="Tra cứu").click()
    page.wait_for_url("**/track/")
    screenshot(page, f"header-desktop-{role}")

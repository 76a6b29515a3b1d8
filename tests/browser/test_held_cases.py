"""A moderator finds the cases a flood left held, and releases one; the page passes the accessibility check."""

import pytest

from tests.support.browser import screenshot, serious_accessibility_violations
from tests.support.cases import submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_moderator_releases_a_held_case(page, personas, reference_data, settings):
    settings.FLOOD_SIMILAR_COUNT = 2
    cases = [
        submit_case(title="Đề nghị xử lý lấn chiếm đất công", body=f"Lấn chiếm đất công ở khu phố 3 kéo dài. Số {n}")[0]
        for n in range(4)
    ]
    held = [case for case in cases if case.held_at is not None]
    assert len(held) == 2

    page.goto("/accounts/login/?next=/staff/held/")
    page.fill("input[name=username]", "moderator")
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/held/")
    table = page.locator("main table")
    assert all(case.tracking_code in table.inner_text() for case in held)
    assert serious_accessibility_violations(page) == []
    screenshot(page, "held-cases")

    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/staff/held/")
    assert held[0].tracking_code in page.locator("main").inner_text()  # named in the confirmation
    assert held[0].tracking_code not in page.locator("main table").inner_text()
    held[0].refresh_from_db()
    assert held[0].held_at is None


def test_the_honeypot_is_invisible_on_the_form(page, reference_data):
    page.goto("/submit/")
    assert page.locator("input[name=homepage]").count() == 1
    assert not page.locator("input[name=homepage]").is_visible()
    screenshot(page, "submit-with-honeypot")

"""An official finds their agency's cases in the work queue, filters them, and opens one."""

import pytest

from tests.support.browser import screenshot, serious_accessibility_violations
from tests.support.cases import submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_lists_filters_and_opens_cases(page, personas, reference_data):
    land, _ = submit_case(title="Hỏi về cấp sổ đỏ lần đầu")
    feedback, _ = submit_case(kind="feedback", title="Phản ánh lấn chiếm đất công")
    elsewhere, _ = submit_case(category="giao-duc", area=None, title="Hỏi về học phí")  # another agency

    page.goto("/accounts/login/?next=/staff/queue/")
    page.fill("input[name=username]", "official-a")
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/queue/")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Hồ sơ cần xử lý"
    table = page.locator("main table")
    assert land.tracking_code in table.inner_text()
    assert feedback.tracking_code in table.inner_text()
    assert elsewhere.tracking_code not in table.inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "queue")

    page.select_option("select[name=kind]", "feedback")
    page.locator("main form.queue-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert feedback.tracking_code in page.locator("main table").inner_text()
    assert land.tracking_code not in page.locator("main table").inner_text()
    screenshot(page, "queue-filtered")

    page.click(f"text={feedback.tracking_code}")
    page.wait_for_url(f"**/staff/cases/{feedback.id}/")
    assert "Phản ánh lấn chiếm đất công" in page.content()

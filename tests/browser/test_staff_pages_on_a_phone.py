"""Staff pages on a phone (375 px): the queue's results come in the first screen with the filters folded,
report charts fit their 343 px box with every value on screen, axes write numbers one way, and date fields
are native date inputs with one date format."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.support.browser import DESKTOP, PHONE, screenshot, serious_accessibility_violations
from tests.support.cases import submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse 42")
    with page.expect_navigation():
        page.click("main form[action='/accounts/login/'] button[type=submit]")


def test_queue_results_come_first_on_a_phone(page, personas, reference_data):
    case, _ = submit_case()
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, "official-a", "/staff/queue/")
    assert page.locator("details.queue-filters-fold").get_attribute("open") is None  # folded on a phone
    first_row = page.locator("main table tbody tr").first.bounding_box()
    main = page.locator("main").bounding_box()
    # The first case is on the first screen below a header of at most 20% of it (the site header's own
    # budget, tested with the header): what the queue puts above its results fits in the rest.
    assert first_row["y"] - main["y"] + first_row["height"] / 2 < 812 * 0.8, (first_row, main)
    assert case.tracking_code in page.locator("main table").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "queue-phone")
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert page.locator("details.queue-filters-fold").get_attribute("open") is not None  # open on a desk


def test_report_charts_fit_a_phone_and_write_numbers_one_way(page, personas, reference_data):
    submit_case()
    page.set_viewport_size(PHONE)
    log_in(page, "leader", "/staff/reports/")
    page.goto(f"/staff/reports/?period={timezone.localdate():%Y}")
    for chart in page.locator("figure.report-chart").all():
        box = chart.bounding_box()
        assert box["width"] <= 343, box
        svg = chart.locator("svg.chart--narrow")
        assert svg.is_visible()
        assert svg.bounding_box()["width"] <= 343
        assert chart.evaluate("f => f.scrollWidth <= f.clientWidth")  # nothing off to the side
    texts = " ".join(page.locator("svg.chart text").all_text_contents())
    assert not re.search(r"\d\.\d", texts)  # no English decimal point on a Vietnamese page
    date_input = page.locator("#id_start")
    assert date_input.get_attribute("type") == "date"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "reports-phone")

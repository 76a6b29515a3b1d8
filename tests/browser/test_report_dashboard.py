"""A leader opens the report dashboard, picks a quarter, reads the charts and tables, downloads the CSV;
the public league table."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from tests.integration.test_report_figures import build_timeline
from tests.support.browser import DESKTOP, PHONE, screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_reads_the_dashboard_and_downloads_csv(page, personas, reference_data):
    build_timeline(personas, reference_data["agencies"])
    page.goto("/accounts/login/?next=/staff/reports/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/reports/")
    assert page.locator("nav a[aria-current=page]").count() == 1

    page.fill("input[name=period]", "2026-Q2")
    page.locator("main form[method=get] button[type=submit]").click()
    page.wait_for_url("**/staff/reports/?period=2026-Q2*")
    assert page.locator("svg.chart--wide").count() == 3
    assert page.locator("svg.chart--narrow").count() == 3  # the same charts drawn for phones
    assert page.locator("svg.chart title").first.text_content()  # each chart has a title
    figures = page.locator("dl.report-figures").inner_text()
    assert "75,0%" in figures  # 3 of 4 answered on time, in Vietnamese number format
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in page.locator("main").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "reports-dashboard")
    if os.environ.get("SCREENSHOT_DIR"):  # a closer look at a chart on a phone
        page.set_viewport_size(PHONE)
        folder = os.environ["SCREENSHOT_DIR"]
        page.locator("figure.report-chart").nth(1).screenshot(path=f"{folder}/reports-chart-phone.png")
        page.screenshot(path=f"{folder}/reports-top-phone.png")
        page.locator("dl.report-figures").screenshot(path=f"{folder}/reports-figures-phone.png")
        page.set_viewport_size(DESKTOP)

    with page.expect_download() as download_info:
        page.locator("a[href^='/staff/reports/export.csv']").click()
    download = download_info.value
    assert download.suggested_filename == "caunoi-report-UBND-HN-2026-Q2.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert (rows[0]["group"], rows[0]["received"], rows[0]["answered"], rows[0]["on_time_rate"]) == (
        "total", "4", "4", "0.75"
    )  # fmt: skip


def test_the_dashboard_shows_errors_accessibly(page, personas, reference_data):
    page.goto("/accounts/login/?next=/staff/reports/%3Fperiod%3DQ9")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary a[href='#id_period']").count() == 1
    assert serious_accessibility_violations(page) == []
    screenshot(page, "reports-error")


def test_the_public_league_table(page, personas, reference_data, settings):
    settings.REPORTS_LEAGUE_MIN_ANSWERED = 2
    build_timeline(personas, reference_data["agencies"])
    page.goto("/agencies/on-time/?period=2026-Q2")
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in page.locator("main table").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "reports-league")

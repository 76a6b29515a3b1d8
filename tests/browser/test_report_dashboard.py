"""A leader opens the report dashboard, picks a quarter, reads the charts and tables, downloads the CSV;
the public league table."""

from __future__ import annotations

import csv
import io
import os
import threading
from pathlib import Path

import pytest
from caunoi.reports.aggregates import stats_refresh

from tests.integration.test_report_figures import build_timeline
from tests.support.browser import DESKTOP, PHONE, screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(monkeypatch):
    """Builds a queued report file a moment later in another thread, as a Celery worker would."""
    from caunoi.reports.tasks import build_export
    from django.db import connection

    def later(job_id: str) -> None:
        def run() -> None:
            try:
                build_export(job_id)
            finally:
                connection.close()

        threading.Timer(1.5, run).start()

    monkeypatch.setattr(build_export, "delay", later)


def test_a_leader_reads_the_dashboard_and_downloads_csv(page, personas, reference_data, worker):
    build_timeline(personas, reference_data["agencies"])
    stats_refresh()  # the minute's refresh of the aggregates the dashboard reads
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

    page.locator("main button[name=format][value=csv]").click()  # prepared by a worker, not in the request
    page.wait_for_url("**/staff/reports/exports/*/")
    assert page.locator("progress[data-export-progress]").count() == 1
    screenshot(page, "reports-export-waiting")
    link = page.locator("a[href$='/download']")
    link.wait_for(timeout=15_000)  # the page's module sees the file ready and shows the link
    screenshot(page, "reports-export-ready")
    assert serious_accessibility_violations(page) == []
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "caunoi-report-UBND-HN-2026-Q2.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert (rows[0]["group"], rows[0]["received"], rows[0]["answered"], rows[0]["on_time_rate"]) == (
        "total", "5", "4", "0.75"
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
    stats_refresh()
    page.goto("/agencies/on-time/?period=2026-Q2")
    assert "Sở Nông nghiệp và Môi trường Hà Nội" in page.locator("main table").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "reports-league")

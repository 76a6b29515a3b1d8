"""A leader opens the usage page from the navigation, picks a period and a site, reads the charts and
tables, and downloads the searches that found nothing as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import time_machine
from caunoi.analytics.flush import counts_flush
from caunoi.portals.models import Portal
from django.test import Client

from tests.integration.test_analytics_counting import BROWSER, clean_counts  # noqa: F401 - an autouse fixture
from tests.integration.test_published_search import published
from tests.support.beacon import load_like_a_browser
from tests.support.browser import screenshot, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def counted_history() -> None:
    """Views and searches on portal A, made through the pages with a person's browser (Playwright's headless
    Chromium names itself HeadlessChrome and would not be counted)."""
    Portal.objects.create(host="a.example.vn", name="Cổng thông tin A")
    client = Client(HTTP_HOST="a.example.vn", HTTP_USER_AGENT=BROWSER)
    with time_machine.travel("2026-05-12 09:00+07:00", tick=False):
        items = [
            published("Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu"),
            published("Miễn giảm học phí cho học sinh vùng khó khăn", category="giao-duc"),
            published("Đăng ký thường trú cho con mới sinh"),
        ]
        for n, item in enumerate(items):
            for _ in range(6 - 2 * n):
                assert load_like_a_browser(client, f"/hoi-dap/{item.slug}/").status_code == 200
        for q, times in (("sử dụng đất", 5), ("học phí", 3), ("trợ cấp thất nghiệp", 4), ("tro cap that nghiep", 1),
                         ("cấp lại căn cước", 2)):  # fmt: skip
            for _ in range(times):
                assert load_like_a_browser(client, "/hoi-dap/", {"q": q}).status_code == 200
    counts_flush()


def test_a_leader_reads_usage_and_downloads_the_unmet_searches(page, personas, settings):
    settings.ALLOWED_HOSTS = ["*"]
    counted_history()
    page.goto("/accounts/login/?next=/staff/reports/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/reports/")
    page.locator("nav a[href='/staff/analytics/']").click()
    page.wait_for_url("**/staff/analytics/")
    assert page.locator("nav a[aria-current=page]").get_attribute("href") == "/staff/analytics/"

    page.fill("input[name=period]", "2026-Q2")
    page.select_option("select[name=site]", label="Cổng thông tin A (a.example.vn)")
    page.locator("main form[method=get] button[type=submit]").click()
    page.wait_for_url("**/staff/analytics/?*period=2026-Q2*")
    assert page.locator("svg.chart--wide").count() == 3
    assert page.locator("svg.chart--narrow").count() == 3  # the same charts drawn for phones
    figures = page.locator("dl.report-figures").inner_text()
    assert "12" in figures and "15" in figures  # views 6+4+2; searches 5+3+4+1+2
    unmet = page.locator("#unmet-caption").locator("xpath=..").inner_text()
    assert "trợ cấp thất nghiệp" in unmet and "cấp lại căn cước" in unmet
    assert serious_accessibility_violations(page) == []
    screenshot(page, "analytics-dashboard")

    with page.expect_download() as download_info:
        page.locator("a[href^='/staff/analytics/unmet.csv']").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert [(r["words"], r["found_nothing"], r["spellings"]) for r in rows] == [
        ("trợ cấp thất nghiệp", "5", "2"),
        ("cấp lại căn cước", "2", "1"),
    ]


def test_bad_filters_are_shown_accessibly(page, personas):
    page.goto("/accounts/login/?next=/staff/analytics/%3Fperiod%3DQ9")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "correct horse 42")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary a[href='#id_period']").count() == 1
    assert serious_accessibility_violations(page) == []
    screenshot(page, "analytics-error")

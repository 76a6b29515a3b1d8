"""The analytics pages and CSV exports: who may open them, and the figures for each site and period,
checked against a hand-counted history of views and searches made through the real pages."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from caunoi.analytics.flush import counts_flush
from caunoi.portals.models import Portal

from tests.integration.test_analytics_counting import BROWSER, clean_counts  # noqa: F401 - an autouse fixture
from tests.integration.test_published_search import published
from tests.support.beacon import load_like_a_browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(reference_data, web):
    """Portals A and B and the built-in site (host testserver); answers X and Y.

    10 March 2026: X read 3× on A and 2× on B, Y once on A; "sổ đỏ" searched 2× on A (found), "trợ cấp" once
    on A (nothing). 15 April 2026: Y read 4× on A, X once on the built-in site; "tro cap" 2× on B and
    "Trợ cấp" once on A (nothing found).
    """
    sites = {"a": Portal.objects.create(host="a.example.vn", name="Cổng A"),
             "b": Portal.objects.create(host="b.example.vn", name="Cổng B")}  # fmt: skip
    hosts = {"a": "a.example.vn", "b": "b.example.vn", None: "testserver"}

    def get(site, path, times=1, **params):
        for _ in range(times):
            response = load_like_a_browser(web, path, params, HTTP_HOST=hosts[site], HTTP_USER_AGENT=BROWSER)
            assert response.status_code == 200

    with time_machine.travel("2026-03-10 09:00+07:00", tick=False):
        x = published("Thủ tục cấp sổ đỏ lần đầu")
        y = published("Học phí năm học mới", category="giao-duc")
        get("a", f"/hoi-dap/{x.slug}/", 3)
        get("b", f"/hoi-dap/{x.slug}/", 2)
        get("a", f"/hoi-dap/{y.slug}/")
        get("a", "/hoi-dap/", 2, q="sổ đỏ")
        get("a", "/hoi-dap/", q="trợ cấp")
    with time_machine.travel("2026-04-15 20:00+07:00", tick=False):
        get("a", f"/hoi-dap/{y.slug}/", 4)
        get(None, f"/hoi-dap/{x.slug}/")
        get("b", "/api/v1/published/", 2, q="tro cap")
        get("a", "/hoi-dap/", q="Trợ cấp")
    counts_flush()
    return {"x": x, "y": y, **sites}


def rows(web, table: str, **params) -> list[dict[str, str]]:
    response = web.get(f"/staff/analytics/{table}.csv", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def views(web, **params) -> list[tuple[str, str]]:
    return [(row["title"], row["views"]) for row in rows(web, "answers", **params)]


def terms(web, table="terms", **params) -> list[tuple[str, str, str, str]]:
    return [(r["words"], r["searches"], r["found_nothing"], r["spellings"]) for r in rows(web, table, **params)]


X, Y = "Thủ tục cấp sổ đỏ lần đầu", "Học phí năm học mới"


def test_the_period_and_the_site_change_the_figures(history, personas, web):
    web.force_login(personas["leader"])
    a, b = str(history["a"].pk), str(history["b"].pk)
    assert views(web, period="2026-Q1") == [(X, "5"), (Y, "1")]
    assert views(web, period="2026-Q1", site=a) == [(X, "3"), (Y, "1")]
    assert views(web, period="2026-Q2") == [(Y, "4"), (X, "1")]
    assert views(web, period="2026-04", site="built-in") == [(X, "1")]
    assert views(web, period="2026", site=b) == [(X, "2")]
    assert views(web, start="2026-03-01", end="2026-04-30") == [(X, "6"), (Y, "5")]
    assert views(web, period="2026-05") == []

    assert terms(web, period="2026-Q1") == [("sổ đỏ", "2", "0", "1"), ("trợ cấp", "1", "1", "1")]
    assert terms(web, "unmet", period="2026-Q1") == [("trợ cấp", "1", "1", "1")]
    # "tro cap" and "trợ cấp" are one question: grouped, labelled with the more frequent spelling.
    assert terms(web, "unmet", period="2026-Q2") == [("tro cap", "3", "3", "2")]
    assert terms(web, "unmet", period="2026") == [("trợ cấp", "4", "4", "2")]  # a tie 2–2: the spelling with diacritics
    assert terms(web, "unmet", period="2026", site=a) == [("trợ cấp", "2", "2", "1")]
    assert terms(web, period="2026", site=b) == [("tro cap", "2", "2", "1")]


def test_the_page_shows_figures_charts_tables_and_downloads(history, personas, web):
    web.force_login(personas["admin"])
    page = web.get("/staff/analytics/", {"period": "2026-Q1"}).content.decode()
    assert page.count('<svg class="chart chart--wide"') == 3
    assert page.count('<svg class="chart chart--narrow"') == 3
    assert '<title id="chart-answers-title">' in page and '<title id="chart-unmet-title">' in page
    assert f'href="/hoi-dap/{history["x"].slug}/"' in page
    assert "<dd>6</dd>" in page  # views: 5 of X and 1 of Y
    assert "<dd>3</dd>" in page and "<dd>1 " in page  # searches; one found nothing
    assert 'href="/staff/analytics/unmet.csv?period=2026-Q1"' in page


@pytest.mark.parametrize("path", ["/staff/analytics/", "/staff/analytics/answers.csv",
                                  "/staff/analytics/terms.csv", "/staff/analytics/unmet.csv"])  # fmt: skip
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("leader", 200),
        ("official_a", 404),
        ("official_b", 404),
        ("moderator", 404),
        ("citizen", 404),
        (None, 302),
    ],
)
def test_who_may_open_the_pages(personas, web, path, persona, status):
    if persona:
        web.force_login(personas[persona])
    response = web.get(path, {"period": "2026-Q1"})
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_an_inactive_leader_is_refused(personas, web):
    leader = personas["leader"]
    web.force_login(leader)
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    assert web.get("/staff/analytics/").status_code in {302, 404}


def test_bad_filters_are_explained_on_the_page(personas, web, settings):
    settings.LANGUAGE_CODE = "en"
    web.force_login(personas["leader"])
    response = web.get("/staff/analytics/", {"period": "2026-Q5", "site": "999"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_period"' in page and 'href="#id_site"' in page
    assert "Choose a site from the list." in page
    response = web.get("/staff/analytics/", {"period": "", "start": "2026-06-30", "end": "2026-06-01"})
    assert response.status_code == 400 and "The last day must not be before the first day." in response.content.decode()
    assert web.get("/staff/analytics/terms.csv", {"start": "1/6/2026", "end": "2026-06-30"}).status_code == 400
    assert web.get("/staff/analytics/everything.csv").status_code == 404

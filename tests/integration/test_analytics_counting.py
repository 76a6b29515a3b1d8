"""Views of published items and searches are counted per site, once each, after the flush; bots, HEAD,
failed requests and later pages are not; search words are normalised; a Redis outage costs only counts."""

from __future__ import annotations

import time

import pytest
from caunoi.analytics import counting
from caunoi.analytics.flush import counts_flush
from caunoi.analytics.models import ItemViewDay, SearchTermDay
from caunoi.core.redis_client import redis_client
from caunoi.portals.models import Portal
from caunoi.publication.models import Status

from tests.integration.test_published_search import published
from tests.support.beacon import load_like_a_browser

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile"


@pytest.fixture(autouse=True)
def clean_counts(settings):
    """No count from another test waits in this helper's Redis db; counting is not paused."""
    settings.ALLOWED_HOSTS = ["*"]
    client = redis_client()
    for key in client.scan_iter(match="analytics:*"):
        client.delete(key)
    counting.resume()
    yield
    for key in client.scan_iter(match="analytics:*"):
        client.delete(key)
    counting.resume()


@pytest.fixture
def sites(reference_data) -> dict[str, Portal]:
    return {
        "a": Portal.objects.create(host="a.example.vn", name="Cổng A"),
        "b": Portal.objects.create(host="b.example.vn", name="Cổng B"),
    }


def visit(web, path: str, host: str = "testserver", agent: str = BROWSER, method: str = "get", **params):
    return load_like_a_browser(web, path, params, method, HTTP_HOST=host, HTTP_USER_AGENT=agent)


def views() -> dict[tuple[int | None, int], int]:
    return {(row.portal_id, row.item_id): row.count for row in ItemViewDay.objects.all()}


def searches() -> dict[tuple[int | None, str, bool], int]:
    rows = SearchTermDay.objects.all()
    return {(row.portal_id, row.term, row.found): row.count for row in rows}


def test_each_view_is_counted_once_for_its_site_after_the_flush(web, sites):
    item = published("Thủ tục cấp sổ đỏ lần đầu")
    other = published("Học phí năm học mới", category="giao-duc")
    for host in ("a.example.vn", "a.example.vn", "b.example.vn", "testserver"):
        assert visit(web, f"/hoi-dap/{item.slug}/", host).status_code == 200
    assert visit(web, f"/hoi-dap/{other.slug}/", "b.example.vn").status_code == 200
    assert ItemViewDay.objects.count() == 0  # nothing written to the database on the request path

    counts_flush()
    a, b = sites["a"].pk, sites["b"].pk
    assert views() == {(a, item.pk): 2, (b, item.pk): 1, (None, item.pk): 1, (b, other.pk): 1}
    counts_flush()  # nothing new: the same figures
    assert views() == {(a, item.pk): 2, (b, item.pk): 1, (None, item.pk): 1, (b, other.pk): 1}
    visit(web, f"/hoi-dap/{item.slug}/", "a.example.vn")
    counts_flush()
    assert views()[(a, item.pk)] == 3


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0",
    ],
)
def test_automated_visitors_are_not_counted(web, reference_data, agent):
    item = published("Thủ tục cấp sổ đỏ lần đầu")
    assert visit(web, f"/hoi-dap/{item.slug}/", agent=agent).status_code == 200
    assert visit(web, "/hoi-dap/", agent=agent, q="sổ đỏ").status_code == 200
    counts_flush()
    assert views() == {} and searches() == {}


def test_head_requests_and_failed_pages_are_not_counted(web, reference_data):
    item = published("Thủ tục cấp sổ đỏ lần đầu")
    hidden = published("Chờ duyệt", status=Status.PENDING_REVIEW)
    assert visit(web, f"/hoi-dap/{item.slug}/", method="head").status_code == 200
    assert visit(web, f"/hoi-dap/{hidden.slug}/").status_code == 404
    assert visit(web, "/hoi-dap/nothing-here/").status_code == 404
    assert visit(web, "/hoi-dap/", q="sổ đỏ", **{"from": "not a date"}).status_code == 400
    assert visit(web, "/api/v1/published/", q="sổ đỏ", page="0").status_code == 400
    counts_flush()
    assert views() == {} and searches() == {}


def test_searches_are_normalised_and_those_finding_nothing_recorded(web, sites):
    published("Thủ tục cấp sổ đỏ lần đầu")
    a = sites["a"].pk
    # The same words, typed four ways: case, decomposed diacritics (as some phones send), spaces, punctuation.
    for q in ("Sổ đỏ", "So\u0302\u0309 đỏ", "  sổ   đỏ?  ", "«sổ đỏ»!"):
        assert visit(web, "/hoi-dap/", "a.example.vn", q=q).status_code == 200
    assert visit(web, "/api/v1/published/", "a.example.vn", q="SỔ ĐỎ").status_code == 200
    assert visit(web, "/hoi-dap/", "a.example.vn", q="so do").status_code == 200  # kept apart: no diacritics
    assert visit(web, "/hoi-dap/", "a.example.vn", q="trợ cấp thất nghiệp").status_code == 200  # nothing found
    assert visit(web, "/api/v1/published/", q="trợ cấp thất nghiệp").status_code == 200  # built-in site
    assert visit(web, "/hoi-dap/", "a.example.vn", category="dat-dai").status_code == 200  # no words: not a search
    assert visit(web, "/api/v1/published/", "a.example.vn").status_code == 200
    counts_flush()
    assert searches() == {
        (a, "sổ đỏ", True): 5,
        (a, "so do", True): 1,
        (a, "trợ cấp thất nghiệp", False): 1,
        (None, "trợ cấp thất nghiệp", False): 1,
    }
    assert set(SearchTermDay.objects.filter(term="sổ đỏ").values_list("folded", flat=True)) == {"so do"}


def test_reading_further_pages_is_not_searching_again(web, reference_data):
    for n in range(25):
        published(f"Sổ đỏ câu hỏi số {n}")
    assert visit(web, "/hoi-dap/", q="sổ đỏ").status_code == 200
    assert visit(web, "/hoi-dap/", q="sổ đỏ", page="2").status_code == 200
    assert visit(web, "/api/v1/published/", q="sổ đỏ", page="2").status_code == 200
    counts_flush()
    assert searches() == {(None, "sổ đỏ", True): 1}


def test_a_long_query_is_capped(web, reference_data):
    assert visit(web, "/api/v1/published/", q="đất " * 60).status_code in {200, 400}
    counts_flush()
    assert all(len(term) <= 200 for (_portal, term, _found) in searches())


def test_with_redis_down_pages_answer_at_once_and_counts_are_dropped(web, settings, reference_data, caplog):
    item = published("Thủ tục cấp sổ đỏ lần đầu")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there: connections are refused
    started = time.monotonic()
    for _ in range(5):
        assert visit(web, f"/hoi-dap/{item.slug}/").status_code == 200
    assert time.monotonic() - started < 5
    warnings = [r for r in caplog.records if r.name == "caunoi.analytics.counting"]
    assert len(warnings) == 1  # one warning per pause, not one per request

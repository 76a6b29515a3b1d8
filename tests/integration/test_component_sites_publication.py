"""A component site's home, search (page and API) and agency pages show its agency subtree only; the parent
portal shows everything below it, each item of a component site marked with that site as its origin."""

from __future__ import annotations

import datetime as dt
import itertools

import feedparser
import pytest
from caunoi.agencies.models import Agency, Category
from caunoi.portals.models import Portal
from caunoi.publication.models import PublishedItem, Status
from django.utils import timezone

pytestmark = pytest.mark.django_db
PARENT = "congthongtin.test"
HANOI = "hanoi.test"
_n = itertools.count(1)


def published(title: str, *, agency: str | None, category: str = "dat-dai", days_ago: int = 1) -> PublishedItem:
    return PublishedItem.objects.create(
        slug=f"site-{next(_n)}",
        kind="question",
        agency=Agency.objects.get(code=agency) if agency else None,
        category=Category.objects.get(slug=category),
        title=title,
        question=title,
        answer="Trả lời của cơ quan.",
        status=Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.fixture
def sites(settings, reference_data):
    settings.ALLOWED_HOSTS = [".test", "testserver"]
    parent = Portal.objects.create(host=PARENT, name="Cổng thông tin Chính phủ", is_default=True)
    hanoi = Portal.objects.create(
        host=HANOI, name="Cổng Hà Nội", agency=reference_data["agencies"]["UBND-HN"], parent=parent
    )
    return {"parent": parent, "hanoi": hanoi}


@pytest.fixture
def items(sites):
    return {
        "land_hanoi": published("Đất đai ở Hà Nội, sổ đỏ", agency="SO-NNMT-HN"),
        "ward": published("Vỉa hè phường Hoàn Kiếm", agency="UBND-P-HOANKIEM", category="xay-dung", days_ago=2),
        "school": published("Học phí năm học mới", agency="BO-GDDT", category="giao-duc", days_ago=3),
        "land_national": published("Đất đai ở Quảng Trị, sổ đỏ", agency="BO-NNMT", days_ago=4),
        "imported": published("Câu hỏi từ cổng khác về sổ đỏ", agency=None, days_ago=5),
    }


def api_slugs(client, host: str, **params) -> list[str]:
    response = client.get("/api/v1/published/", params, HTTP_HOST=host)
    assert response.status_code == 200, response.content
    return [hit["slug"] for hit in response.json()["results"]]


def page_slugs(response) -> list[str]:
    assert response.status_code == 200
    return [item.slug for item in response.context["result"].items]


def test_the_component_site_api_lists_only_its_subtree(client, items):
    assert api_slugs(client, HANOI) == [items["land_hanoi"].slug, items["ward"].slug]
    assert api_slugs(client, HANOI, q="so do") == [items["land_hanoi"].slug]


def test_the_parent_api_covers_everything_below_it(client, items):
    assert set(api_slugs(client, PARENT)) == {item.slug for item in items.values()}
    assert set(api_slugs(client, PARENT, q="so do")) == {
        items[name].slug for name in ("land_hanoi", "land_national", "imported")
    }


def test_filters_still_work_inside_the_subtree(client, items):
    assert api_slugs(client, HANOI, category="xay-dung") == [items["ward"].slug]
    assert api_slugs(client, HANOI, agency="UBND-P-HOANKIEM") == [items["ward"].slug]
    # An agency above the site's root narrows nothing beyond the site; one beside it finds nothing here.
    assert api_slugs(client, HANOI, agency="CP") == [items["land_hanoi"].slug, items["ward"].slug]
    assert api_slugs(client, HANOI, agency="BO-GDDT") == []
    assert api_slugs(client, PARENT, agency="BO-GDDT") == [items["school"].slug]


def test_the_search_page_searches_the_subtree_and_offers_its_agencies(client, items):
    response = client.get("/hoi-dap/", {"q": "so do"}, HTTP_HOST=HANOI)
    assert page_slugs(response) == [items["land_hanoi"].slug]
    offered = [agency.code for agency in response.context["agencies"]]
    assert offered[0] == "UBND-HN"
    assert "SO-NNMT-HN" in offered and "BO-GDDT" not in offered and "CP" not in offered

    on_parent = client.get("/hoi-dap/", {"q": "so do"}, HTTP_HOST=PARENT)
    assert len(page_slugs(on_parent)) == 3
    assert on_parent.context["agencies"][0].code == "CP"


def test_the_home_page_shows_the_subtree_only(client, items):
    response = client.get("/", HTTP_HOST=HANOI)
    assert response.status_code == 200
    assert [item.slug for item in response.context["latest"]] == [items["land_hanoi"].slug, items["ward"].slug]
    assert {group.key.code for group in response.context["by_agency"]} == {"SO-NNMT-HN", "UBND-P-HOANKIEM"}
    assert {group.key.slug for group in response.context["by_category"]} == {"dat-dai", "xay-dung"}
    body = response.content.decode()
    assert "Học phí năm học mới" not in body and "Đất đai ở Hà Nội, sổ đỏ" in body

    on_parent = client.get("/", HTTP_HOST=PARENT)
    assert len(on_parent.context["latest"]) == 5
    assert "Học phí năm học mới" in on_parent.content.decode()


def test_an_agency_outside_the_subtree_is_not_found_on_the_component_site(client, items):
    assert client.get("/co-quan/BO-GDDT/", HTTP_HOST=HANOI).status_code == 404
    response = client.get("/co-quan/UBND-HN/", HTTP_HOST=HANOI)
    assert page_slugs(response) == [items["land_hanoi"].slug, items["ward"].slug]
    assert 'href="/co-quan/CP/"' not in response.content.decode()  # the site's root links to nothing above it
    assert 'href="/co-quan/UBND-HN/"' in client.get("/co-quan/UBND-P-HOANKIEM/", HTTP_HOST=HANOI).content.decode()
    assert 'href="/co-quan/CP/"' in client.get("/co-quan/UBND-HN/", HTTP_HOST=PARENT).content.decode()
    # The parent shows every agency, and its root agency's page everything below it.
    assert page_slugs(client.get("/co-quan/BO-GDDT/", HTTP_HOST=PARENT)) == [items["school"].slug]
    assert len(page_slugs(client.get("/co-quan/CP/", HTTP_HOST=PARENT))) == 4


def test_the_parent_shows_where_a_component_sites_item_comes_from(client, items):
    response = client.get("/hoi-dap/", HTTP_HOST=PARENT)
    origins = {item.slug: item.origin_site for item in response.context["result"].items}
    assert origins[items["land_hanoi"].slug].host == HANOI
    assert origins[items["ward"].slug].host == HANOI
    assert origins[items["school"].slug] is None and origins[items["imported"].slug] is None
    body = response.content.decode()
    assert body.count(f'href="http://{HANOI}/"') == 2
    assert "Cổng Hà Nội" in body

    item_page = client.get(f"/hoi-dap/{items['land_hanoi'].slug}/", HTTP_HOST=f"{PARENT}:8000").content.decode()
    assert f'href="http://{HANOI}:8000/"' in item_page  # the link keeps the port the visitor used

    # On the component site itself its own items need no origin.
    own = client.get("/hoi-dap/", HTTP_HOST=HANOI)
    assert all(item.origin_site is None for item in own.context["result"].items)
    assert f'href="http://{HANOI}/"' not in own.content.decode()


def test_the_deepest_component_site_is_the_origin(client, items, sites):
    ward = Agency.objects.get(code="UBND-P-HOANKIEM")
    Portal.objects.create(host="hoankiem.test", name="Phường Hoàn Kiếm", agency=ward, parent=sites["hanoi"])
    on_parent = client.get("/hoi-dap/", HTTP_HOST=PARENT)
    origins = {item.slug: item.origin_site.host for item in on_parent.context["result"].items if item.origin_site}
    assert origins == {items["ward"].slug: "hoankiem.test", items["land_hanoi"].slug: HANOI}
    on_hanoi = client.get("/hoi-dap/", HTTP_HOST=HANOI)
    origins = {item.slug: item.origin_site.host for item in on_hanoi.context["result"].items if item.origin_site}
    assert origins == {items["ward"].slug: "hoankiem.test"}


def feed_of(client, host: str, url: str):
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_a_component_sites_feeds_list_its_subtree_under_its_name_and_address(client, items, settings):
    settings.PORTAL_BASE_URL = "https://congthongtin.test"

    feed = feed_of(client, HANOI, "/feeds/published.atom")

    assert [entry.caunoi_slug for entry in feed.entries] == [items["land_hanoi"].slug, items["ward"].slug]
    assert feed.feed.title == "Cổng Hà Nội: câu trả lời mới được công khai"
    assert feed.feed.link == "https://hanoi.test/"
    assert feed.feed.id == "tag:hanoi.test,2026:feeds/published"
    assert {entry.link for entry in feed.entries} == {
        f"https://hanoi.test/hoi-dap/{items['land_hanoi'].slug}/",
        f"https://hanoi.test/hoi-dap/{items['ward'].slug}/",
    }
    by_category = feed_of(client, HANOI, "/feeds/categories/dat-dai/published.atom")
    assert [entry.caunoi_slug for entry in by_category.entries] == [items["land_hanoi"].slug]
    assert client.get("/feeds/agencies/BO-GDDT/published.atom", HTTP_HOST=HANOI).status_code == 404
    ward = feed_of(client, HANOI, "/feeds/agencies/UBND-P-HOANKIEM/published.atom")
    assert [entry.caunoi_slug for entry in ward.entries] == [items["ward"].slug]
    assert ward.feed.id == "tag:hanoi.test,2026:feeds/agencies/UBND-P-HOANKIEM"


def test_the_parent_feed_lists_everything_and_links_each_item_to_its_own_site(client, items, settings):
    settings.PORTAL_BASE_URL = "https://congthongtin.test"

    feed = feed_of(client, PARENT, "/feeds/published.atom")

    links = {entry.caunoi_slug: entry.link for entry in feed.entries}
    assert links == {
        items["land_hanoi"].slug: f"https://hanoi.test/hoi-dap/{items['land_hanoi'].slug}/",
        items["ward"].slug: f"https://hanoi.test/hoi-dap/{items['ward'].slug}/",
        items["school"].slug: f"https://congthongtin.test/hoi-dap/{items['school'].slug}/",
        items["land_national"].slug: f"https://congthongtin.test/hoi-dap/{items['land_national'].slug}/",
        items["imported"].slug: f"https://congthongtin.test/hoi-dap/{items['imported'].slug}/",
    }
    assert feed.feed.link == "https://congthongtin.test/"
    assert feed.feed.title == "Cổng thông tin Chính phủ: câu trả lời mới được công khai"


def test_similar_questions_on_a_component_site_come_from_its_subtree(client, items):
    def similar(host: str) -> list[str]:
        response = client.get("/api/v1/published/similar/", {"text": "đất đai sổ đỏ"}, HTTP_HOST=host)
        assert response.status_code == 200, response.content
        return [hit["slug"] for hit in response.json()["results"]]

    assert similar(HANOI) == [items["land_hanoi"].slug]
    assert set(similar(PARENT)) >= {items["land_hanoi"].slug, items["land_national"].slug}

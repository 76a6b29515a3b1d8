"""Atom feeds of published items that feed readers accept: the whole portal, an agency, a category."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from caunoi.publication.models import PublishedItem
from caunoi.publication.services import item_correct
from django.utils import timezone

from tests.support.syndication import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_BASE_URL = "https://caunoi.example.gov.vn"


@pytest.fixture
def items(reference_data) -> dict[str, PublishedItem]:
    now = timezone.now()
    return {
        "land": make_item(published_at=now - dt.timedelta(days=2), slug="so-do-lan-dau"),
        "school": make_item(
            agency="BO-GDDT",
            category="giao-duc",
            slug="tuyen-sinh-lop-10",
            published_at=now - dt.timedelta(days=1),
            title="Tuyển sinh lớp 10 năm học 2026–2027",
            question="Khi nào có lịch thi <b>lớp 10</b>?",
            answer="Lịch thi & tuyển sinh công bố trước ngày 15/3.",
        ),
        "pending": make_item(status="pending_review", slug="chua-duyet"),
        "unpublished": make_item(status="unpublished", slug="da-go"),
        "imported": make_item(slug="nhap-tu-noi-khac", origin_portal="other.example.vn", origin_id="x-1"),
    }


def parse(web, url: str):
    response = web.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_portal_feed_lists_published_items_newest_first_as_valid_atom(web, items):
    feed = parse(web, "/feeds/published.atom")

    assert [entry.id for entry in feed.entries] == [
        "tag:caunoi.example.gov.vn,2026:published/tuyen-sinh-lop-10",
        "tag:caunoi.example.gov.vn,2026:published/so-do-lan-dau",
    ]  # pending, unpublished and imported items are not in it
    assert feed.feed.id.startswith("tag:caunoi.example.gov.vn,2026:")
    assert feed.feed.title and feed.feed.updated_parsed is not None
    entry = feed.entries[0]
    school = items["school"]
    assert entry.title == school.title
    assert entry.link == entry.links[0].href and entry.link.startswith("https://caunoi.example.gov.vn/")
    assert entry.author == "Bộ Giáo dục và Đào tạo"
    assert entry.updated_parsed is not None and entry.published_parsed is not None
    assert dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC) == school.published_at.replace(microsecond=0)
    html = entry.content[0].value
    assert "Khi nào có lịch thi &lt;b&gt;lớp 10&lt;/b&gt;?" in html  # the citizen's text is text, not markup
    assert "Lịch thi &amp; tuyển sinh" in html
    assert entry.summary == "Lịch thi &amp; tuyển sinh công bố trước ngày 15/3."  # text, escaped for type="html"
    assert entry.caunoi_kind == "question" and entry.caunoi_slug == "tuyen-sinh-lop-10"


def test_an_agency_feed_includes_the_agencies_below_it(web, items):
    own = parse(web, "/feeds/agencies/SO-NNMT-HN/published.atom")
    assert [entry.caunoi_slug for entry in own.entries] == ["so-do-lan-dau"]
    assert own.feed.title.startswith("Sở Nông nghiệp")

    parent = parse(web, "/feeds/agencies/UBND-HN/published.atom")
    assert [entry.caunoi_slug for entry in parent.entries] == ["so-do-lan-dau"]

    other = parse(web, "/feeds/agencies/BO-GDDT/published.atom")
    assert [entry.caunoi_slug for entry in other.entries] == ["tuyen-sinh-lop-10"]


def test_a_category_feed_lists_only_that_category(web, items):
    feed = parse(web, "/feeds/categories/giao-duc/published.atom")
    assert [entry.caunoi_slug for entry in feed.entries] == ["tuyen-sinh-lop-10"]

    empty = parse(web, "/feeds/categories/moi-truong/published.atom")
    assert empty.entries == []


@pytest.mark.parametrize(
    "url",
    ["/feeds/agencies/KHONG-CO/published.atom", "/feeds/categories/khong-co/published.atom",
     "/feeds/categories/../published.atom"],
)  # fmt: skip
def test_an_unknown_agency_or_category_is_404(web, items, url):
    assert web.get(url).status_code == 404


def test_a_correction_keeps_the_entry_id_and_moves_its_updated_date(web, items, personas):
    before = parse(web, "/feeds/published.atom").entries[1]
    land = items["land"]
    PublishedItem.objects.filter(pk=land.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    land.refresh_from_db()
    item_correct(item=land, title=land.title, question=land.question, answer="Đã bổ sung căn cứ pháp lý.",
                 reason="bổ sung", by=personas["moderator"])  # fmt: skip

    after = next(e for e in parse(web, "/feeds/published.atom").entries if e.caunoi_slug == "so-do-lan-dau")
    assert after.id == before.id
    assert after.updated_parsed > before.updated_parsed or after.updated != before.updated
    assert "Đã bổ sung căn cứ pháp lý." in after.content[0].value


def test_an_empty_portal_still_serves_a_valid_feed(web, reference_data):
    feed = parse(web, "/feeds/published.atom")
    assert feed.entries == []

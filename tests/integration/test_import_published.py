"""Pull with provenance: another portal's published items come in from its Atom feed or its JSON API,
marked with their origin, searchable, and updated in place (never duplicated) on the next import.

The "other portal" is this code base's own feed and API, rendered for a set of items that are then removed
from the database, and served by a real HTTP server on loopback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from caunoi.publication.models import PublishedItem, SearchWord
from caunoi.publication.search import SearchFilters, published_search
from caunoi.syndication.models import Delivery, Subscription
from caunoi.syndication.services.imports import ImportFailed, published_items_import
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from tests.support.syndication import make_item, static_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    # These tests read messages in English (the message ids); pages default to Vietnamese otherwise.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


ATOM = "application/atom+xml; charset=utf-8"
JSON = "application/json"


class OtherPortal:
    """What the other portal serves; tests edit `pages` between imports to change what it publishes."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.base = ""

    def edit(self, path: str, old: str, new: str) -> None:
        kind, body = self.pages[path]
        assert old.encode() in body
        self.pages[path] = (kind, body.replace(old.encode(), new.encode()))


@pytest.fixture
def other(reference_data, settings) -> Iterator[OtherPortal]:
    settings.PORTAL_BASE_URL = "https://other-portal.example.vn"
    now = timezone.now()
    make_item(slug="cap-so-do-lan-dau", title="Thủ tục cấp sổ đỏ lần đầu", published_at=now - dt.timedelta(days=3))
    make_item(
        slug="hoc-phi-2026", agency="BO-GDDT", category="giao-duc", kind="feedback", title="Học phí năm học 2026",
        question="Mức học phí mầm non năm 2026 có thay đổi không?", answer="Mức học phí giữ nguyên như năm trước.",
        published_at=now - dt.timedelta(days=2),
    )  # fmt: skip
    for n in range(21):  # a second page in the JSON API (20 a page)
        make_item(slug=f"giay-phep-xay-dung-{n}", category="xay-dung", title=f"Giấy phép xây dựng nhà ở số {n}",
                  published_at=now - dt.timedelta(days=10, minutes=n))  # fmt: skip
    # An item the other portal itself imported from a third one: not theirs to give.
    make_item(slug="tu-tinh-khac", origin_portal="third.example.vn", origin_id="x", title="Của cổng thứ ba")
    portal = OtherPortal()
    client = Client()
    with static_site(_Lazy(portal)) as base:
        portal.base = base
        portal.pages["/feeds/published.atom"] = (ATOM, client.get("/feeds/published.atom").content)
        for path in ("/api/v1/published/", "/api/v1/published/?page=2"):
            body = client.get(path).content.replace(b"http://testserver", base.encode())
            portal.pages[path] = (JSON, body)
        PublishedItem.objects.all().delete()
        SearchWord.objects.all().delete()
        settings.PORTAL_BASE_URL = "https://caunoi.example.gov.vn"
        yield portal


class _Lazy(dict):
    """The page table handed to the server, reading the portal's pages at request time."""

    def __init__(self, portal: OtherPortal) -> None:
        super().__init__()
        self.portal = portal

    def get(self, path, default=None):
        page = self.portal.pages.get(path)
        return (page[0], lambda: self.portal.pages[path][1]) if page else default


def imported() -> dict[str, PublishedItem]:
    return {item.origin_id: item for item in PublishedItem.objects.exclude(origin_portal="")}


def test_an_atom_import_keeps_the_origin_and_the_items_are_published_here(other):
    report = published_items_import(source=f"{other.base}/feeds/published.atom", fmt="atom")

    origin = other.base.removeprefix("http://")
    items = imported()
    assert len(report.created) == 23 and report.skipped == []
    assert "tu-tinh-khac" not in items  # not published by the other portal itself: not in its feed
    fee = items["hoc-phi-2026"]
    assert fee.origin_portal == origin
    assert fee.origin_url == "https://other-portal.example.vn/hoi-dap/hoc-phi-2026/"
    assert fee.origin_agency_name == "Bộ Giáo dục và Đào tạo"
    assert fee.agency.code == "BO-GDDT" and fee.category.slug == "giao-duc"  # same codes here
    assert (fee.kind, fee.status) == ("feedback", "published")
    assert fee.question == "Mức học phí mầm non năm 2026 có thay đổi không?"
    assert fee.answer == "Mức học phí giữ nguyên như năm trước."
    assert fee.received_at is not None and fee.answered_at is not None and fee.due_at is not None
    assert fee.published_at < timezone.now() - dt.timedelta(days=1)  # the origin's date, not the import's
    assert fee.slug != "hoc-phi-2026" and fee.slug.endswith("hoc-phi-2026")
    assert fee.is_imported


def test_imported_items_are_found_by_search_without_diacritics(other):
    published_items_import(source=f"{other.base}/feeds/published.atom", fmt="atom")

    result = published_search(q="hoc phi mam non", filters=SearchFilters())

    assert [item.origin_id for item in result.items] == ["hoc-phi-2026"]
    assert SearchWord.objects.filter(word="học").exists()  # and "did you mean" knows their titles' words


def test_importing_again_changes_nothing_and_writes_no_duplicate(other):
    source = f"{other.base}/feeds/published.atom"
    published_items_import(source=source, fmt="atom")
    before = {item.pk: item.updated_at for item in PublishedItem.objects.all()}

    report = published_items_import(source=source, fmt="atom")

    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 23)
    assert {item.pk: item.updated_at for item in PublishedItem.objects.all()} == before


def test_an_item_corrected_at_its_origin_is_updated_in_place(other):
    source = f"{other.base}/feeds/published.atom"
    published_items_import(source=source, fmt="atom")
    slug_here = imported()["hoc-phi-2026"].slug

    other.edit("/feeds/published.atom", "Mức học phí giữ nguyên như năm trước.", "Mức học phí giảm 10%.")
    report = published_items_import(source=source, fmt="atom")

    assert report.updated == [slug_here] and len(report.unchanged) == 22
    item = PublishedItem.objects.get(slug=slug_here)
    assert item.answer == "Mức học phí giảm 10%."
    assert PublishedItem.objects.count() == 23
    assert [i.origin_id for i in published_search(q="giam 10", filters=SearchFilters()).items] == ["hoc-phi-2026"]


def test_a_copy_unpublished_here_stays_unpublished_after_the_next_import(other):
    source = f"{other.base}/feeds/published.atom"
    published_items_import(source=source, fmt="atom")
    PublishedItem.objects.filter(origin_id="hoc-phi-2026").update(status="unpublished")

    published_items_import(source=source, fmt="atom")

    assert imported()["hoc-phi-2026"].status == "unpublished"


def test_a_json_import_follows_the_pages_and_skips_what_the_source_imported_itself(other):
    report = published_items_import(source=f"{other.base}/api/v1/published/", fmt="json")

    items = imported()
    assert len(items) == 23 and len(report.created) == 23
    assert any("tu-tinh-khac" in reason for reason in report.skipped)
    fee = items["hoc-phi-2026"]
    assert fee.answer == "Mức học phí giữ nguyên như năm trước."
    assert fee.agency.code == "BO-GDDT" and fee.category.slug == "giao-duc"
    assert fee.origin_url.endswith("/hoi-dap/hoc-phi-2026/")


def test_the_atom_feed_and_the_json_api_of_one_portal_name_the_same_items(other):
    published_items_import(source=f"{other.base}/feeds/published.atom", fmt="atom")
    report = published_items_import(source=f"{other.base}/api/v1/published/", fmt="json")

    assert report.created == []
    assert PublishedItem.objects.count() == 23


def test_imports_are_not_sent_on_to_partners_nor_put_in_our_feed(other, web):
    Subscription.objects.create(name="Partner", url="https://p.example/hooks", secret="s" * 20)
    published_items_import(source=f"{other.base}/feeds/published.atom", fmt="atom")

    assert not Delivery.objects.exists()
    assert b"<entry" not in web.get("/feeds/published.atom").content


def test_the_command_reports_what_it_did(other, capsys):
    call_command("import_published", "--source", f"{other.base}/api/v1/published/", "--format", "json")
    assert "23 created, 0 updated, 0 unchanged, 1 skipped" in capsys.readouterr().out

    call_command("import_published", "--source", f"{other.base}/api/v1/published/", "--format", "json")
    assert "0 created, 0 updated, 23 unchanged, 1 skipped" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "fmt", "message"),
    [
        ("/nothing-here.atom", "atom", "answered HTTP 404"),
        ("/api/v1/published/", "atom", "is not an Atom feed"),
        ("/feeds/published.atom", "json", "did not answer JSON"),
        ("/html", "atom", "is not an Atom feed"),
        ("/dtd", "atom", "is not an Atom feed"),
        ("/api/v1/published/", "rss", "invalid choice: 'rss'"),
    ],
)
def test_a_source_that_cannot_be_read_is_refused_before_anything_is_written(other, path, fmt, message):
    other.pages["/html"] = ("text/html", b"<html><body>Maintenance</body></html>")
    other.pages["/dtd"] = (ATOM, b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed>&a;</feed>')

    with pytest.raises(CommandError, match=message):
        call_command("import_published", "--source", f"{other.base}{path}", "--format", fmt)
    assert not PublishedItem.objects.exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("ftp://other.example.vn/feed", "must be an http:// or https:// address"),
        ("https://caunoi.example.gov.vn/feeds/published.atom", "this portal itself"),
        ("http://127.0.0.1:9/feeds/published.atom", "could not be read"),
    ],
)
def test_bad_sources_are_refused_with_a_message(reference_data, settings, source, message):
    settings.PORTAL_BASE_URL = "https://caunoi.example.gov.vn"
    with pytest.raises(ImportFailed, match=message):
        published_items_import(source=source, fmt="atom")


def test_a_json_page_that_is_not_a_list_of_items_is_refused(other):
    other.pages["/odd"] = (JSON, json.dumps({"results": "nope"}).encode())
    with pytest.raises(ImportFailed, match="not a list of published items"):
        published_items_import(source=f"{other.base}/odd", fmt="json")


GENERIC_PAGE_1 = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Cổng thông tin điện tử tỉnh</title><id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-11-20T08:00:00+07:00</updated><link rel="next" href="/feed?page=2"/>
  <entry>
    <title>Hỏi về chế độ thai sản</title><id>urn:portal:hoi-dap:101</id>
    <link href="https://tinh.example.vn/hoi-dap/101"/><updated>2026-11-20T08:00:00+07:00</updated>
    <author><name>Sở Nội vụ</name></author>
    <content type="html">&lt;p&gt;Người lao động được hưởng &lt;b&gt;6 tháng&lt;/b&gt; nghỉ thai sản.&lt;/p&gt;
      &lt;p&gt;Căn cứ: Luật Bảo hiểm xã hội.&lt;/p&gt;</content>
  </entry>
</feed>"""
GENERIC_PAGE_2 = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Cổng thông tin điện tử tỉnh</title><id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-11-19T08:00:00+07:00</updated>
  <entry>
    <title>Hỏi về đăng ký tạm trú</title><id>urn:portal:hoi-dap:100</id>
    <link rel="alternate" href="https://tinh.example.vn/hoi-dap/100"/><updated>2026-11-19T08:00:00+07:00</updated>
    <summary>Đăng ký trực tuyến trên Cổng dịch vụ công.</summary>
  </entry>
  <entry><id>urn:portal:hoi-dap:99</id><updated>2026-11-18T08:00:00+07:00</updated></entry>
</feed>"""


def test_a_plain_atom_feed_of_another_kind_imports_across_its_pages(reference_data):
    pages = {
        "/feed": (ATOM, lambda: GENERIC_PAGE_1.encode()),
        "/feed?page=2": (ATOM, lambda: GENERIC_PAGE_2.encode()),
    }
    with static_site(pages) as base:
        report = published_items_import(source=f"{base}/feed", fmt="atom")

    assert len(report.created) == 2 and len(report.skipped) == 1  # the entry without a title
    items = imported()
    maternity = items["urn:portal:hoi-dap:101"]
    assert maternity.question == "Hỏi về chế độ thai sản"  # no caunoi: fields: the title is the question
    assert maternity.answer == "Người lao động được hưởng 6 tháng nghỉ thai sản.\nCăn cứ: Luật Bảo hiểm xã hội."
    assert maternity.origin_url == "https://tinh.example.vn/hoi-dap/101"
    assert maternity.origin_agency_name == "Sở Nội vụ" and maternity.agency is None
    assert maternity.published_at == dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    assert items["urn:portal:hoi-dap:100"].answer == "Đăng ký trực tuyến trên Cổng dịch vụ công."

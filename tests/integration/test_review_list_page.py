"""The web review list reaches every waiting item: pages of 50 with their numbers, a search by words
(diacritics ignored) or tracking code, and the status kept across pages and searches."""

from __future__ import annotations

import pytest
from caunoi.publication.models import Status
from django.urls import reverse

from tests.support.syndication import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(web, personas):
    web.force_login(personas["moderator"])
    return web


def _titles(page: str, prefix: str) -> set[str]:
    import re

    return set(re.findall(rf"({prefix} \d+)<", page))


def test_every_waiting_item_is_reachable_page_by_page(reviewer, reference_data):
    for n in range(230):
        make_item(title=f"Câu hỏi chờ duyệt {n}", status=Status.PENDING_REVIEW)
    seen: set[str] = set()
    url = reverse("publication:review-list")
    for number in range(1, 6):
        response = reviewer.get(url, {"status": Status.PENDING_REVIEW, "page": number})
        assert response.status_code == 200
        seen |= _titles(response.content.decode(), "Câu hỏi chờ duyệt")
    assert len(seen) == 230
    first = reviewer.get(url).content.decode()
    assert "230" in first  # how many wait, not only the first page's
    assert "page=2" in first


def test_a_search_by_words_without_diacritics_finds_the_item(reviewer, reference_data):
    make_item(title="Cấp giấy phép xây dựng nhà ở", status=Status.PENDING_REVIEW)
    make_item(title="Đăng ký khai sinh cho con", status=Status.PENDING_REVIEW)
    page = reviewer.get(reverse("publication:review-list"), {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh cho con" in page
    assert "Cấp giấy phép xây dựng nhà ở" not in page
    assert 'value="khai sinh"' in page  # what was typed stays in the box


def test_an_out_of_range_page_shows_the_last_one(reviewer, reference_data):
    make_item(title="Mục duy nhất", status=Status.PENDING_REVIEW)
    response = reviewer.get(reverse("publication:review-list"), {"page": "99"})
    assert response.status_code == 200
    assert "Mục duy nhất" in response.content.decode()
    assert reviewer.get(reverse("publication:review-list"), {"page": "abc"}).status_code == 200

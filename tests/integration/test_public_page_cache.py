"""Public pages come from a cache for anonymous visitors and carry no per-visitor state; publishing,
correcting, redacting or unpublishing an item is visible to the very next request on every public surface;
logged-in pages are never shared; the language switch works on a GET without a cookie or a token."""

from __future__ import annotations

import pytest
from caunoi.core.page_cache import STATUS_HEADER
from caunoi.publication import services
from caunoi.publication.models import PublishedItem
from django.urls import reverse

from tests.support.publication import answer, submitted_case

pytestmark = pytest.mark.django_db

SECRET = "cạnh quán cà phê Gió Lộng"  # words the privacy correction hides


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def item(personas, django_capture_on_commit_callbacks) -> PublishedItem:
    case = answer(
        submitted_case(
            title="Hỏi về lịch tiêm chủng mở rộng",
            body=f"Xin hỏi lịch tiêm chủng mở rộng tháng này tổ chức ở {SECRET} vào ngày nào ạ?",
        ),
        personas,
    )
    published = PublishedItem.objects.get(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.item_publish(item=published, by=personas["moderator"])
    published.refresh_from_db()
    return published


def public_paths(item: PublishedItem) -> list[str]:
    return [
        "/",
        reverse("publication:item", args=[item.slug]),
        reverse("publication:search") + "?q=ti%C3%AAm+ch%E1%BB%A7ng",
        reverse("publication:agency", args=[item.agency.code]),
        "/feeds/published.atom",
    ]


def test_the_second_anonymous_request_is_served_from_the_cache_without_cookies(web, item):
    for path in [*public_paths(item), "/agencies/on-time/"]:
        first, second = web.get(path), web.get(path)
        assert (first.status_code, second.status_code) == (200, 200), path
        assert (first[STATUS_HEADER], second[STATUS_HEADER]) == ("miss", "hit"), path
        assert first.content == second.content
        assert not second.cookies and not first.cookies, path  # no csrftoken, no session
        assert b"csrfmiddlewaretoken" not in second.content, path
        assert "public" in second["Cache-Control"] and "max-age=0" in second["Cache-Control"]
        assert int(second["X-Accel-Expires"]) > 0
        assert second["ETag"] == first["ETag"]


def test_a_known_etag_gets_304(web, item):
    path = reverse("publication:item", args=[item.slug])
    etag = web.get(path)["ETag"]
    again = web.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert web.get(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_each_language_is_cached_apart(web, item):
    path = reverse("publication:item", args=[item.slug])
    vietnamese = web.get(path).content.decode()
    english = web.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="vi"' in vietnamese and 'lang="en"' in english


def test_a_privacy_correction_reaches_the_next_request_on_every_surface(
    web, item, personas, django_capture_on_commit_callbacks
):
    for path in public_paths(item):
        assert web.get(path).status_code == 200
        assert web.get(path)[STATUS_HEADER] == "hit"
    assert SECRET in web.get(reverse("publication:item", args=[item.slug])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_correct_privately(
            item=item, by=personas["moderator"], reason="Lộ địa điểm cụ thể", hide=[("other", SECRET)]
        )
    for path in public_paths(item):
        response = web.get(path)
        assert response[STATUS_HEADER] == "miss", path
        assert SECRET not in response.content.decode(), path


def test_unpublishing_removes_the_item_from_the_next_request(web, item, personas, django_capture_on_commit_callbacks):
    path = reverse("publication:item", args=[item.slug])
    assert web.get(path).status_code == 200 and web.get(path)[STATUS_HEADER] == "hit"
    assert item.title in web.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_unpublish(item=item, by=personas["moderator"], reason="Thông tin đã cũ")
    assert web.get(path).status_code == 404
    assert item.title not in web.get("/").content.decode()


def test_logged_in_pages_are_never_shared(web, item, personas):
    path = reverse("publication:item", args=[item.slug])
    web.get(path)  # the anonymous copy is cached
    web.force_login(personas["official_a"])
    for _ in range(2):
        response = web.get(path)
        assert response[STATUS_HEADER] == "bypass"
        assert "private" in response["Cache-Control"]
        assert "X-Accel-Expires" not in response
    assert "private" in web.get(reverse("cases:staff-queue"))["Cache-Control"]


def test_a_page_rendered_with_a_csrf_token_is_not_stored(web, reference_data):
    response = web.get(reverse("cases:submit"))
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")


def test_the_language_switch_is_a_get_that_sets_only_the_language(web, item):
    path = reverse("publication:item", args=[item.slug])
    response = web.get(reverse("set_language"), {"language": "en", "next": path})
    assert response.status_code == 302 and response["Location"] == path
    assert response.cookies["django_language"].value == "en"
    assert web.get(path).content.decode().count('lang="en"') >= 1
    outside = web.get(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert outside["Location"] == "/"
    unknown = web.get(reverse("set_language"), {"language": "xx", "next": path})
    assert "django_language" not in unknown.cookies

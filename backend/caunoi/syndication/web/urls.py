"""Atom feeds, mounted under /feeds/ in config/urls.py."""

from collections.abc import Callable

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import path

from caunoi.core.page_cache import public_page
from caunoi.core.replica import portal_read

from ..feeds import AgencyFeed, CategoryFeed, PublishedFeed

app_name = "syndication"


def _public_feed(feed: Feed) -> Callable[..., HttpResponse]:
    """Feed readers and partner portals poll: served from the public page cache, which every public change
    purges (a privacy correction must not linger in a feed). Read from the replica when there is one."""
    return public_page(portal_read(feed))  # type: ignore[no-any-return]


urlpatterns = [
    path("published.atom", _public_feed(PublishedFeed()), name="feed-published"),
    path("agencies/<str:code>/published.atom", _public_feed(AgencyFeed()), name="feed-agency"),
    path("categories/<slug:slug>/published.atom", _public_feed(CategoryFeed()), name="feed-category"),
]

"""Atom feeds, mounted under /feeds/ in config/urls.py."""

from collections.abc import Callable

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import cache_control

from caunoi.core.replica import portal_read

from ..feeds import AgencyFeed, CategoryFeed, PublishedFeed

app_name = "syndication"


def _public_feed(feed: Feed) -> Callable[..., HttpResponse]:
    """Feed readers and partner portals poll: five minutes of caching by them and proxies costs little
    freshness. Read from the replica when there is one, like every portal page."""
    return cache_control(public=True, max_age=300)(portal_read(feed))


urlpatterns = [
    path("published.atom", _public_feed(PublishedFeed()), name="feed-published"),
    path("agencies/<str:code>/published.atom", _public_feed(AgencyFeed()), name="feed-agency"),
    path("categories/<slug:slug>/published.atom", _public_feed(CategoryFeed()), name="feed-category"),
]

"""Atom feeds, mounted under /feeds/ in config/urls.py."""

from django.urls import path
from django.views.decorators.cache import cache_control

from ..feeds import AgencyFeed, CategoryFeed, PublishedFeed

app_name = "syndication"

# Feed readers and partner portals poll; five minutes of caching by them and proxies costs little freshness.
_cached = cache_control(public=True, max_age=300)

urlpatterns = [
    path("published.atom", _cached(PublishedFeed()), name="feed-published"),
    path("agencies/<str:code>/published.atom", _cached(AgencyFeed()), name="feed-agency"),
    path("categories/<slug:slug>/published.atom", _cached(CategoryFeed()), name="feed-category"),
]

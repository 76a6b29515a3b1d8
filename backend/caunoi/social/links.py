"""Absolute links to the public pages that posts point at (posts are read far from this portal).

An item or dialogue of an agency inside a component site's subtree links to that site (the most specific
one), as a citizen following the post expects its branding and its search; anything else links to
PORTAL_BASE_URL. Component sites share the deployment's scheme and port."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from caunoi.agencies.models import Agency
from caunoi.dialogues.models import Dialogue
from caunoi.portals.selectors import BUILT_IN, origin_site, site_url
from caunoi.publication.models import PublishedItem


def _absolute(path: str, agency: Agency | None) -> str:
    base = str(settings.PORTAL_BASE_URL).rstrip("/")
    site = origin_site(BUILT_IN, agency.path) if agency is not None else None
    if site is None:
        return base + path
    parts = urlsplit(base)
    return site_url(site, scheme=parts.scheme, port=str(parts.port or ""), path=path)


def item_link(item: PublishedItem) -> str:
    return _absolute(reverse("publication:item", args=[item.slug]), item.agency)


def dialogue_link(dialogue: Dialogue) -> str:
    return _absolute(reverse("dialogues:detail", args=[dialogue.pk]), dialogue.agency)

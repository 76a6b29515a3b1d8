"""Absolute links to the public pages that posts point at (posts are read far from this portal).

An item or dialogue of an agency inside a component site's subtree links to that site (the most specific
one), as a citizen following the post expects its branding and its search; anything else links to
PORTAL_BASE_URL. Component sites share the deployment's scheme and port."""

from __future__ import annotations

from django.urls import reverse

from caunoi.agencies.models import Agency
from caunoi.dialogues.models import Dialogue
from caunoi.portals.selectors import covering_site_url
from caunoi.publication.models import PublishedItem


def _absolute(path: str, agency: Agency | None) -> str:
    return covering_site_url(path, agency.path if agency is not None else "")


def item_link(item: PublishedItem) -> str:
    return _absolute(reverse("publication:item", args=[item.slug]), item.agency)


def dialogue_link(dialogue: Dialogue) -> str:
    return _absolute(reverse("dialogues:detail", args=[dialogue.pk]), dialogue.agency)

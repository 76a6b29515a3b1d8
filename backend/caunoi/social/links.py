"""Absolute links to the public pages that posts point at (posts are read far from this portal)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from caunoi.dialogues.models import Dialogue
from caunoi.publication.models import PublishedItem


def _absolute(path: str) -> str:
    return str(settings.PORTAL_BASE_URL).rstrip("/") + path


def item_link(item: PublishedItem) -> str:
    return _absolute(reverse("publication:item", args=[item.slug]))


def dialogue_link(dialogue: Dialogue) -> str:
    return _absolute(reverse("dialogues:detail", args=[dialogue.pk]))

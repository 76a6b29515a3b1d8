"""Atom feeds of published items: the whole portal, one agency (and those below it), one category.

Entries carry, besides standard Atom, the item's structured fields in the `caunoi:` namespace
(`FEED_NAMESPACE`): feed readers ignore them, and another Cầu Nối instance imports from them
(`services/imports.py`) without scraping the HTML content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from caunoi.agencies.models import Agency, Category
from caunoi.portals.selectors import BUILT_IN, PortalSite, site_base_url, site_of
from caunoi.publication.models import PublishedItem

from .events import item_url, tag_uri
from .selectors import published_for_feed

FEED_NAMESPACE = "https://caunoi.gov.vn/ns/published-item/1"
SUMMARY_LENGTH = 300


class PublishedItemsAtom(Atom1Feed):
    """Atom with the `caunoi:` extension elements (RFC 4287 §6: foreign markup readers skip)."""

    def root_attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = super().root_attributes()
        attributes["xmlns:caunoi"] = FEED_NAMESPACE
        return attributes

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        for name, value in item["extension"]:
            if value not in (None, ""):
                handler.addQuickElement(f"caunoi:{name}", value)


@dataclass(frozen=True)
class FeedScope:
    """What one feed request lists: the items of `site` (its agency subtree on a component site), narrowed
    to an agency and those below it, or to a category. One Feed instance serves every request, so this,
    not the instance, carries the request's site."""

    site: PortalSite
    agency: Agency | None = None
    category: Category | None = None

    @property
    def base_url(self) -> str:
        return site_base_url(self.site)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"


class PublishedFeed(Feed):
    feed_type = PublishedItemsAtom

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        return FeedScope(site_of(request))

    def title(self, obj: FeedScope) -> str:
        return _("%(portal)s: latest published answers") % {"portal": obj.site.display_name}

    def subtitle(self, obj: FeedScope) -> str:
        return _("Questions from citizens and the answers of government agencies.")

    def link(self, obj: FeedScope) -> str:
        return obj.base_url + "/"

    def feed_url(self, obj: FeedScope) -> str:
        return f"{obj.base_url}/feeds/{self.narrowed_to(obj)}published.atom"

    def feed_guid(self, obj: FeedScope) -> str:
        # Readers key their subscriptions on this id: it keeps the form it had before sites were narrowed.
        return f"tag:{obj.host},2026:feeds/{self.narrowed_to(obj).rstrip('/') or 'published'}"

    def narrowed_to(self, obj: FeedScope) -> str:
        """The part of the feed's path naming what it is narrowed to ("agencies/<code>/"), "" for none."""
        return ""

    def author_name(self, obj: FeedScope) -> str:
        return obj.site.display_name

    def items(self, obj: FeedScope) -> list[PublishedItem]:
        return published_for_feed(agency=obj.agency, category=obj.category, within_path=obj.site.agency_path)

    def item_title(self, item: PublishedItem) -> str:
        return item.title

    def item_description(self, item: PublishedItem) -> str:
        # <summary type="html">: the start of the answer, escaped (the full texts are in <content>).
        return escape(Truncator(item.answer).chars(SUMMARY_LENGTH))

    def item_link(self, item: PublishedItem) -> str:
        return item_url(item)

    def item_guid(self, item: PublishedItem) -> str:
        return tag_uri(item)

    def item_guid_is_permalink(self, item: PublishedItem) -> bool:
        return False

    def item_pubdate(self, item: PublishedItem) -> Any:
        return item.published_at

    def item_updateddate(self, item: PublishedItem) -> Any:
        # A correction changes `updated`; the id stays, so readers replace the entry rather than add one.
        return item.updated_at

    def item_author_name(self, item: PublishedItem) -> str:
        return item.agency.name if item.agency is not None else (item.origin_agency_name or BUILT_IN.name)

    def item_categories(self, item: PublishedItem) -> list[str]:
        return [item.category.name] if item.category is not None else []

    def item_extra_kwargs(self, item: PublishedItem) -> dict[str, Any]:
        return {"content_html": _content_html(item), "extension": _extension(item)}


class AgencyFeed(PublishedFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        site = site_of(request)
        agency = get_object_or_404(Agency, code=kwargs["code"], is_active=True, path__startswith=site.agency_path)
        return FeedScope(site, agency=agency)

    def title(self, obj: FeedScope) -> str:
        assert obj.agency is not None
        return _("%(agency)s: latest published answers") % {"agency": obj.agency.display_name}

    def narrowed_to(self, obj: FeedScope) -> str:
        assert obj.agency is not None
        return f"agencies/{obj.agency.code}/"


class CategoryFeed(PublishedFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        return FeedScope(site_of(request), category=get_object_or_404(Category, slug=kwargs["slug"], is_active=True))

    def title(self, obj: FeedScope) -> str:
        assert obj.category is not None
        return _("%(category)s: latest published answers") % {"category": obj.category.display_name}

    def narrowed_to(self, obj: FeedScope) -> str:
        assert obj.category is not None
        return f"categories/{obj.category.slug}/"


def _content_html(item: PublishedItem) -> str:
    return str(
        format_html(
            "<h2>{}</h2>{}<h2>{}</h2>{}",
            _("Question"),
            mark_safe(linebreaks(item.question, autoescape=True)),  # noqa: S308  (linebreaks escaped the text)
            _("Answer"),
            mark_safe(linebreaks(item.answer, autoescape=True)),  # noqa: S308
        )
    )


def _date(value: Any) -> str | None:
    return rfc3339_date(value) if value is not None else None


def _extension(item: PublishedItem) -> list[tuple[str, str | None]]:
    return [
        ("slug", item.slug),
        ("kind", item.kind),
        ("question", item.question),
        ("answer", item.answer),
        ("asker", item.asker_display),
        ("agencyCode", item.agency.code if item.agency is not None else None),
        ("agencyName", item.agency.name if item.agency is not None else item.origin_agency_name),
        ("categorySlug", item.category.slug if item.category is not None else None),
        ("receivedAt", _date(item.received_at)),
        ("answeredAt", _date(item.answered_at)),
        ("dueAt", _date(item.due_at)),
    ]

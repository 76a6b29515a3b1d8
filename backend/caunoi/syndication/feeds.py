"""Atom feeds of published items: the whole portal, one agency (and those below it), one category.

Entries carry, besides standard Atom, the item's structured fields in the `caunoi:` namespace
(`FEED_NAMESPACE`): feed readers ignore them, and another Cầu Nối instance imports from them
(`services/imports.py`) without scraping the HTML content.
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from caunoi.agencies.models import Agency, Category
from caunoi.publication.models import PublishedItem

from .events import item_url, portal_authority, portal_base_url, tag_uri
from .selectors import published_for_feed

FEED_NAMESPACE = "https://caunoi.gov.vn/ns/published-item/1"
PORTAL_NAME = "Cầu Nối"
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


class PublishedFeed(Feed):
    feed_type = PublishedItemsAtom

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return None

    def title(self, obj: Any) -> str:
        return _("%(portal)s: latest published answers") % {"portal": PORTAL_NAME}

    def subtitle(self, obj: Any) -> str:
        return _("Questions from citizens and the answers of government agencies.")

    def link(self, obj: Any) -> str:
        return portal_base_url() + "/"

    def feed_url(self, obj: Any) -> str:
        return portal_base_url() + "/feeds/published.atom"

    def feed_guid(self, obj: Any) -> str:
        return f"tag:{portal_authority().split(':')[0]},2026:feeds/published"

    def author_name(self, obj: Any) -> str:
        return PORTAL_NAME

    def items(self, obj: Any) -> list[PublishedItem]:
        return published_for_feed()

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
        return item.agency.name if item.agency is not None else (item.origin_agency_name or PORTAL_NAME)

    def item_categories(self, item: PublishedItem) -> list[str]:
        return [item.category.name] if item.category is not None else []

    def item_extra_kwargs(self, item: PublishedItem) -> dict[str, Any]:
        return {"content_html": _content_html(item), "extension": _extension(item)}


class AgencyFeed(PublishedFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Agency:
        return get_object_or_404(Agency, code=kwargs["code"], is_active=True)

    def title(self, obj: Agency) -> str:
        return _("%(agency)s: latest published answers") % {"agency": obj.display_name}

    def feed_url(self, obj: Agency) -> str:
        return f"{portal_base_url()}/feeds/agencies/{obj.code}/published.atom"

    def feed_guid(self, obj: Agency) -> str:
        return f"tag:{portal_authority().split(':')[0]},2026:feeds/agencies/{obj.code}"

    def items(self, obj: Agency) -> list[PublishedItem]:
        return published_for_feed(agency=obj)


class CategoryFeed(PublishedFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Category:
        return get_object_or_404(Category, slug=kwargs["slug"], is_active=True)

    def title(self, obj: Category) -> str:
        return _("%(category)s: latest published answers") % {"category": obj.display_name}

    def feed_url(self, obj: Category) -> str:
        return f"{portal_base_url()}/feeds/categories/{obj.slug}/published.atom"

    def feed_guid(self, obj: Category) -> str:
        return f"tag:{portal_authority().split(':')[0]},2026:feeds/categories/{obj.slug}"

    def items(self, obj: Category) -> list[PublishedItem]:
        return published_for_feed(category=obj)


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

"""Pull with provenance: import another portal's published items from its Atom feed or its JSON API.

Each imported item keeps where it came from (`origin_portal` = the source's host, `origin_id` = its slug
there, `origin_url` = its page there, `origin_agency_name`); (origin_portal, origin_id) is unique, so a
second import updates the items that changed and leaves the others alone. Imported items are published
here at once (their origin reviewed and redacted them), unless an administrator unpublished the copy here:
an import never publishes it again. They are searchable like our own (the search vector is a generated
column; their title words join publication's "did you mean" vocabulary) and are never sent on (not in
our feeds, Open311 or webhooks).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import Kind
from caunoi.core.errors import ApplicationError
from caunoi.publication.models import PublishedItem
from caunoi.publication.services import item_upsert_imported

from ..events import portal_authority
from ..feeds import FEED_NAMESPACE

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
EXT = "{" + FEED_NAMESPACE + "}"
MAX_PAGES = 50
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
TIMEOUT = 15.0
USER_AGENT = "CauNoi-Import/1"
FORMATS = ("atom", "json")
_BLOCK_END = re.compile(r"<(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


class ImportFailed(ApplicationError):
    """The source could not be read (unreachable, not 200, not Atom or JSON, or this portal itself)."""


@dataclass
class Remote:
    """One item as read from the source, before it is matched to a row here."""

    origin_id: str
    title: str
    question: str
    answer: str
    kind: str = Kind.QUESTION
    asker_display: str = ""
    agency_code: str = ""
    agency_name: str = ""
    category_slug: str = ""
    url: str = ""
    received_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    due_at: dt.datetime | None = None


@dataclass
class ImportReport:
    origin_portal: str
    created: list[str] = field(default_factory=list)  # slugs here
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why, one line each


def published_items_import(
    *, source: str, fmt: str = "atom", max_pages: int = MAX_PAGES, origin: str = ""
) -> ImportReport:
    """Reads every page of `source` (an Atom feed, following `rel="next"` links, or the JSON API's paginated
    list, following `next`), then creates or updates the items in one transaction.

    Raises ImportFailed before writing anything when the source cannot be read. Entries without an id or
    a title, and items the source itself imported from elsewhere, are skipped and listed in the report.
    `origin` names the portal (host) the items are kept under; by default the source's host (a configured
    partner gives its portal's, so that its pushes and its feed update the same copies)."""
    if fmt not in FORMATS:
        raise ImportFailed(_("Unknown format “%(format)s”: use atom or json.") % {"format": fmt})
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImportFailed(_("The source must be an http:// or https:// address."))
    origin = (origin or parts.netloc).lower()
    if origin == portal_authority().lower():
        raise ImportFailed(_("The source is this portal itself."))
    report = ImportReport(origin_portal=origin)
    remotes = _read_atom(source, max_pages, report) if fmt == "atom" else _read_json(source, max_pages, report)
    with transaction.atomic():
        for remote in remotes:
            _upsert(remote, origin=origin, report=report)
    logger.info(
        "import from %s: %s created, %s updated, %s unchanged, %s skipped",
        origin, len(report.created), len(report.updated), len(report.unchanged), len(report.skipped),
    )  # fmt: skip
    return report


def _upsert(remote: Remote, *, origin: str, report: ImportReport) -> None:
    values: dict[str, Any] = {
        "kind": remote.kind if remote.kind in Kind.values else Kind.QUESTION,
        "title": remote.title[:255],
        "question": remote.question,
        "answer": remote.answer,
        "asker_display": remote.asker_display[:120],
        "agency_id": Agency.objects.filter(code=remote.agency_code).values_list("pk", flat=True).first()
        if remote.agency_code
        else None,
        "category_id": Category.objects.filter(slug=remote.category_slug).values_list("pk", flat=True).first()
        if remote.category_slug
        else None,
        "received_at": remote.received_at,
        "answered_at": remote.answered_at,
        "due_at": remote.due_at,
        "origin_url": remote.url[:500],
        "origin_agency_name": remote.agency_name[:255],
    }
    outcome, item = item_upsert_imported(
        origin=origin,
        origin_id=remote.origin_id,
        values=values,
        published_at=remote.published_at or timezone.now(),
        new_slug=lambda: _free_slug(origin, remote.origin_id),
    )
    getattr(report, outcome).append(item.slug)  # report.created, .updated or .unchanged


def _free_slug(origin: str, origin_id: str) -> str:
    """A slug here that names the origin, e.g. "portal-example-vn--hoi-ve-so-do-42", unique."""
    base = f"{slugify(origin.replace('.', '-').replace(':', '-'))}--{slugify(origin_id)}"[:110].strip("-")
    slug, n = base, 1
    while PublishedItem.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _fetch(url: str, accept: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310  (http(s) checked above)
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ImportFailed(_("%(url)s answered HTTP %(code)d.") % {"url": url, "code": exc.code}) from exc
    except (OSError, ValueError) as exc:
        raise ImportFailed(_("%(url)s could not be read: %(error)s") % {"url": url, "error": exc}) from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise ImportFailed(_("%(url)s sent more than 20 MB.") % {"url": url})
    return body


# Atom


def _read_atom(source: str, max_pages: int, report: ImportReport) -> list[Remote]:
    remotes: list[Remote] = []
    url: str | None = source
    seen: set[str] = set()
    while url and url not in seen and len(seen) < max_pages:
        seen.add(url)
        body = _fetch(url, "application/atom+xml")
        if b"<!DOCTYPE" in body[:2048].upper():
            # Atom never needs a DTD; refusing one rules out entity expansion tricks.
            raise ImportFailed(_("%(url)s is not an Atom feed.") % {"url": url})
        try:
            feed = ET.fromstring(body)  # noqa: S314  (no DTD, checked above)
        except ET.ParseError as exc:
            raise ImportFailed(_("%(url)s is not an Atom feed.") % {"url": url}) from exc
        if feed.tag != f"{ATOM}feed":
            raise ImportFailed(_("%(url)s is not an Atom feed.") % {"url": url})
        for entry in feed.findall(f"{ATOM}entry"):
            remote = _atom_entry(entry)
            if remote is None:
                report.skipped.append(_("An entry without an id or a title."))
            else:
                remotes.append(remote)
        next_link = next((link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "next"), None)
        url = urljoin(url, next_link.get("href", "")) if next_link is not None else None
    return remotes


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _atom_entry(entry: ET.Element) -> Remote | None:
    origin_id = _text(entry, f"{EXT}slug") or _text(entry, f"{ATOM}id")
    title = _text(entry, f"{ATOM}title")
    if not origin_id or not title:
        return None
    link = next(
        (el.get("href", "") for el in entry.findall(f"{ATOM}link") if el.get("rel", "alternate") == "alternate"), ""
    )
    content = _text(entry, f"{ATOM}content") or _text(entry, f"{ATOM}summary")
    return Remote(
        origin_id=origin_id,
        title=title,
        # A feed of another kind (no caunoi: fields): the title is the question, the text the answer.
        question=_text(entry, f"{EXT}question") or title,
        answer=_text(entry, f"{EXT}answer") or _plain_text(content),
        kind=_text(entry, f"{EXT}kind") or Kind.QUESTION,
        asker_display=_text(entry, f"{EXT}asker"),
        agency_code=_text(entry, f"{EXT}agencyCode"),
        agency_name=_text(entry, f"{EXT}agencyName") or _text(entry, f"{ATOM}author/{ATOM}name"),
        category_slug=_text(entry, f"{EXT}categorySlug"),
        url=link,
        received_at=_moment(_text(entry, f"{EXT}receivedAt")),
        answered_at=_moment(_text(entry, f"{EXT}answeredAt")),
        published_at=_moment(_text(entry, f"{ATOM}published")) or _moment(_text(entry, f"{ATOM}updated")),
        due_at=_moment(_text(entry, f"{EXT}dueAt")),
    )


def _plain_text(html: str) -> str:
    """The text of an HTML fragment: paragraphs on lines of their own, inline markup dropped."""
    text = unescape(_TAGS.sub("", _BLOCK_END.sub("\n", html)))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# JSON


def _read_json(source: str, max_pages: int, report: ImportReport) -> list[Remote]:
    remotes: list[Remote] = []
    url: str | None = source
    seen: set[str] = set()
    while url and url not in seen and len(seen) < max_pages:
        seen.add(url)
        page = _json(url)
        results = page.get("results") if isinstance(page, dict) else page
        if not isinstance(results, list):
            raise ImportFailed(_("%(url)s is not a list of published items.") % {"url": url})
        for data in results:
            remote = _json_item(data, list_url=url, report=report)
            if remote is not None:
                remotes.append(remote)
        next_url = page.get("next") if isinstance(page, dict) else None
        url = urljoin(url, next_url) if isinstance(next_url, str) and next_url else None
    return remotes


def _json(url: str) -> Any:
    try:
        return json.loads(_fetch(url, "application/json"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFailed(_("%(url)s did not answer JSON.") % {"url": url}) from exc


def _json_item(data: Any, *, list_url: str, report: ImportReport) -> Remote | None:
    if not isinstance(data, dict) or not _str(data.get("slug")) or not _str(data.get("title")):
        report.skipped.append(_("An item without a slug or a title."))
        return None
    slug = _str(data["slug"])
    origin = data.get("origin")
    if _str(data.get("origin_portal")) or (isinstance(origin, dict) and _str(origin.get("portal"))):
        report.skipped.append(_("%(slug)s: imported there from another portal.") % {"slug": slug})
        return None
    if "question" not in data or "answer" not in data:
        # A list that shows snippets only: the detail has the full texts.
        detail_url = _str(data.get("api_url")) or urljoin(list_url.split("?")[0], f"{slug}/")
        detail = _json(detail_url)
        data = {**data, **detail} if isinstance(detail, dict) else data
    agency, category = data.get("agency"), data.get("category")
    return Remote(
        origin_id=slug,
        title=_str(data.get("title")),
        question=_str(data.get("question")),
        answer=_str(data.get("answer")),
        kind=_str(data.get("kind")) or Kind.QUESTION,
        asker_display=_str(data.get("asker_display")),
        agency_code=_str(agency.get("code")) if isinstance(agency, dict) else _str(agency),
        agency_name=_str(agency.get("name")) if isinstance(agency, dict) else _str(data.get("agency_name")),
        category_slug=_str(category.get("slug")) if isinstance(category, dict) else _str(category),
        url=_str(data.get("url")),
        received_at=_moment(_str(data.get("received_at"))),
        answered_at=_moment(_str(data.get("answered_at"))),
        published_at=_moment(_str(data.get("published_at"))),
        due_at=_moment(_str(data.get("due_at"))),
    )


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _moment(value: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(value) if value else None
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # Atom dates have whole seconds, the JSON API's do not: without this, importing one portal by turns
    # from its feed and its API would "update" every item every time.
    return moment.replace(microsecond=0)

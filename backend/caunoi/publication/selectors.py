"""Reads of published items for the portal pages, the review list and the similar-questions lookup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, QuerySet, TextField, Value
from django.db.models.functions import Concat

from caunoi.accounts.models import User
from caunoi.agencies.models import Agency, Category
from caunoi.cases.access import TRACKING_CODE
from caunoi.core import clock
from caunoi.core.db import VnUnaccent
from caunoi.core.replica import read_alias
from caunoi.core.text import normalize, vn_fold
from caunoi.core.versioned_cache import VersionedCache
from caunoi.deadlines.selectors import calendar_in_force
from caunoi.portals.selectors import PortalSite, origin_site
from caunoi.workflows.registry import workflows

from .access import items_for_reviewer
from .models import PublishedItem, Status
from .search import _WORD

SIMILAR_MAX_TEXT = 500
# Below this trigram similarity a title shares too little with the text to be offered as "the same question".
SIMILARITY_FLOOR = 0.2


def published_items(*, within_path: str = "") -> QuerySet[PublishedItem]:
    """Published items, of the agency subtree at `within_path` only when it is given (a component site)."""
    items = PublishedItem.objects.filter(status=Status.PUBLISHED).select_related("agency", "category")
    if within_path:
        items = items.filter(agency__path__startswith=within_path)
    return items


@dataclass
class Group:
    """A heading on the home page (an agency or a category) with its latest answers."""

    key: Agency | Category
    count: int
    latest: list[PublishedItem]


def published_by_agency(*, groups: int = 6, per_group: int = 3, within_path: str = "") -> list[Group]:
    """The agencies with the most published answers, each with its latest ones."""
    counts = (
        published_items(within_path=within_path)
        .exclude(agency=None)
        .values("agency")
        .annotate(n=Count("id"))
        .order_by("-n", "agency")[:groups]
    )
    agencies = Agency.objects.in_bulk([row["agency"] for row in counts])
    return [
        Group(
            agencies[row["agency"]],
            row["n"],
            list(published_items().filter(agency_id=row["agency"]).order_by("-published_at", "-id")[:per_group]),
        )
        for row in counts
    ]


def published_by_category(*, groups: int = 6, per_group: int = 3, within_path: str = "") -> list[Group]:
    counts = (
        published_items(within_path=within_path)
        .exclude(category=None)
        .values("category")
        .annotate(n=Count("id"))
        .order_by("-n", "category")[:groups]
    )
    categories = Category.objects.in_bulk([row["category"] for row in counts])
    return [
        Group(
            categories[row["category"]],
            row["n"],
            list(
                published_items(within_path=within_path)
                .filter(category_id=row["category"])
                .order_by("-published_at", "-id")[:per_group]
            ),
        )
        for row in counts
    ]


@dataclass
class HomeData:
    latest: list[PublishedItem]
    by_agency: list[Group]
    by_category: list[Group]


def _home_for(within_path: str) -> HomeData:
    return HomeData(
        list(published_items(within_path=within_path).order_by("-published_at", "-id")[:5]),
        published_by_agency(within_path=within_path),
        published_by_category(within_path=within_path),
    )


# The front page's groups count every published item: computed once per process per change (the services'
# signals invalidate it, see receivers.py), and at most a minute old for items imported by other code.
# One entry per site subtree asked for (as many as there are sites), filled on first use after each change.
home_cache: VersionedCache[dict[str, HomeData]] = VersionedCache("published-home", dict, max_age=60.0)


def portal_home(*, within_path: str = "") -> HomeData:
    """What the front page of a site covering the agency subtree at `within_path` ("" for all) shows: the
    latest answers and the busiest agencies and topics with theirs."""
    by_subtree = home_cache.get()
    data = by_subtree.get(within_path)
    if data is None:
        data = by_subtree[within_path] = _home_for(within_path)
    return data


def site_agencies(site: PortalSite) -> QuerySet[Agency]:
    """The agencies a site's search offers as a filter: its subtree's root and the level below it (for the
    whole country, the top two levels)."""
    agencies = Agency.objects.filter(is_active=True, path__startswith=site.agency_path)
    return agencies.filter(depth__lte=site.agency_depth + 1 if site.is_component else 1).order_by("path")


def with_origins(items: Iterable[PublishedItem], site: PortalSite) -> None:
    """Marks each item published by a component site below `site` with that site (`item.origin_site`), so
    the parent portal can say where it comes from. Items of `site` itself get None."""
    for item in items:
        path = item.agency.path if item.agency is not None else ""
        item.origin_site = origin_site(site, path)  # type: ignore[attr-defined]


def published_similar(*, text: str, limit: int = 5, within_path: str = "") -> list[PublishedItem]:
    """Published items whose title is nearest `text` by trigrams (diacritics ignored), together with those
    containing all its words (full-text), best first; with `within_path` (a component site's subtree) only
    those of the agencies inside it. Short texts find nothing: nothing to compare yet."""
    text = " ".join(normalize(text).split())[:SIMILAR_MAX_TEXT]
    words = [vn_fold(w) for w in _WORD.findall(text)]
    if len(text) < 6 or not words:
        return []
    folded = " ".join(words)
    # Nearest titles come straight from the GiST index (ORDER BY distance LIMIT); items with every word
    # are ranked over a bounded candidate set. Both lists are short; the union is ordered by similarity.
    # Paths are digits and slashes (Agency.path), so the prefix needs no LIKE escaping.
    in_site = "AND i.agency_id IN (SELECT a.id FROM agencies_agency a WHERE a.path LIKE %s)" if within_path else ""
    site = [within_path + "%"] if within_path else []
    sql = f"""
        WITH nearest AS (
            SELECT i.id FROM publication_publisheditem i
            WHERE i.status = 'published' {in_site}
            ORDER BY vn_unaccent(i.title) <-> %s LIMIT 10
        ), with_words AS (
            SELECT c.id FROM (
                SELECT i.id, i.search_vector FROM publication_publisheditem i
                WHERE i.status = 'published' {in_site} AND i.search_vector @@ plainto_tsquery('simple', %s) LIMIT 200
            ) c ORDER BY ts_rank(c.search_vector, plainto_tsquery('simple', %s)) DESC LIMIT 10
        )
        SELECT i.id FROM publication_publisheditem i
        WHERE i.id IN (SELECT id FROM nearest UNION SELECT id FROM with_words)
          AND (similarity(vn_unaccent(i.title), %s) >= %s OR i.id IN (SELECT id FROM with_words))
        ORDER BY similarity(vn_unaccent(i.title), %s) DESC, i.published_at DESC
        LIMIT %s
    """  # noqa: S608  (only the fixed condition above is formatted in; values travel as parameters)
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [*site, folded, *site, folded, folded, folded, SIMILARITY_FLOOR, folded, limit])
        ids = [row[0] for row in cursor.fetchall()]
    by_id = published_items().defer("search_vector", "source_title", "source_question", "source_answer").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def review_list(
    user: User,
    *,
    status: str = Status.PENDING_REVIEW,
    agency: Agency | None = None,
    category: Category | None = None,
    kind: str = "",
    query: str = "",
) -> QuerySet[PublishedItem]:
    """Items waiting for (or past) review that `user` may act on, oldest waiting first. `agency` includes
    the agencies below it; `query` matches words of the title or question (diacritics and case ignored),
    or a case's tracking code."""
    items = items_for_reviewer(user)
    if status in Status.values:
        items = items.filter(status=status)
    if agency is not None:
        items = items.filter(agency__path__startswith=agency.path)
    if category is not None:
        items = items.filter(category=category)
    if kind:
        items = items.filter(kind=kind)
    query = query.strip()
    if query and TRACKING_CODE.fullmatch(query.upper()):
        items = items.filter(case__tracking_code=query.upper())
    elif query:
        items = items.annotate(folded=VnUnaccent(Concat("title", Value(" "), "question", output_field=TextField())))
        for word in vn_fold(query).split():
            items = items.filter(folded__contains=word)
    return items.order_by("created_at", "id")


@dataclass(frozen=True)
class Timing:
    """How long the agency took, in the unit of the legal period for the item's kind."""

    days_taken: int
    legal_days: int
    unit: str  # working_days | calendar_days
    on_time: bool | None


def item_timing(item: PublishedItem) -> Timing | None:
    """Days from receipt to answer counted like the legal period (which starts the day after receipt)."""
    if item.received_at is None or item.answered_at is None:
        return None
    period = workflows().deadline_policy.kinds.get(item.kind)
    if period is None:
        return None
    start, end = clock.local_date(item.received_at), clock.local_date(item.answered_at)
    if period.unit == "working_days":
        calendar = calendar_in_force()
        days = sum(1 for n in range(1, (end - start).days + 1) if calendar.is_working_day(start + dt.timedelta(days=n)))
    else:
        days = max(0, (end - start).days)
    return Timing(days, period.days, period.unit, item.answered_on_time)

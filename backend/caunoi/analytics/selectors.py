"""The figures of the analytics pages and exports, read from the daily tables for a site and a period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, Sum

from caunoi.publication.models import PublishedItem, Status
from caunoi.reports.periods import Period

from .models import ItemViewDay, SearchTermDay

ALL_SITES = "all"
BUILT_IN_SITE = "built-in"


@dataclass(frozen=True)
class Site:
    """Which site's figures: every site together, the built-in site (portal_id NULL) or one portal."""

    key: str  # ALL_SITES, BUILT_IN_SITE or the portal id as text
    portal_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.key == ALL_SITES

    def where(self) -> Q:
        if self.everything:
            return Q()
        if self.key == BUILT_IN_SITE:
            return Q(portal_id__isnull=True)
        return Q(portal_id=self.portal_id)

    def sql(self) -> tuple[str, list[Any]]:
        if self.everything:
            return "", []
        if self.key == BUILT_IN_SITE:
            return " AND portal_id IS NULL", []
        return " AND portal_id = %s", [self.portal_id]


@dataclass(frozen=True)
class ItemRow:
    item_id: int
    title: str
    slug: str
    is_published: bool
    views: int


@dataclass(frozen=True)
class TermRow:
    label: str  # the most frequent spelling of the words
    folded: str  # the words without diacritics: what rows are grouped by
    searches: int
    found_nothing: int
    spellings: int  # how many spellings were grouped into this row


@dataclass(frozen=True)
class Totals:
    views: int
    searches: int
    found_nothing: int

    @property
    def found_nothing_rate(self) -> float | None:
        return self.found_nothing / self.searches if self.searches else None


def analytics_totals(*, site: Site, period: Period) -> Totals:
    days = Q(day__range=(period.first_day, period.last_day)) & site.where()
    views = ItemViewDay.objects.filter(days).aggregate(n=Sum("count"))["n"] or 0
    searches = SearchTermDay.objects.filter(days).aggregate(n=Sum("count"), none=Sum("count", filter=Q(found=False)))
    return Totals(views=views, searches=searches["n"] or 0, found_nothing=searches["none"] or 0)


def most_read_items(*, site: Site, period: Period, limit: int) -> list[ItemRow]:
    """Items by views in the period, most first (ties by id), with their current title."""
    rows = list(
        ItemViewDay.objects.filter(Q(day__range=(period.first_day, period.last_day)) & site.where())
        .values("item_id")
        .annotate(views=Sum("count"))
        .order_by("-views", "item_id")[:limit]
    )
    items = PublishedItem.objects.in_bulk([row["item_id"] for row in rows])
    return [
        ItemRow(
            item_id=row["item_id"],
            title=items[row["item_id"]].title,
            slug=items[row["item_id"]].slug,
            is_published=items[row["item_id"]].status == Status.PUBLISHED,
            views=row["views"],
        )
        for row in rows
        if row["item_id"] in items
    ]


def searched_terms(*, site: Site, period: Period, limit: int, unmet_only: bool = False) -> list[TermRow]:
    """Search words grouped by their form without diacritics, most searched first, labelled with their most
    frequent spelling (on a tie, one written with diacritics); with `unmet_only`, only
    those that found nothing at least once, ordered by how often they found nothing."""
    site_sql, site_params = site.sql()
    having = "HAVING sum(unmet) > 0 ORDER BY sum(unmet) DESC" if unmet_only else "ORDER BY sum(n) DESC"
    sql = f"""
        WITH per_term AS (
            SELECT folded, term, sum(count) AS n, coalesce(sum(count) FILTER (WHERE NOT found), 0) AS unmet
              FROM analytics_searchtermday
             WHERE day BETWEEN %s AND %s{site_sql}
             GROUP BY folded, term
        )
        SELECT (array_agg(term ORDER BY n DESC, term = folded, term))[1], folded, sum(n), sum(unmet), count(*)
          FROM per_term
         GROUP BY folded
         {having}, folded
         LIMIT %s
    """  # noqa: S608 - only constant fragments are formatted in
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.first_day, period.last_day, *site_params, limit])
        return [
            TermRow(label=label, folded=folded, searches=int(n), found_nothing=int(unmet), spellings=int(spellings))
            for label, folded, n, unmet, spellings in cursor.fetchall()
        ]


def item_view_totals(*, ids: list[int]) -> dict[int, int]:
    """Views of these published items over every day and site (the FAQ ranks answers by them)."""
    rows = ItemViewDay.objects.filter(item_id__in=ids).values("item_id").annotate(n=Sum("count"))
    return {row["item_id"]: row["n"] for row in rows}

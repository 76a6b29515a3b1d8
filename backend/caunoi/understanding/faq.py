"""The public FAQ of an agency: per category, the published answers most asked again (cases linked to the
answered case as duplicates) and most read (views counted by the analytics app, reached through
core.hooks.item_view_counts since it sits above this one), the agency's subtree included."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from caunoi.agencies.models import Agency, Category
from caunoi.core import hooks
from caunoi.publication.models import PublishedItem, Status

PER_CATEGORY = 5
CANDIDATES = 200


@dataclass
class FaqGroup:
    category: Category | None
    items: list[PublishedItem]


def agency_faq(agency: Agency, *, within_path: str = "") -> list[FaqGroup]:
    """Categories with their most asked and most read answers (`item.asked_again`, `item.views` set), the
    categories with the most asked answers first. Ties go to the newer answer."""
    items = list(
        PublishedItem.objects.filter(status=Status.PUBLISHED, agency__path__startswith=agency.path)
        .filter(agency__path__startswith=within_path)
        .select_related("category", "agency")
        .defer("search_vector", "source_title", "source_question", "source_answer")
        .annotate(asked_again=Count("case__duplicates"))
        .order_by("-asked_again", "-published_at", "-id")[:CANDIDATES]
    )
    views = hooks.item_view_counts.call(ids=[i.pk for i in items])
    for item in items:
        item.views = views.get(item.pk, 0)  # type: ignore[attr-defined]
    items.sort(key=lambda i: (-i.asked_again, -i.views, -(i.published_at.timestamp() if i.published_at else 0)))  # type: ignore[attr-defined]
    groups: dict[int | None, FaqGroup] = {}
    for item in items:
        group = groups.setdefault(item.category_id, FaqGroup(item.category, []))
        if len(group.items) < PER_CATEGORY:
            group.items.append(item)
    return sorted(groups.values(), key=lambda g: -sum(i.asked_again + i.views for i in g.items))  # type: ignore[attr-defined]

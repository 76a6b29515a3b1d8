"""Reads for following and support."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from caunoi.publication.models import PublishedItem, Status

from .models import Support


def support_count(item: PublishedItem) -> int:
    return Support.objects.filter(item=item).count()


def most_supported(limit: int = 50) -> QuerySet[PublishedItem]:
    """Published items with at least one "me too", most supported first (ties: newest first); each has
    `supporters`. One grouped scan of supports, joined to the items."""
    counts = Support.objects.filter(item=OuterRef("pk")).order_by().values("item").annotate(n=Count("id")).values("n")
    return (
        PublishedItem.objects.filter(status=Status.PUBLISHED)
        .select_related("agency")
        .annotate(supporters=Coalesce(Subquery(counts, output_field=IntegerField()), 0))
        .filter(supporters__gt=0)
        .order_by("-supporters", "-published_at")[:limit]
    )

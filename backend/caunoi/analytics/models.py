"""Daily counts, filled by the flush task from Redis. No row says anything about a person.

`portal_id` is the site's id, NULL for the built-in site. It is a plain number rather than a foreign key:
the figures of a site outlive its removal, and a flush never fails on a site deleted since the count.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from caunoi.publication.models import PublishedItem


class ItemViewDay(models.Model):
    portal_id = models.BigIntegerField(_("site"), null=True, blank=True)
    item = models.ForeignKey(
        PublishedItem, verbose_name=_("published item"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("views"))

    class Meta:
        verbose_name = _("views of an item on a day")
        verbose_name_plural = _("views of items per day")
        constraints = [
            # NULLS NOT DISTINCT (PostgreSQL 15): the built-in site's rows conflict like any other's on upsert.
            models.UniqueConstraint(
                fields=["portal_id", "item", "day"], name="analytics_item_view_day_uniq", nulls_distinct=False
            ),
        ]
        indexes = [models.Index(fields=["day"], name="analytics_item_view_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} item {self.item_id} site {self.portal_id or '-'}: {self.count}"


class SearchTermDay(models.Model):
    portal_id = models.BigIntegerField(_("site"), null=True, blank=True)
    term = models.CharField(_("search words"), max_length=200)  # normalise.normalise_query
    folded = models.CharField(_("search words without diacritics"), max_length=200)  # normalise.fold_term
    found = models.BooleanField(_("found something"))
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("searches"))

    class Meta:
        verbose_name = _("searches for some words on a day")
        verbose_name_plural = _("searches per day")
        constraints = [
            models.UniqueConstraint(
                fields=["portal_id", "term", "found", "day"], name="analytics_search_day_uniq", nulls_distinct=False
            ),
        ]
        indexes = [models.Index(fields=["day"], name="analytics_search_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} “{self.term}” site {self.portal_id or '-'}: {self.count}"


class FlushedBatch(models.Model):
    """A Redis batch whose counts are in the tables above. Written in the same transaction as the counts, so
    a batch found again (its deletion from Redis lost to a crash, or a second worker) is never added twice."""

    token = models.CharField(max_length=80, unique=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flushed batch of counts")
        verbose_name_plural = _("flushed batches of counts")

    def __str__(self) -> str:
        return self.token

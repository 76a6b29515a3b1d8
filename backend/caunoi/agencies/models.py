"""Agencies, administrative areas and categories: trees stored with a materialised path.

A path like "/1/7/42/" lists a node's ancestors' ids, so "this node and everything below it" is one indexed
`path LIKE '/1/7/%'` whatever the depth, and moving a subtree is one UPDATE.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from caunoi.core.models import TimeStampedModel


class TreeNode(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=512, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        abstract = True
        ordering = ["path"]
        # Prefix searches (path LIKE '/1/7/%') need pattern ops to use an index under any collation.
        indexes = [models.Index(fields=["path"], name="%(class)s_path_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def _computed_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else "/"
        return f"{prefix}{self.pk}/"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves the node and keeps its path, and its descendants' paths, in step with its parent."""
        if self.pk is None:
            # The path needs the node's own id: insert first, then write the path.
            self.path = ""
            super().save(*args, **kwargs)
            self.path = self._computed_path()
            self.depth = self.path.count("/") - 2
            super().save(update_fields=["path", "depth"])
            return
        old_path = type(self)._default_manager.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = self._computed_path()
        self.depth = self.path.count("/") - 2
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                self._move_descendants(old_path)

    def _move_descendants(self, old_path: str) -> None:
        shift = self.path.count("/") - old_path.count("/")
        type(self)._default_manager.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + shift,
        )


class Agency(TreeNode):
    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        MINISTRY = "ministry", _("Ministry or central agency")
        PROVINCE = "province", _("Province")
        DEPARTMENT = "department", _("Department")
        COMMUNE = "commune", _("Commune")
        UNIT = "unit", _("Unit")

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(TreeNode.Meta):
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Area(TreeNode):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        PROVINCE = "province", _("Province or city")
        COMMUNE = "commune", _("Commune, ward or special zone")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    class Meta(TreeNode.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")


class Category(TimeStampedModel):
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class Membership(TimeStampedModel):
    """An official or leader works in an agency; a leader's reach also covers the agencies below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="unique_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency.code}"

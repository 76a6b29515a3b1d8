"""Who follows what by e-mail, and who said "me too"."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    ITEM = "item", _("Published item")
    AGENCY = "agency", _("Agency")
    CATEGORY = "category", _("Category")
    CASE = "case", _("Own case")  # a citizen's own case, asked for from its track page (access code proved)


class Subscription(models.Model):
    """An e-mail address following a published item, an agency or a category. Confirmed by a link sent to the
    address (double opt-in) before anything else is sent; ended by the one-click link in every message."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DIGEST = "digest", _("Once a day")

    email = models.EmailField(_("email"))
    target = models.CharField(max_length=16, choices=Target.choices)
    target_id = models.PositiveIntegerField()
    frequency = models.CharField(_("how often"), max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    language = models.CharField(max_length=8, default="vi")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Digests: answers published after this are in the next one (set when confirmed, then at each digest).
    digest_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow by e-mail")
        verbose_name_plural = _("follows by e-mail")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "target", "target_id"], condition=Q(ended_at__isnull=True), name="one_live_follow"
            )
        ]
        indexes = [
            models.Index(
                fields=["target", "target_id"],
                name="follow_confirmed_idx",
                condition=Q(confirmed_at__isnull=False, ended_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} follows {self.target} {self.target_id}"


class Support(models.Model):
    """One "me too" on a published item. `supporter` is who, as the platform can tell people apart: "u:<id>"
    for an account, "d:<id>" for a browser's signed device id; one per supporter and item."""

    item = models.ForeignKey("publication.PublishedItem", on_delete=models.CASCADE, related_name="+")
    supporter = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["item", "supporter"], name="one_support_per_person")]

    def __str__(self) -> str:
        return f"{self.supporter} supports {self.item_id}"

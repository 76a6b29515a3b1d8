"""Partner portals that receive our published items (subscriptions) and the log of what was sent to them.

A `Delivery` is an outbox row: it is written in the transaction that publishes, corrects or unpublishes an
item, holds the event exactly as it will be sent, and is delivered after commit by a task with retries.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import Kind


class EventType(models.TextChoices):
    """What a partner is told. The value is the `type` field of the JSON event."""

    PUBLISHED = "item.published", _("Published")
    CORRECTED = "item.corrected", _("Corrected")
    UNPUBLISHED = "item.unpublished", _("Unpublished")


class Subscription(models.Model):
    """A partner portal that wants our published items POSTed to it. Empty filters mean "everything"."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("receiver address"), max_length=500)
    # Needed in clear to sign each request; never shown again once saved, never logged.
    secret = models.CharField(_("shared secret"), max_length=200)
    agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("only these agencies"),
        blank=True,
        related_name="+",
        help_text=_("An agency includes the agencies below it. None chosen: every agency."),
    )
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("only these categories"),
        blank=True,
        related_name="+",
        help_text=_("None chosen: every category."),
    )
    kinds = ArrayField(
        models.CharField(max_length=16, choices=Kind.choices),
        verbose_name=_("only these kinds"),
        default=list,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner subscription")
        verbose_name_plural = _("partner subscriptions")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # Sent as X-CauNoi-Delivery and in the body: a receiver that sees an id twice has seen the event already.
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event"), max_length=32, choices=EventType.choices)
    # The item as plain values, not a foreign key: the log outlives the item and says what was sent.
    item_id = models.BigIntegerField(_("item id"), db_index=True)
    item_slug = models.CharField(_("item"), max_length=120)
    payload = models.JSONField(_("event body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # The outbox's leases (caunoi.core.outbox): until when a worker owns the row it is sending, and until
    # when a queued task has to claim it before the periodic dispatcher queues it again.
    lease_until = models.DateTimeField(null=True, blank=True)
    queued_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery to a partner")
        verbose_name_plural = _("deliveries to partners")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="delivery_due_idx", condition=models.Q(status="pending")),
            models.Index(fields=["subscription", "item_id", "id"], name="delivery_item_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.item_slug} → {self.subscription_id} ({self.status})"

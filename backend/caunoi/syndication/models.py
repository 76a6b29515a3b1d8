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


class PartnerSource(models.Model):
    """Another portal whose items come to us: by signed pushes to our receiver
    (POST /api/v1/network/push/<code>/, verified with `push_secret`), and/or by a periodic pull of its feed
    (`feed_url`, every `pull_every_minutes`, by the beat task `pull-partner-feeds`)."""

    class Format(models.TextChoices):
        ATOM = "atom", "Atom"
        JSON = "json", "JSON API"

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("Names the receiver address given to the partner.")
    )
    portal_url = models.URLField(
        _("portal address"), max_length=500, help_text=_("The partner's base address: its items' origin.")
    )
    # Needed in clear to verify each push; never shown again once saved, never logged.
    push_secret = models.CharField(_("push secret"), max_length=200, blank=True)
    feed_url = models.URLField(_("feed address"), max_length=500, blank=True)
    feed_format = models.CharField(_("feed format"), max_length=8, choices=Format.choices, default=Format.ATOM)
    pull_every_minutes = models.PositiveIntegerField(
        _("pull every (minutes)"), default=60, help_text=_("0: never pull, pushes only.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_pulled_at = models.DateTimeField(_("last pulled"), null=True, blank=True)
    last_pull_result = models.CharField(_("last pull result"), max_length=500, blank=True)
    last_pull_error = models.TextField(_("last pull error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner source")
        verbose_name_plural = _("partner sources")

    def __str__(self) -> str:
        return self.name


class ReceivedPush(models.Model):
    """A push accepted from a partner: its delivery id is remembered so a redelivery is done once only."""

    source = models.ForeignKey(PartnerSource, on_delete=models.CASCADE, related_name="pushes")
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=32)
    origin_id = models.CharField(max_length=255, help_text="The item's slug at the partner.")
    outcome = models.CharField(max_length=16)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received push")
        verbose_name_plural = _("received pushes")
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="received_push_once")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.origin_id} from {self.source_id}"


class GovSyncMessage(models.Model):
    """One message to the Government portal (QĐ 31/2021 Art. 30(3): progress, answers and satisfaction),
    an outbox row (caunoi.core.outbox) made from one case event; the body is the versioned JSON document of
    syndication/GOV_SYNC.md, as sent."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        ANSWER = "answer", _("Answer")
        SATISFACTION = "satisfaction", _("Satisfaction")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One message per case event, whoever runs the sweep and however often.
    case_event_id = models.BigIntegerField(unique=True)
    case_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    payload = models.JSONField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    queued_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("message to the Government portal")
        verbose_name_plural = _("messages to the Government portal")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="govsync_due_idx", condition=models.Q(status="pending")),
            models.Index(fields=["case_id", "id"], name="govsync_case_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id} ({self.status})"

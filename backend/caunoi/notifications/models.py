"""The outbox: every message to a person is a row written in the transaction of the change it reports.

A task delivers it after commit, with retries; a message that keeps failing stays visible as failed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=255)
    language = models.CharField(_("language"), max_length=8, default="vi")
    template = models.CharField(_("template"), max_length=64)  # frontend/templates/notifications/<template>.txt
    context = models.JSONField(_("context"), default=dict)
    # Set by writers that may run twice (the deadline sweep): a second row with the same key is never written.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    subject_ref = models.CharField(_("about"), max_length=64, blank=True, db_index=True)  # e.g. "case:123"
    # Extra e-mail headers (Reply-To with the case's reply address, List-Unsubscribe for subscriptions);
    # other channels ignore them. db_default: rows written before the column existed, and raw INSERTs.
    headers = models.JSONField(_("headers"), default=dict, db_default={}, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The outbox's leases (caunoi.core.outbox): until when a worker owns the row it is sending, and until
    # when a queued task has to claim it before the periodic dispatcher queues it again.
    lease_until = models.DateTimeField(null=True, blank=True)
    queued_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="notification_due_idx", condition=models.Q(status="pending"))
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.template} ({self.status})"

"""Agencies' social channels and the outbox of posts to them.

A `SocialPost` is an outbox row: written in the transaction that publishes an item or announces a dialogue,
holding the message exactly as it will be posted, and sent after commit by a task with retries.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from caunoi.agencies.models import Agency


class Platform(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook page")
    ZALO = "zalo", _("Zalo Official Account")
    WEBHOOK = "webhook", _("Webhook")


class Event(models.TextChoices):
    """What a post announces. The value is the `type` a webhook receiver sees."""

    ANSWER_PUBLISHED = "answer.published", _("Answer published")
    DIALOGUE_ANNOUNCED = "dialogue.announced", _("Dialogue announced")


def default_answer_template() -> str:
    return gettext("{{ agency }} answered a question from a citizen: {{ title }}")


def default_dialogue_template() -> str:
    return gettext("{{ agency }} will hold an online dialogue on {{ date }} at {{ time }}: {{ title }}")


class SocialChannel(models.Model):
    """One agency's page or account on one platform. It covers the agency's own items and dialogues and
    those of every agency below it, as partner subscriptions and feeds do: a province's page announces its
    departments' answers. An agency that wants its own page gives it its own channel (both then post)."""

    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="social_channels"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    enabled = models.BooleanField(_("posting on"), default=True)
    # Where to post. Facebook: the page id; webhook: the receiver's address; Zalo: unused (the token names
    # the Official Account).
    page_id = models.CharField(_("Facebook page id"), max_length=64, blank=True)
    url = models.URLField(_("receiver address"), max_length=500, blank=True)
    # Zalo articles must have a cover picture; the agency's logo or banner, at a public https address.
    cover_url = models.URLField(_("Zalo cover picture"), max_length=500, blank=True)
    # The page or OA access token, or the webhook's shared secret. Needed in clear to call the platform;
    # never shown again once saved, never logged, never stored in an error.
    secret = models.CharField(_("access token or shared secret"), max_length=1000)
    answer_template = models.TextField(
        _("message when an answer is published"), max_length=1000, default=default_answer_template
    )
    dialogue_template = models.TextField(
        _("message when a dialogue is announced"), max_length=1000, default=default_dialogue_template
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__path", "platform", "name"]
        verbose_name = _("social channel")
        verbose_name_plural = _("social channels")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    def template_for(self, event: str) -> str:
        return self.answer_template if event == Event.ANSWER_PUBLISHED else self.dialogue_template


class SocialPost(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey(
        SocialChannel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="posts"
    )
    # Sent to webhook receivers, which de-duplicate on it (a post may be sent twice, never lost).
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    # What was announced, as plain values: the log outlives the item or dialogue and says what was posted.
    object_id = models.BigIntegerField(_("object id"))
    object_ref = models.CharField(_("announced"), max_length=120)
    title = models.CharField(_("title"), max_length=255)
    message = models.TextField(_("message"))
    link = models.URLField(_("link"), max_length=500)
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
    external_id = models.CharField(_("id on the platform"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")
        constraints = [
            # An item published again after being taken down is not announced twice on the same page.
            models.UniqueConstraint(fields=["channel", "event", "object_id"], name="social_post_once"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="social_post_due_idx", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.object_ref} → {self.channel_id} ({self.status})"

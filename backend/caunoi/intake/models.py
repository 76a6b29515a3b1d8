"""Mail that reached the platform: every message is kept with what became of it; those that matched nothing
or failed a check wait here (status held) for staff, with the reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InboundMail(models.Model):
    class Status(models.TextChoices):
        CASE_CREATED = "case_created", _("Became a case")
        ADDED_TO_CASE = "added_to_case", _("Added to a case")
        HELD = "held", _("Waiting for staff")
        DISCARDED = "discarded", _("Discarded")

    class Reason(models.TextChoices):
        """Why a mail waits for staff (the closed list; `detail` says more)."""

        UNKNOWN_RECIPIENT = "unknown_recipient", _("Sent to an address that is not ours or is forged")
        AUTOMATIC = "automatic", _("An automatic message (bounce, out-of-office)")
        TOO_SHORT = "too_short", _("Too little text to act on")
        ATTACHMENT_REFUSED = "attachment_refused", _("An attachment failed the checks")
        CASE_CLOSED = "case_closed", _("A reply to a closed case")
        NOT_ALLOWED = "not_allowed", _("The sender may not write on this case")
        RATE_LIMITED = "rate_limited", _("Too many mails from this sender")
        UNREADABLE = "unreadable", _("The message could not be read")

    received_at = models.DateTimeField(_("received at"))
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    recipient = models.CharField(_("recipient"), max_length=320)
    sender = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    # The text that was read from it (quoted history stripped for replies), for the staff page.
    text = models.TextField(_("text"), blank=True)
    raw = models.BinaryField(_("raw message"))  # as received, so staff can act on it later
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        indexes = [models.Index(fields=["received_at"], name="inbound_mail_held_idx", condition=Q(status="held"))]
        constraints = [
            models.CheckConstraint(condition=~Q(status="held") | ~Q(reason=""), name="inbound_mail_held_has_reason")
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient}: {self.subject} ({self.status})"

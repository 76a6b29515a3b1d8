"""Block lists kept by administrators, and the audit trail of every change to them."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caunoi.core.policy import normalise_email, normalise_phone


class BlockRule(models.Model):
    """Requests matching an active rule are refused on every way in that creates something (intake, replies,
    questions): an address or address range (CIDR), an e-mail domain (and its subdomains), a phone number.
    Rules are never deleted: switching one off, with a reason, is how it is removed (BlockRuleChange)."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("Address or address range")
        EMAIL_DOMAIN = "email_domain", _("E-mail domain")
        PHONE = "phone", _("Phone number")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = models.CharField(
        _("value"), max_length=100, help_text=_("203.0.113.7, 203.0.113.0/24, spam.example or 0912345678")
    )
    reason = models.CharField(_("why it is blocked"), max_length=300)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("block rule")
        verbose_name_plural = _("block rules")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="unique_block_rule")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        """Normalises `value` for its kind (so matching is exact); raises ValidationError on the value field."""
        try:
            self.value = normalised_value(self.kind, self.value)
        except ValueError:
            raise ValidationError({"value": _("This is not a valid value of this kind.")}) from None


def normalised_value(kind: str, value: str) -> str:
    """The stored form of a rule's value. Raises ValueError for a value its kind cannot hold."""
    value = value.strip()
    if kind == BlockRule.Kind.ADDRESS:
        return str(ipaddress.ip_network(value, strict=False))
    if kind == BlockRule.Kind.EMAIL_DOMAIN:
        domain = normalise_email(value).lstrip("@")
        if not domain or "." not in domain or "@" in domain or " " in domain:
            raise ValueError(value)
        return domain
    if kind == BlockRule.Kind.PHONE:
        phone = normalise_phone(value)
        if len(phone) < 6:
            raise ValueError(value)
        return phone
    raise ValueError(kind)


class BlockRuleChange(models.Model):
    """Who added, changed or removed (switched off) which rule, when and why. Append-only."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    rule = models.ForeignKey(BlockRule, null=True, on_delete=models.SET_NULL, related_name="changes")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=BlockRule.Kind.choices)
    value = models.CharField(_("value"), max_length=100)
    note = models.CharField(_("why"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("block list change")
        verbose_name_plural = _("block list changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.kind} {self.value}"

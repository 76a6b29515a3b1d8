"""Mail in for administrators: every message that reached the platform and what became of it (read-only;
staff act on held mail at /staff/mail/)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import InboundMail


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("received_at", "sender", "recipient", "subject", "status", "reason")
    list_filter = ("status", "reason")
    search_fields = ("sender", "recipient", "subject", "message_id")
    exclude = ("raw",)  # the message as received can be large; its text and headers are shown
    readonly_fields = (
        "received_at", "envelope_from", "recipient", "sender", "subject", "message_id", "text", "status",
        "reason", "detail", "case", "handled_by", "handled_at",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

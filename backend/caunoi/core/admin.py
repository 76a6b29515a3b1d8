"""Admin pages shared by the outboxes (notifications, partner webhooks, social posts)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class OutboxAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only pages over an outbox: rows are written by services in the transaction of the change they
    report and kept as a record. "Retry now" (an action with `permissions=["retry"]`) is the one change,
    allowed to whoever may change the model."""

    show_full_result_count = False  # an outbox grows without bound: no COUNT(*) over all of it per page

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

"""The outbox for administrators: read what was sent, see what fails and why, send failed messages again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caunoi.core.admin import OutboxAdmin

from .models import Notification
from .rendering import render_message
from .services import notifications_retry


@admin.register(Notification)
class NotificationAdmin(OutboxAdmin):
    list_display = ("created_at", "channel", "recipient", "template", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "channel", "template")
    search_fields = ("recipient", "subject_ref", "dedupe_key")
    actions = ["retry_now"]
    fields = (
        ("channel", "recipient", "language"),
        ("template", "subject_ref", "dedupe_key"),
        ("status", "attempts", "next_attempt_at"),
        ("created_at", "sent_at"),
        "last_error",
        "context",
        "preview",
    )
    readonly_fields = ("preview",)  # every other field is read-only too: nobody has the change permission

    @admin.display(description=_("message"))
    def preview(self, obj: Notification) -> str:
        try:
            message = render_message(template=obj.template, context=obj.context, language=obj.language)
        except Exception as exc:
            # The page shows what a worker would meet, rather than failing itself.
            return format_html("<pre>{}: {}</pre>", type(exc).__name__, exc)
        return format_html("<pre>{}\n\n{}</pre>", message.subject, message.body)

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        requeued = notifications_retry(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued for delivery now.",
                "%(count)d notifications queued for delivery now.",
                requeued,
            )
            % {"count": requeued},
            messages.SUCCESS if requeued else messages.WARNING,
        )

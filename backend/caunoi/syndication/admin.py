"""Partner subscriptions (managed here by administrators) and the delivery log (read, filtered, retried)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caunoi.cases.models import Kind
from caunoi.core.admin import OutboxAdmin

from .events import portal_base_url
from .models import Delivery, GovSyncMessage, PartnerSource, ReceivedPush, Subscription
from .services.govsync import OUTBOX as GOV_OUTBOX
from .services.pulling import partner_source_pull
from .services.webhooks import deliveries_retry

MIN_SECRET_LENGTH = 16


class SubscriptionForm(forms.ModelForm):
    # The secret is write-only: the page never shows it again; leaving it empty keeps the current one.
    secret = forms.CharField(
        label=_("Shared secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 16 characters, given to the partner out of band. Leave empty to keep the current one."),
    )
    url = forms.URLField(label=_("Receiver address"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("Only these kinds"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "secret", "agencies", "categories", "kinds", "is_active"]

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter an address starting with https:// (or http:// on a closed network)."))
        return url

    def clean_secret(self) -> str:
        secret = str(self.cleaned_data.get("secret") or "")
        if not secret:
            if self.instance.pk is None:
                raise forms.ValidationError(_("Enter the shared secret."))
            return str(self.instance.secret)
        if len(secret) < MIN_SECRET_LENGTH:
            raise forms.ValidationError(
                _("The secret must be at least %(count)d characters.") % {"count": MIN_SECRET_LENGTH}
            )
        return secret


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("name", "url", "is_active", "failed_deliveries", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    autocomplete_fields = ["agencies", "categories"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        failed = Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED))
        return super().get_queryset(request).annotate(failed_count=failed)

    @admin.display(description=_("failed deliveries"), ordering="failed_count")
    def failed_deliveries(self, obj: Subscription) -> str:
        count = getattr(obj, "failed_count", 0)
        url = reverse("admin:syndication_delivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}&amp;status=failed">{}</a>', url, obj.pk, count)


@admin.register(Delivery)
class DeliveryAdmin(OutboxAdmin):
    list_display = (
        "created_at", "subscription", "event_type", "item_slug", "status", "attempts", "last_status_code",
        "next_attempt_at",
    )  # fmt: skip
    list_filter = ("status", "event_type", "subscription")
    search_fields = ("item_slug", "=event_id")
    list_select_related = ("subscription",)
    actions = ["retry_now"]
    fields = (
        ("subscription", "event_type", "event_id"),
        ("item_id", "item_slug"),
        ("status", "attempts", "next_attempt_at"),
        ("last_attempt_at", "last_status_code", "delivered_at"),
        "last_error",
        "payload",
        "created_at",
    )
    readonly_fields = ("event_id", "created_at")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        requeued = deliveries_retry(delivery_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued to be sent now.",
                "%(count)d deliveries queued to be sent now.",
                requeued,
            )
            % {"count": requeued},
            messages.SUCCESS if requeued else messages.WARNING,
        )


class PartnerSourceForm(forms.ModelForm):
    portal_url = forms.URLField(label=_("Portal address"), max_length=500, assume_scheme="https")
    feed_url = forms.URLField(label=_("Feed address"), max_length=500, required=False, assume_scheme="https")
    # Write-only like a subscription's secret: leaving it empty keeps the current one.
    push_secret = forms.CharField(
        label=_("Push secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The secret the partner signs its pushes with (at least 16 characters). Leave empty to keep the "
            "current one, or, for a new source, to take no pushes."
        ),
    )

    class Meta:
        model = PartnerSource
        fields = [
            "name",
            "code",
            "portal_url",
            "push_secret",
            "feed_url",
            "feed_format",
            "pull_every_minutes",
            "is_active",
        ]

    def clean_push_secret(self) -> str:
        secret = str(self.cleaned_data.get("push_secret") or "")
        if not secret:
            return str(self.instance.push_secret or "")
        if len(secret) < MIN_SECRET_LENGTH:
            raise forms.ValidationError(
                _("The secret must be at least %(count)d characters.") % {"count": MIN_SECRET_LENGTH}
            )
        return secret


@admin.register(PartnerSource)
class PartnerSourceAdmin(admin.ModelAdmin):
    """Partner portals whose items come here: the receiver address to give them, their feed and how often
    it is pulled (beat task pull-partner-feeds), and how the last pull went."""

    form = PartnerSourceForm
    list_display = ("name", "code", "receiver", "feed_url", "pull_every_minutes", "last_pulled_at", "last_pull_result")
    list_filter = ("is_active", "feed_format")
    search_fields = ("name", "code", "portal_url")
    readonly_fields = ("receiver", "last_pulled_at", "last_pull_result", "last_pull_error")
    actions = ["pull_now"]

    @admin.display(description=_("receiver address"))
    def receiver(self, obj: PartnerSource) -> str:
        if not obj.pk or not obj.push_secret:
            return "—"
        return portal_base_url() + reverse("api-network-push", args=[obj.code])

    @admin.action(description=_("Pull now"))
    def pull_now(self, request: HttpRequest, queryset: QuerySet[PartnerSource]) -> None:
        for source in queryset.exclude(feed_url=""):
            self.message_user(request, f"{source.name}: {partner_source_pull(source=source)}")


@admin.register(ReceivedPush)
class ReceivedPushAdmin(OutboxAdmin):
    list_display = ("received_at", "source", "event_type", "origin_id", "outcome", "event_id")
    list_filter = ("source", "event_type", "outcome")
    search_fields = ("origin_id", "=event_id")


@admin.register(GovSyncMessage)
class GovSyncMessageAdmin(OutboxAdmin):
    list_display = ("created_at", "case_id", "kind", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status", "kind")
    search_fields = ("=case_id", "=message_id")
    actions = ["retry_now"]

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[GovSyncMessage]) -> None:
        ids = list(queryset.exclude(status=GovSyncMessage.Status.DELIVERED).values_list("pk", flat=True))
        GOV_OUTBOX.requeue(ids)
        self.message_user(request, _("%(count)d messages queued to be sent now.") % {"count": len(ids)})

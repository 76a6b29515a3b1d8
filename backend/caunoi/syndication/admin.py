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

from .models import Delivery, Subscription
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

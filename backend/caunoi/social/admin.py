"""Social channels (managed here by administrators) and the log of posts (read, filtered, retried)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caunoi.core.admin import OutboxAdmin

from .models import Platform, SocialChannel, SocialPost
from .services import posts_retry
from .templating import TemplateInvalid, check_template

MIN_WEBHOOK_SECRET_LENGTH = 16
# The variables are templating.VARIABLES (a test checks that this text names each of them).
TEMPLATE_HELP = _("Django template syntax. Variables: {{ title }}, {{ agency }}, {{ link }}, {{ date }}, {{ time }}.")


class SocialChannelForm(forms.ModelForm):
    # Write-only: the page never shows it again; leaving it empty keeps the current one.
    secret = forms.CharField(
        label=_("Access token or shared secret"),
        required=False,
        strip=True,
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Facebook: the page access token. Zalo: the Official Account access token. Webhook: a shared "
            "secret of at least 16 characters, for the signature. Leave empty to keep the current one."
        ),
    )
    url = forms.URLField(label=_("Receiver address"), max_length=500, required=False, assume_scheme="https")
    cover_url = forms.URLField(label=_("Zalo cover picture"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = SocialChannel
        fields = [
            "name", "agency", "platform", "enabled", "page_id", "url", "cover_url", "secret",
            "answer_template", "dialogue_template",
        ]  # fmt: skip
        help_texts = {
            "page_id": _("Facebook only: the numeric id of the page."),
            "url": _("Webhook only: where the signed JSON is POSTed."),
            "cover_url": _("Zalo only: the picture on top of each article (https)."),
            "answer_template": TEMPLATE_HELP,
            "dialogue_template": TEMPLATE_HELP,
        }

    def clean_secret(self) -> str:
        secret = str(self.cleaned_data.get("secret") or "")
        if not secret:
            if self.instance.pk is None:
                raise forms.ValidationError(_("Enter the access token or shared secret."))
            return str(self.instance.secret)
        return secret

    def _clean_template(self, field: str) -> str:
        source = str(self.cleaned_data.get(field) or "")
        try:
            check_template(source)
        except TemplateInvalid as exc:
            raise forms.ValidationError(str(exc)) from exc
        return source

    def clean_answer_template(self) -> str:
        return self._clean_template("answer_template")

    def clean_dialogue_template(self) -> str:
        return self._clean_template("dialogue_template")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        platform = data.get("platform")
        required = {
            Platform.FACEBOOK: ("page_id", _("Enter the Facebook page id.")),
            Platform.ZALO: ("cover_url", _("Zalo articles need a cover picture: enter its address.")),
            Platform.WEBHOOK: ("url", _("Enter the receiver address.")),
        }
        if platform in required:
            field, message = required[platform]
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        for field in ("url", "cover_url"):
            value = str(data.get(field) or "")
            if value and not value.lower().startswith(("https://", "http://")):
                self.add_error(field, _("Enter an address starting with https:// (or http:// on a closed network)."))
        secret = str(data.get("secret") or "")
        if platform == Platform.WEBHOOK and secret and len(secret) < MIN_WEBHOOK_SECRET_LENGTH:
            self.add_error(
                "secret", _("The secret must be at least %(count)d characters.") % {"count": MIN_WEBHOOK_SECRET_LENGTH}
            )
        return data


@admin.register(SocialChannel)
class SocialChannelAdmin(admin.ModelAdmin):
    form = SocialChannelForm
    list_display = ("name", "agency", "platform", "enabled", "failed_posts", "updated_at")
    list_filter = ("platform", "enabled")
    search_fields = ("name", "agency__name", "agency__code")
    autocomplete_fields = ["agency"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SocialChannel]:
        failed = Count("posts", filter=Q(posts__status=SocialPost.Status.FAILED))
        return super().get_queryset(request).select_related("agency").annotate(failed_count=failed)

    @admin.display(description=_("failed posts"), ordering="failed_count")
    def failed_posts(self, obj: SocialChannel) -> str:
        url = reverse("admin:social_socialpost_changelist")
        count = getattr(obj, "failed_count", 0)
        return format_html('<a href="{}?channel__id__exact={}&amp;status=failed">{}</a>', url, obj.pk, count)


@admin.register(SocialPost)
class SocialPostAdmin(OutboxAdmin):
    list_display = (
        "created_at", "channel", "platform", "event", "object_ref", "status", "attempts", "last_error_short",
        "next_attempt_at",
    )  # fmt: skip
    list_filter = ("status", "channel__platform", "event", "channel")
    search_fields = ("object_ref", "title", "=delivery_id", "external_id")
    list_select_related = ("channel",)
    actions = ["retry_now"]
    fields = (
        ("channel", "event", "delivery_id"),
        ("object_id", "object_ref"),
        "title",
        "message",
        "link",
        ("status", "attempts", "next_attempt_at"),
        ("last_attempt_at", "last_status_code", "sent_at"),
        "last_error",
        "external_id",
        "created_at",
    )
    readonly_fields = ("delivery_id", "created_at")

    @admin.display(description=_("platform"), ordering="channel__platform")
    def platform(self, obj: SocialPost) -> str:
        return str(obj.channel.get_platform_display())

    @admin.display(description=_("last error"))
    def last_error_short(self, obj: SocialPost) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[SocialPost]) -> None:
        requeued = posts_retry(post_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d post queued to be sent now.", "%(count)d posts queued to be sent now.", requeued)
            % {"count": requeued},
            messages.SUCCESS if requeued else messages.WARNING,
        )

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caunoi.core.ratelimit import parse_limit

from .models import ApiToken, ExternalIdentity, IdentityProvider, PartnerKey, PartnerKeyUse, User
from .partner_keys import partner_key_generate, partner_key_revoke
from .two_factor import two_factor_reset


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    # Memberships in agencies are listed and searched under Agencies › Memberships (agencies sit above
    # accounts, so this module cannot show them inline).
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Cầu Nối", {"fields": ("role", "phone")}))
    add_fieldsets = (*(UserAdmin.add_fieldsets or ()), ("Cầu Nối", {"fields": ("role",)}))
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (lost phone and recovery codes)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor_reset(user=user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "%(count)d account must set up two-factor login again at its next login.",
                "%(count)d accounts must set up two-factor login again at their next login.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Administrators see every device's API token (never the token: only its digest is stored) and revoke
    one by deleting it; tokens are issued only by logging in."""

    list_display = ("user", "name", "created", "expiry")
    list_filter = ("user__role",)
    search_fields = ("user__username", "name")
    raw_id_fields = ("user",)
    fields = ("user", "name", "created", "expiry")
    readonly_fields = ("user", "name", "created", "expiry")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PartnerKeyForm(forms.ModelForm):
    class Meta:
        model = PartnerKey
        fields = ["name", "rate_limit"]

    def clean_rate_limit(self) -> str:
        value = str(self.cleaned_data.get("rate_limit") or "").strip()
        if value:
            try:
                parse_limit(value)
            except ValueError:
                raise forms.ValidationError(_("Write the limit as count/seconds, e.g. 600/3600.")) from None
        return value


@admin.register(PartnerKey)
class PartnerKeyAdmin(admin.ModelAdmin):
    """Issue a key (it is shown once, on the page after saving), change its limit, revoke it; each key's
    use log is one click away."""

    form = PartnerKeyForm
    list_display = ("name", "prefix", "rate_limit", "is_active", "created_at", "last_used_at", "uses")
    list_filter = ("is_active",)
    search_fields = ("name", "=prefix")
    readonly_fields = ("prefix", "is_active", "created_by", "created_at", "revoked_at", "last_used_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: PartnerKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key = partner_key_generate(obj)
        obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            _("The key for %(name)s is: %(key)s — copy it now: it is not shown again.")
            % {"name": obj.name, "key": key},
            messages.WARNING,
        )

    @admin.display(description=_("use log"))
    def uses(self, obj: PartnerKey) -> str:
        url = reverse("admin:accounts_partnerkeyuse_changelist")
        return format_html('<a href="{}?key__id__exact={}">{}</a>', url, obj.pk, _("use log"))

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerKey]) -> None:
        for key in queryset:
            partner_key_revoke(key=key)
        self.message_user(request, _("The keys are revoked."), messages.SUCCESS)


@admin.register(PartnerKeyUse)
class PartnerKeyUseAdmin(admin.ModelAdmin):
    """The use log: read only (append-only rows written by the middleware)."""

    list_display = ("at", "key", "method", "path", "status_code", "object_ref", "client_address")
    list_filter = ("key", "method", "status_code")
    search_fields = ("path", "object_ref")
    list_select_related = ("key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IdentityProviderForm(forms.ModelForm):  # type: ignore[type-arg]
    # The secret is never shown again once saved; left empty, the stored one is kept.
    client_secret = forms.CharField(
        label=_("client secret"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = IdentityProvider
        fields = ["name", "issuer", "client_id", "client_secret", "scopes", "level_claim", "level_values", "is_active"]

    def clean_client_secret(self) -> str:
        return self.cleaned_data.get("client_secret") or (self.instance.client_secret if self.instance.pk else "")

    def clean_scopes(self) -> str:
        scopes = self.cleaned_data.get("scopes", "")
        if "openid" not in scopes.split():
            raise forms.ValidationError(_("The scopes must include openid."))
        return scopes


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """Portals name the provider their login page offers (Portals › single sign-on). The callback address to
    register at the provider is /accounts/sso/<id>/callback/ on each site that offers it."""

    form = IdentityProviderForm
    list_display = ("name", "issuer", "client_id", "is_active")
    list_filter = ("is_active",)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Who is linked to which identity; removing a row unlinks it (the account stays)."""

    list_display = ("user", "provider_name", "issuer", "last_level", "last_login_at")
    search_fields = ("user__username", "user__email", "subject")
    list_select_related = ("user",)
    readonly_fields = ("user", "issuer", "subject", "provider_name", "last_level", "last_login_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # links are made by proving the identity at the provider, never typed in

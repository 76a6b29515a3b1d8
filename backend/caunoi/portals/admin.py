from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .logo import logo_from_upload
from .models import Portal


class PortalForm(forms.ModelForm):  # type: ignore[type-arg]
    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB; stored as a PNG at most 512×128 pixels."),
    )

    class Meta:
        model = Portal
        fields = [
            "host", "name", "name_en", "is_active", "is_default", "agency", "parent", "logo", "primary_colour",
            "accent_colour", "identity_provider",
        ]  # fmt: skip

    def clean_logo(self) -> Any:
        upload = self.cleaned_data.get("logo")
        # Unchanged (the stored file) or cleared (False): nothing to re-encode.
        if not upload or upload == self.instance.logo or not hasattr(upload, "content_type"):
            return upload
        self._new_logo = logo_from_upload(upload)
        return self._new_logo.content

    def save(self, commit: bool = True) -> Portal:
        portal: Portal = super().save(commit=False)
        new_logo = getattr(self, "_new_logo", None)
        if new_logo is not None:
            portal.logo_digest = new_logo.digest
        elif not portal.logo:
            portal.logo_digest = ""
        if commit:
            portal.save()
        return portal


@admin.register(Portal)
class PortalAdmin(admin.ModelAdmin):
    form = PortalForm
    list_display = ("host", "name", "agency", "parent", "is_default", "is_active")
    list_filter = ("is_active", "is_default", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("host", "name", "name_en")
    list_select_related = ("agency", "parent")
    autocomplete_fields = ["agency", "parent"]
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("host", "name", "name_en", "is_active", "is_default")}),
        (_("What the site covers"), {"fields": ("agency", "parent")}),
        (_("Look"), {"fields": ("logo", "primary_colour", "accent_colour")}),
        (_("Single sign-on"), {"fields": ("identity_provider",)}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

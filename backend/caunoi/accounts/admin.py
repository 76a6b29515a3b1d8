from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from .models import ApiToken, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    # Memberships in agencies are listed and searched under Agencies › Memberships (agencies sit above
    # accounts, so this module cannot show them inline).
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Cầu Nối", {"fields": ("role", "phone")}))
    add_fieldsets = (*(UserAdmin.add_fieldsets or ()), ("Cầu Nối", {"fields": ("role",)}))


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

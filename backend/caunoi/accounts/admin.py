from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, User
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

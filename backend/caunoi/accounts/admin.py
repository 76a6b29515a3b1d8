from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    # Memberships in agencies are listed and searched under Agencies › Memberships (agencies sit above
    # accounts, so this module cannot show them inline).
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Cầu Nối", {"fields": ("role", "phone")}))
    add_fieldsets = (*(UserAdmin.add_fieldsets or ()), ("Cầu Nối", {"fields": ("role",)}))

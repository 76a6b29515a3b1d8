from django.contrib import admin

from .models import Agency, Area, Category, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    autocomplete_fields = ["parent"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "is_active")
    search_fields = ("slug", "name")

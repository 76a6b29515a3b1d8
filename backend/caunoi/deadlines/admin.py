from django.contrib import admin

from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Re-registered by caunoi.cases.admin so that saving or deleting an override moves the due dates of the
    open cases it affects (cases sit above deadlines: this app cannot reach them)."""

    list_display = ("day", "kind", "reason_vi", "reason_en", "source")
    list_filter = ("kind", "source")
    search_fields = ("reason_vi", "reason_en")
    date_hierarchy = "day"
    readonly_fields = ("source",)

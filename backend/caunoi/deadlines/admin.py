from django.contrib import admin

from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "reason_vi", "source")
    list_filter = ("kind", "source")

from django.contrib import admin

from .models import AnswerTemplate, Case, CaseEvent


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "type", "actor", "status", "agency", "payload")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the timeline is append-only, written by services


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("tracking_code", "kind", "title", "agency", "status", "due_at", "received_at")
    list_filter = ("kind", "status", "channel")
    search_fields = ("tracking_code", "title")
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseEventInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # cases come in through intake, which routes them and starts their clock


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "is_active", "updated_at")
    list_filter = ("is_active", "agency")
    search_fields = ("title", "body")
    autocomplete_fields = ["agency"]

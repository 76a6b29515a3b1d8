from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caunoi.deadlines.admin import CalendarOverrideAdmin as PlainCalendarOverrideAdmin
from caunoi.deadlines.models import CalendarOverride

from .models import AnswerTemplate, Case, CaseEvent
from .services import NotHeld, calendar_override_add, case_release_hold, recompute_due_dates


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
    list_display = ("tracking_code", "kind", "title", "agency", "status", "due_at", "received_at", "held_at")
    list_filter = (("held_at", admin.EmptyFieldListFilter), "kind", "status", "channel")
    actions = ["release_held"]
    search_fields = ("tracking_code", "title")
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseEventInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # cases come in through intake, which routes them and starts their clock

    # Staff with the change permission on cases (administrators, and moderators given it) may release.
    @admin.action(
        description=gettext_lazy("Release the selected held cases (their clock starts now)"), permissions=["change"]
    )
    def release_held(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        released = 0
        for case_id in queryset.filter(held_at__isnull=False).values_list("pk", flat=True):
            try:
                case_release_hold(case_id=case_id, by=request.user)  # type: ignore[arg-type]
            except NotHeld:
                continue  # released meanwhile by someone else
            released += 1
        self.message_user(request, _("%(count)d held cases released.") % {"count": released}, messages.SUCCESS)


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "is_active", "updated_at")
    list_filter = ("is_active", "agency__level")
    search_fields = ("title", "body", "agency__code", "agency__name")
    list_select_related = ("agency",)
    autocomplete_fields = ["agency"]


# Calendar overrides: the deadlines app registers the plain admin; here, where the cases are, saving or
# deleting one goes through the calendar service, which moves the due dates of the open cases it affects.
admin.site.unregister(CalendarOverride)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(PlainCalendarOverrideAdmin):
    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        with transaction.atomic():
            old_day = CalendarOverride.objects.filter(pk=obj.pk).values_list("day", flat=True).first()
            result = calendar_override_add(day=obj.day, kind=obj.kind, reason_vi=obj.reason_vi, reason_en=obj.reason_en)
            moved = result.cases_moved
            if old_day is not None and old_day != obj.day:
                CalendarOverride.objects.filter(pk=obj.pk).delete()
                moved += recompute_due_dates({old_day}, reason=self._reason(obj))
            saved = CalendarOverride.objects.get(day=obj.day)
            obj.pk, obj.source = saved.pk, saved.source
        self._tell(request, moved)

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        with transaction.atomic():
            day, reason = obj.day, self._reason(obj)
            obj.delete()
            moved = recompute_due_dates({day}, reason=reason)
        self._tell(request, moved)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        with transaction.atomic():
            days = set(queryset.values_list("day", flat=True))
            for row in queryset:
                row.delete()  # one by one: the signal refreshes the calendar in force
            moved = recompute_due_dates(
                days, reason={"reason_vi": "Bỏ ngày điều chỉnh lịch", "reason_en": "Calendar override removed"}
            )
        self._tell(request, moved)

    @staticmethod
    def _reason(obj: CalendarOverride) -> dict[str, str]:
        return {"reason_vi": obj.reason_vi, "reason_en": obj.reason_en}

    def _tell(self, request: HttpRequest, moved: int) -> None:
        messages.info(request, _("Due dates recomputed: %(count)d open cases moved.") % {"count": moved})

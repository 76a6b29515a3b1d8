"""Agencies, areas, categories and memberships in the Django admin, and the CSV import of the trees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .importing import agency_import_run, import_check, import_job_start, import_job_status
from .models import Agency, Area, Category, Membership

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "depth", "is_active")
    list_filter = ("level", "is_active", "depth")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent",)
    autocomplete_fields = ["parent"]
    readonly_fields = ("path", "depth", "created_at", "updated_at")
    inlines = [MembershipInline]
    change_list_template = "admin/agencies/agency/change_list.html"

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="agencies_agency_import"),
            path("import/<str:job_id>/", view(self.import_progress_view), name="agencies_agency_import_progress"),
            path(
                "import/<str:job_id>/status.json",
                view(self.import_status_view),
                name="agencies_agency_import_status",
            ),
            *super().get_urls(),
        ]

    def _may_import(self, request: HttpRequest) -> bool:
        return (
            self.has_add_permission(request)
            and self.has_change_permission(request)
            and (
                request.user.has_perm("agencies.add_area") and request.user.has_perm("agencies.change_area")  # type: ignore[union-attr]
            )
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → dry run (every bad row listed with its line) → "Import" starts the background job."""
        if not self._may_import(request):
            raise Http404
        form = ImportForm(request.POST or None, request.FILES or None)
        context: dict[str, Any] = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
        context["title"] = _("Import agencies and areas from CSV")
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            check = import_check(text)
            context["check"] = check
            if check.ok and form.cleaned_data["mode"] == "import":
                job_id = import_job_start(text, total=len(check.rows))
                transaction.on_commit(lambda: agency_import_run.delay(job_id))
                return HttpResponseRedirect(reverse("admin:agencies_agency_import_progress", args=[job_id]))
            status = 200 if check.ok else 400
            return render(request, "admin/agencies/import.html", context, status=status)
        return render(request, "admin/agencies/import.html", context, status=400 if form.errors else 200)

    def import_progress_view(self, request: HttpRequest, job_id: str) -> HttpResponse:
        if not self._may_import(request):
            raise Http404
        status = import_job_status(job_id)
        if status is None:
            raise Http404
        if status["state"] == "done":
            messages.success(request, _("Imported %(count)d rows.") % {"count": status["total"]})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importing agencies and areas"),
            "job": status,
            "job_id": job_id,
            "finished": status["state"] in {"done", "failed"},
        }
        return render(request, "admin/agencies/import_progress.html", context)

    def import_status_view(self, request: HttpRequest, job_id: str) -> JsonResponse:
        if not self._may_import(request):
            raise Http404
        status = import_job_status(job_id)
        if status is None:
            raise Http404
        return JsonResponse(status)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, with the header row: type, code, name, name_en, parent, level."),
    )
    mode = forms.ChoiceField(
        label=_("What to do"),
        choices=[("check", _("Check only (dry run): nothing is imported")), ("import", _("Check, then import"))],
        initial="check",
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError({"file": _("The file is larger than 5 MB.")})
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError({"file": _("The file is not UTF-8 text.")}) from None
        return data


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "depth")
    list_filter = ("kind", "depth")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent",)
    autocomplete_fields = ["parent"]
    readonly_fields = ("path", "depth", "created_at", "updated_at")
    list_per_page = 100


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "name_en", "is_active")
    list_filter = ("is_active",)
    search_fields = ("slug", "name", "name_en")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "user_role", "agency", "created_at")
    list_filter = ("user__role", "agency__level")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__code", "agency__name")
    list_select_related = ("user", "agency")
    autocomplete_fields = ["user", "agency"]

    @admin.display(description=_("role"), ordering="user__role")
    def user_role(self, obj: Membership) -> str:
        return obj.user.get_role_display()  # type: ignore[attr-defined]

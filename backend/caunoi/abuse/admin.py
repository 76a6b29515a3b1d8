"""Block lists in the admin: adding a rule needs a reason; switching one off (how rules are removed, they are
never deleted) or changing it needs a note saying why; every change is written to the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .blocklist import rules_changed
from .models import BlockRule, BlockRuleChange


class BlockRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    change_note = forms.CharField(
        label=_("Why this change"),
        max_length=300,
        required=False,
        help_text=_("Required when changing or switching off a rule: it is kept in the block list's history."),
    )

    class Meta:
        model = BlockRule
        fields = ["kind", "value", "reason", "active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None and self.has_changed() and not cleaned.get("change_note", "").strip():
            self.add_error("change_note", _("Say why you change this rule."))
        return cleaned


@admin.register(BlockRule)
class BlockRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = BlockRuleForm
    list_display = ("kind", "value", "reason", "active", "created_by", "created_at")
    list_filter = ("kind", "active")
    search_fields = ("value", "reason")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switched off with a reason instead, so the history says why

    def save_model(self, request: HttpRequest, obj: BlockRule, form: Any, change: bool) -> None:
        with transaction.atomic():
            if not change:
                obj.created_by = request.user  # type: ignore[assignment]
            was_active = form.initial.get("active", True) if change else False
            obj.save()
            if not change:
                action, note = BlockRuleChange.Action.ADDED, obj.reason
            elif was_active and not obj.active:
                action, note = BlockRuleChange.Action.REMOVED, form.cleaned_data["change_note"]
            else:
                action, note = BlockRuleChange.Action.CHANGED, form.cleaned_data["change_note"]
            BlockRuleChange.objects.create(
                rule=obj,
                action=action,
                kind=obj.kind,
                value=obj.value,
                note=note,
                actor=request.user,  # type: ignore[misc]
            )
            rules_changed()


@admin.register(BlockRuleChange)
class BlockRuleChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "action", "kind", "value", "note", "actor")
    list_filter = ("action", "kind")
    search_fields = ("value", "note")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

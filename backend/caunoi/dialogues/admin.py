"""Dialogues in the admin: read-mostly. Changes go through the pages (services), which number and broadcast
them; editing rows here would bypass the room."""

from django.contrib import admin
from django.db import models

from .models import Dialogue, DialogueMessage, DialogueQuestion, RestrictedWords


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "state", "starts_at", "ends_at", "last_seq")
    list_filter = ("state",)
    search_fields = ("title",)
    filter_horizontal = ("hosts", "moderators")
    readonly_fields = ("state", "last_seq", "now_answering", "scheduled_by", "viewers_peak", "viewers_total")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the scheduling form does


@admin.register(DialogueQuestion)
class DialogueQuestionAdmin(admin.ModelAdmin):
    list_display = ("id", "dialogue", "asker_name", "status", "vote_count", "case")
    list_filter = ("status",)
    search_fields = ("text", "asker_name")
    readonly_fields = ("dialogue", "status", "vote_count", "merged_into", "case", "answered_at", "asker")


@admin.register(DialogueMessage)
class DialogueMessageAdmin(admin.ModelAdmin):
    """The stored broadcasts: what clients were sent, by number (append-only)."""

    list_display = ("dialogue", "seq", "type", "audience", "created_at")
    list_filter = ("type", "audience")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(RestrictedWords)
class RestrictedWordsAdmin(admin.ModelAdmin):
    """Word lists that hold questions for review: an agency's (all its dialogues and those of the agencies
    below it) or one dialogue's (moderators also edit that one on their desk)."""

    list_display = ("__str__", "agency", "dialogue", "updated_at")
    autocomplete_fields = ("agency",)
    raw_id_fields = ("dialogue",)

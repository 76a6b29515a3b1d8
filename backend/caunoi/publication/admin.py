"""Read-only views of published items for administrators; changes go through the review page's services
(which redact, keep history and notify partner portals)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import PublicationEvent, PublishedItem, PublishedItemRevision


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RevisionInline(ReadOnlyInline):
    model = PublishedItemRevision
    fields = ["number", "at", "by", "reason", "title"]


class EventInline(ReadOnlyInline):
    model = PublicationEvent
    fields = ["at", "type", "actor", "payload"]


@admin.register(PublishedItem)
class PublishedItemAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "kind", "agency", "published_at", "origin_portal"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "slug", "origin_id"]
    exclude = ["search_vector", "source_title", "source_question", "source_answer"]
    inlines = [RevisionInline, EventInline]
    # Partner portals are https; says so explicitly rather than relying on Django 5's http default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

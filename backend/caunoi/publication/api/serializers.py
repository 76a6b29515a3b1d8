"""What the public API says about a published item. Only public (redacted) texts, never source_*."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from ..models import PublishedItem
from ..search import CANDIDATES


class AgencyBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CategoryBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class OriginSerializer(serializers.Serializer):
    portal = serializers.CharField()
    id = serializers.CharField()
    url = serializers.CharField()
    agency_name = serializers.CharField()


class PublishedItemSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The item's page on this portal.")
    agency = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    origin = serializers.SerializerMethodField(help_text="Where an imported item comes from; null if from here.")
    answered_on_time = serializers.BooleanField(allow_null=True, read_only=True)

    class Meta:
        model = PublishedItem
        fields = [
            "slug",
            "url",
            "kind",
            "title",
            "question",
            "answer",
            "asker_display",
            "agency",
            "category",
            "received_at",
            "answered_at",
            "due_at",
            "answered_on_time",
            "published_at",
            "updated_at",
            "origin",
        ]
        read_only_fields = fields

    def get_url(self, item: PublishedItem) -> str:
        path = reverse("publication:item", args=[item.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_agency(self, item: PublishedItem) -> dict[str, str] | None:
        if item.agency is None:
            return {"code": "", "name": item.origin_agency_name} if item.origin_agency_name else None
        return {"code": item.agency.code, "name": item.agency.display_name}

    def get_category(self, item: PublishedItem) -> dict[str, str] | None:
        if item.category is None:
            return None
        return {"slug": item.category.slug, "name": item.category.name}

    def get_origin(self, item: PublishedItem) -> dict[str, str] | None:
        if not item.is_imported:
            return None
        return {
            "portal": item.origin_portal,
            "id": item.origin_id,
            "url": item.origin_url,
            "agency_name": item.origin_agency_name,
        }


class SearchHitSerializer(PublishedItemSerializer):
    snippet = serializers.SerializerMethodField(help_text="HTML: part of the text, matched words in <mark>.")
    rank = serializers.SerializerMethodField()

    class Meta(PublishedItemSerializer.Meta):
        fields = [*PublishedItemSerializer.Meta.fields, "snippet", "rank"]
        read_only_fields = fields

    def get_snippet(self, item: Any) -> str:
        return str(getattr(item, "snippet", ""))

    def get_rank(self, item: Any) -> float | None:
        return getattr(item, "rank", None)


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=f"Matches found, at most {CANDIDATES} (see count_is_capped).")
    count_is_capped = serializers.BooleanField(help_text="More items match than were ranked: refine the query.")
    page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    suggestion = serializers.CharField(help_text="A query to try instead, when nothing was found.")
    results = SearchHitSerializer(many=True)


class SimilarItemSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    agency = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(allow_null=True)
    shared_words = serializers.ListField(
        child=serializers.CharField(), help_text="Words the item shares with the text (why it is offered)."
    )
    faq_url = serializers.CharField(
        allow_null=True,
        help_text="The public FAQ of the agency that gave the answer (its questions asked again and again); "
        "null without the text-understanding app or when the answer has no agency here.",
    )


class SimilarPageSerializer(serializers.Serializer):
    results = SimilarItemSerializer(many=True)

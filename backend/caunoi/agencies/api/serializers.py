"""Reference data for API clients: the categories and administrative areas that intake accepts by code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Area, Category


class CategorySerializer(serializers.ModelSerializer[Category]):
    code = serializers.CharField(source="slug", help_text="What intake's `category` (Open311 `service_code`) takes.")
    name = serializers.CharField(source="display_name", help_text="In the request's language.")

    class Meta:
        model = Category
        fields = ("code", "name")


class AreaSerializer(serializers.ModelSerializer[Area]):
    code = serializers.CharField(help_text="What intake's `area` (Open311 `address_id`) takes.")
    name = serializers.CharField(source="display_name", help_text="In the request's language.")
    kind = serializers.ChoiceField(choices=Area.Kind.choices)
    parent = serializers.SerializerMethodField(help_text="The parent area's code; null for the country.")  # type: ignore[assignment]
    depth = serializers.IntegerField(help_text="0 for the country, 1 for a province, 2 for a commune.")
    children_count = serializers.IntegerField(help_text="How many areas lie directly below it.")

    class Meta:
        model = Area
        fields = ("code", "name", "kind", "parent", "depth", "children_count")

    def get_parent(self, area: Area) -> str | None:
        return area.parent.code if area.parent is not None else None


class ReferenceQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Words in the name or code; diacritics and case are ignored.",
        error_messages={"max_length": _("Search for at most 100 characters.")},
    )


class AreaQuery(ReferenceQuery):
    page = serializers.IntegerField(required=False, min_value=1, help_text="The page, from 1.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=1000, help_text="1 to 1,000; 100.")
    parent = serializers.CharField(  # type: ignore[assignment]
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Only the areas directly below this one (an area code); `top` for the roots.",
    )

    def validate_parent(self, value: str) -> Area | str | None:
        value = value.strip()
        if not value or value == "top":
            return value or None
        area = Area.objects.filter(code=value).first()
        if area is None:
            raise serializers.ValidationError(_("Unknown area “%(value)s”.") % {"value": value})
        return area

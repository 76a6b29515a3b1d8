"""The shapes of the publication review API (review.py): its query, its items and the decisions' bodies."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from caunoi.agencies.models import Agency, Category
from caunoi.cases.models import Kind
from caunoi.core.serializers import StrictSerializer

from ..models import RedactionKind, Status


class ReviewQuery(serializers.Serializer[Any]):
    """The list's filters. Blank values mean "not filtered"."""

    status = serializers.ChoiceField(
        choices=Status.choices, required=False, default=Status.PENDING_REVIEW, help_text="Default: pending_review."
    )
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        help_text="Agency code; includes the agencies below it.",
        error_messages={"does_not_exist": _("Unknown agency “{value}”.")},
    )
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="Category code.",
        error_messages={"does_not_exist": _("Unknown category “{value}”.")},
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words of the title or question (diacritics ignored), or the case's tracking code.",
    )
    page = serializers.IntegerField(required=False, min_value=1, help_text="The page, from 1.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, help_text="1 to 200; 50.")


class ReviewCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="GET /api/v1/cases/<id>/.")
    tracking_code = serializers.CharField()


class RedactionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="What unredact's `redaction` names.")
    kind = serializers.ChoiceField(choices=RedactionKind.choices)
    text = serializers.CharField(help_text="The hidden words (staff only).")
    origin = serializers.CharField()
    field = serializers.CharField(allow_blank=True)
    occurrence = serializers.IntegerField(allow_null=True)


class ReviewItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    kind = serializers.CharField()
    slug = serializers.CharField(help_text="The public address once published.")
    title = serializers.CharField(help_text="The public text: redactions applied.")
    question = serializers.CharField()
    answer = serializers.CharField()
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    category = serializers.CharField(source="category.slug", allow_null=True, default=None)
    case = ReviewCaseSerializer(allow_null=True, help_text="The case it was made from; null for other sources.")
    redactions = RedactionSerializer(many=True, source="active_redactions")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ReviewPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReviewItemSerializer(many=True)


# Decisions


class ApproveInput(StrictSerializer):
    """Publish the item (redactions applied)."""


class ReviewRejectInput(StrictSerializer):
    reason = serializers.CharField(max_length=500, help_text="Why it is not to be published (staff only).")


class RedactInput(StrictSerializer):
    phrase = serializers.CharField(max_length=500, help_text="The words to hide (case and diacritics ignored).")
    kind = serializers.ChoiceField(choices=RedactionKind.choices, required=False, default=RedactionKind.OTHER)
    field = serializers.ChoiceField(
        choices=["title", "question", "answer"], required=False, allow_blank=True, default=""
    )
    occurrence = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000, default=None)
    everywhere = serializers.BooleanField(required=False, default=False)


class UnredactInput(StrictSerializer):
    redaction = serializers.IntegerField(min_value=1, max_value=2_147_483_647)


class EditInput(StrictSerializer):
    title = serializers.CharField(max_length=255)
    question = serializers.CharField(max_length=20000)
    answer = serializers.CharField(max_length=20000)


class UnpublishInput(StrictSerializer):
    reason = serializers.CharField(max_length=2000)

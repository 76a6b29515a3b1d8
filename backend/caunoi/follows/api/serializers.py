from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from caunoi.agencies.models import Agency, Category
from caunoi.core.serializers import StrictSerializer
from caunoi.publication.models import PublishedItem, Status

from ..models import Subscription, Target


def follow_email_field() -> serializers.EmailField:
    """The follower's address, with the same messages on the page and in the API."""
    return serializers.EmailField(
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "blank": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )


NOTHING_TO_FOLLOW = _("There is nothing to follow here.")


class FollowApiInput(StrictSerializer):
    """What to follow, named as the rest of the API names it: an answer by its slug, an agency by its code, a
    category by its slug. Exactly one."""

    email = follow_email_field()
    item = serializers.SlugField(required=False, max_length=200, help_text="A published answer's slug.")
    agency = serializers.CharField(required=False, max_length=50, help_text="An agency's code.")
    category = serializers.SlugField(required=False, max_length=100, help_text="A category's slug.")
    frequency = serializers.ChoiceField(choices=Subscription.Frequency.choices, default="immediate")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        named = [name for name in (Target.ITEM, Target.AGENCY, Target.CATEGORY) if attrs.get(name)]
        if len(named) != 1:
            raise serializers.ValidationError(_("Name exactly one of item, agency or category to follow."))
        target = named[0]
        key = attrs.pop(target)
        found: Any
        if target == Target.ITEM:
            found = PublishedItem.objects.filter(slug=key, status=Status.PUBLISHED)
        elif target == Target.AGENCY:
            found = Agency.objects.filter(code=key, is_active=True)
        else:
            found = Category.objects.filter(slug=key, is_active=True)
        target_id = found.values_list("pk", flat=True).first()
        if target_id is None:
            raise serializers.ValidationError({target: [NOTHING_TO_FOLLOW]})
        return {**attrs, "target": target, "target_id": target_id}


class FollowRequestedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    detail = serializers.CharField()
    email = serializers.EmailField()


class SupportResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    added = serializers.BooleanField(help_text="False when this account had already said “me too”.")
    supporters = serializers.IntegerField()

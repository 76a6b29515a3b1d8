"""Input and output shapes of dialogues, shared by the API, the pages and the live room."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from caunoi.core.textlimit import LimitedCharField

from ..models import Dialogue, DialogueQuestion

PHONE_RE = re.compile(r"^\+?[0-9 .()-]{8,20}$")


class QuestionInput(serializers.Serializer[Any]):
    """A question from a citizen: the web form and the room's `ask` action validate with this."""

    # Over-long texts are refused with the limit and the count (core/textlimit.py), never cut by the page.
    name = LimitedCharField(max_length=120, label=_("Name or display name"))
    text = LimitedCharField(min_length=10, max_length=2000, label=_("Your question"))
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254, label=_("Email"))
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, label=_("Phone"))
    show_name = serializers.BooleanField(required=False, default=False, label=_("Show my name with my question"))

    def validate_phone(self, value: str) -> str:
        if value and not PHONE_RE.match(value.strip()):
            raise serializers.ValidationError(_("Enter a phone number such as 0912 345 678."))
        return value.strip()


class QuestionRef(serializers.Serializer[Any]):
    question = serializers.IntegerField(min_value=1)


class MergeInput(QuestionRef):
    into = serializers.IntegerField(min_value=1)


class ReorderInput(serializers.Serializer[Any]):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=500)


class AnswerInput(QuestionRef):
    text = serializers.CharField(min_length=1, max_length=5000)


class LiveAnswerOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class PublicQuestionOut(serializers.ModelSerializer[DialogueQuestion]):
    # The name only if the asker chose to show it; otherwise "Participant <n>" in the request's language.
    asker = serializers.CharField(source="asker_label")
    votes = serializers.IntegerField(source="vote_count")
    answers = LiveAnswerOut(many=True)

    class Meta:
        model = DialogueQuestion
        fields = ["id", "asker", "text", "status", "votes", "position", "answers"]


class DialogueOut(serializers.ModelSerializer[Dialogue]):
    agency = serializers.CharField(source="agency.name")
    websocket = serializers.SerializerMethodField()

    class Meta:
        model = Dialogue
        fields = ["id", "title", "description", "agency", "state", "starts_at", "ends_at", "stream_url", "websocket"]

    def get_websocket(self, dialogue: Dialogue) -> str:
        return f"/ws/dialogues/{dialogue.pk}/"


class DialogueDetailOut(DialogueOut):
    last_seq = serializers.IntegerField()
    now_answering = serializers.IntegerField(source="now_answering_id", allow_null=True)
    questions = serializers.SerializerMethodField()

    class Meta(DialogueOut.Meta):
        fields = [*DialogueOut.Meta.fields, "last_seq", "now_answering", "questions"]

    def get_questions(self, dialogue: Dialogue) -> list[dict[str, Any]]:
        return PublicQuestionOut(self.context["questions"], many=True).data  # type: ignore[return-value]

"""Dialogue endpoints: the announced dialogues and one dialogue's public state (the live room is the
websocket /ws/dialogues/<id>/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..access import access_dialogue
from ..selectors import dialogues_announced, public_questions
from .serializers import DialogueDetailOut, DialogueOut

LIST_LIMIT = 200


class DialogueListView(APIView):
    """Announced dialogues, newest start first (at most 200)."""

    permission_classes = [AllowAny]
    serializer_class = DialogueOut

    @extend_schema(operation_id="dialogues_list", responses=DialogueOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(DialogueOut(dialogues_announced()[:LIST_LIMIT], many=True).data)


class DialogueDetailView(APIView):
    """One dialogue with its approved and answered questions and their live answers; `last_seq` is where a
    websocket client resumes (`?since=`) to get everything after this snapshot."""

    permission_classes = [AllowAny]
    serializer_class = DialogueDetailOut

    @extend_schema(operation_id="dialogues_detail", responses=DialogueDetailOut)
    def get(self, request: Request, dialogue_id: int) -> Response:
        dialogue = access_dialogue(dialogue_id)
        # Questions read after the counter: anything newer than the snapshot is replayed from last_seq.
        questions = public_questions(dialogue)
        return Response(DialogueDetailOut(dialogue, context={"questions": questions}).data)

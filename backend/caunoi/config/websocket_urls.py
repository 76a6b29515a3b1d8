"""Websocket routes. Routes in `websocket_urlpatterns` get Channels' session and auth middleware (scope["user"]);
`raw_websocket_urlpatterns` are served without it and authenticate themselves (the dialogue room: see
caunoi.dialogues.ws.session_user for why)."""

from typing import Any

from django.urls import path

from caunoi.dialogues.consumers import DialogueConsumer

raw_websocket_urlpatterns: list[Any] = [
    path("ws/dialogues/<int:dialogue_id>/", DialogueConsumer.as_asgi()),
]
websocket_urlpatterns: list[Any] = []

"""Websocket routes. Live dialogues add theirs here."""

from typing import Any

websocket_urlpatterns: list[Any] = []

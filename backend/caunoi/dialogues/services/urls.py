"""Links the dialogue services put in messages sent outside the room."""

from __future__ import annotations

from django.conf import settings


def portal_url(path: str) -> str:
    return f"{str(settings.PORTAL_BASE_URL).rstrip('/')}{path}"

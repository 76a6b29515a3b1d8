"""The identity a session proved at a provider: cases sent in it record the provider and the level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "sso_identity"


@dataclass(frozen=True)
class SessionIdentity:
    provider: str  # the provider's name, as the login button shows it ("VNeID")
    level: int | None
    key: str = ""  # which provider configuration (config.ProviderConfig.key), for logging out there too
    id_token: str = ""


def remember_identity(
    request: HttpRequest, *, user_id: int, provider: str, level: int | None, key: str = "", id_token: str = ""
) -> None:
    """Called once the session is logged in as `user_id` through the provider (logging out forgets it)."""
    request.session[SESSION_KEY] = {
        "user": user_id,
        "provider": provider,
        "level": level,
        "key": key,
        "id_token": id_token,
    }


def session_identity(request: Any) -> SessionIdentity | None:
    """What the logged-in person proved at a provider in this session; None after a password login, for
    another account, or without a session (API tokens)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return None
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("user") != user.pk:
        return None
    level = stored.get("level")
    return SessionIdentity(
        provider=str(stored.get("provider", "")),
        level=level if isinstance(level, int) else None,
        key=str(stored.get("key") or ""),
        id_token=str(stored.get("id_token") or ""),
    )

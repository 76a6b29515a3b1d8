"""Logging out of a session that signed in through a provider also offers to end the provider's session
(OpenID Connect RP-Initiated Logout 1.0): on a shared computer at a commune office, leaving VNeID logged in
would let the next person sign in as the last one."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url

from .client import end_session_url
from .config import provider_by_key
from .session import session_identity


def provider_logout(request: HttpRequest) -> tuple[str, str]:
    """For a session signed in through a provider: (its name, the address that ends its session there);
    ("", "") otherwise, or when the provider offers no such address or cannot be reached. Read before the
    local logout, which forgets the session."""
    proof = session_identity(request)
    config = provider_by_key(proof.key) if proof is not None and proof.key else None
    if proof is None or config is None:
        return "", ""
    url = end_session_url(
        config,
        id_token=proof.id_token,
        post_logout_redirect_uri=request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
        locale=getattr(request, "LANGUAGE_CODE", ""),
    )
    return (config.name, url) if url else ("", "")

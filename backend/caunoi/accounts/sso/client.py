"""The authorization code flow with PKCE through Authlib's Django client: the provider's endpoints and keys
from its discovery document, state, nonce and code verifier kept in the session, the ID token's signature
checked against the provider's JWKS and its issuer, audience, expiry and nonce against what we sent.

Every way it can fail becomes an `SsoFailure` with a reason the error page explains; nothing reaches the
person as a 500."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from joserfc.errors import JoseError

from .config import ProviderConfig, identity_level

logger = logging.getLogger(__name__)

# Discovery documents change rarely (a key rotation is caught by its unknown key id); re-read daily anyway.
METADATA_MAX_AGE_SECONDS = 24 * 3600


# The error codes a provider sends back (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6) by what they mean
# for the person; any other is "invalid".
PROVIDER_ERRORS = {
    "access_denied": "denied",
    "consent_required": "denied",
    "login_required": "denied",
    "interaction_required": "denied",
    "account_selection_required": "denied",
    "temporarily_unavailable": "unavailable",
    "server_error": "unavailable",
}


class SsoFailure(Exception):
    """A login through the provider that cannot go on. `reason` picks the explanation shown:
    denied (the person said no at the provider), expired (state unknown, used or too old: start again),
    invalid (the provider's answer failed a check: code refused, ID token's signature, issuer, audience,
    nonce or time), unavailable (the provider could not be reached), misconfigured (the discovery document
    names another issuer)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider says logged in, from an ID token that passed every check."""

    provider: ProviderConfig
    issuer: str
    subject: str
    level: int | None
    claims: dict[str, Any]
    id_token: str = ""  # as issued: the hint that names this session when the person logs out (end_session_url)

    @property
    def email_verified(self) -> bool:
        return self.claims.get("email_verified") is True and bool(self.claims.get("email"))


@dataclass(frozen=True)
class Flow:
    """What the person set out to do, kept with the state: log in, or link the provider to `user_id`."""

    intent: str  # "login" or "link"
    next: str
    user_id: int | None


_clients: dict[ProviderConfig, tuple[float, DjangoOAuth2App]] = {}
_clients_lock = threading.Lock()


def _client(config: ProviderConfig) -> DjangoOAuth2App:
    """One Authlib client per provider configuration and process, so discovery and keys are read once."""
    with _clients_lock:
        made_at, client = _clients.get(config, (0.0, None))
        if client is None or time.monotonic() - made_at > METADATA_MAX_AGE_SECONDS:
            framework = DjangoIntegration(f"oidc_{config.key}")
            framework.expires_in = settings.OIDC_STATE_MAX_AGE_SECONDS
            client = DjangoOAuth2App(
                framework,
                name=f"oidc_{config.key}",
                client_id=config.client_id,
                client_secret=config.client_secret or None,
                server_metadata_url=config.issuer.rstrip("/") + "/.well-known/openid-configuration",
                client_kwargs={
                    "scope": config.scopes,
                    "code_challenge_method": "S256",
                    "default_timeout": settings.OIDC_TIMEOUT_SECONDS,
                },
            )
            _clients[config] = (time.monotonic(), client)
        return client


def _forget(config: ProviderConfig) -> None:
    with _clients_lock:
        _clients.pop(config, None)


def _metadata(config: ProviderConfig) -> dict[str, Any]:
    client = _client(config)
    try:
        metadata: dict[str, Any] = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        _forget(config)
        raise SsoFailure("unavailable", str(exc)) from exc
    # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was read from.
    if metadata.get("issuer") != config.issuer:
        _forget(config)
        raise SsoFailure("misconfigured", f"discovery names issuer {metadata.get('issuer')!r}")
    return metadata


def authorization_redirect(
    request: HttpRequest, config: ProviderConfig, *, redirect_uri: str, flow: Flow
) -> HttpResponse:
    """The redirect to the provider's authorization endpoint, with a fresh state, nonce and PKCE challenge
    (S256) kept in the session beside `flow`."""
    _metadata(config)
    client = _client(config)
    try:
        found = client.create_authorization_url(redirect_uri, ui_locales=request.LANGUAGE_CODE)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        raise SsoFailure("unavailable", str(exc)) from exc
    client.save_authorize_data(
        request, redirect_uri=redirect_uri, intent=flow.intent, next=flow.next, user_id=flow.user_id, **found
    )
    return HttpResponseRedirect(found["url"])


def pending_flow(request: HttpRequest, config: ProviderConfig) -> Flow | None:
    """The flow the callback's state belongs to, if it is known and not older than
    OIDC_STATE_MAX_AGE_SECONDS; None otherwise (unknown, already used, expired)."""
    framework = _client(config).framework
    framework._clear_session_state(request.session)  # drops every state past its `exp`
    data = framework.get_state_data(request.session, request.GET.get("state") or "")
    if not data:
        return None
    return Flow(intent=data.get("intent", "login"), next=data.get("next", ""), user_id=data.get("user_id"))


def verified_identity(request: HttpRequest, config: ProviderConfig) -> VerifiedIdentity:
    """Completes the flow the callback request carries. Raises SsoFailure; the state is used up either way,
    so a replayed callback is refused as expired."""
    error = request.GET.get("error")
    if error:
        _clear_state(request, config)
        raise SsoFailure(PROVIDER_ERRORS.get(error, "invalid"), error[:100])
    if pending_flow(request, config) is None:
        raise SsoFailure("expired", "unknown, used or expired state")
    _metadata(config)
    client = _client(config)
    try:
        token = client.authorize_access_token(
            request, claims_options={"iss": {"essential": True, "values": [config.issuer]}}
        )
    except MismatchingStateError as exc:
        raise SsoFailure("expired", str(exc)) from exc
    except (OAuthError, JoseError, AuthlibBaseError) as exc:  # code refused, signature or a claim wrong
        raise SsoFailure("invalid", f"{type(exc).__name__}: {exc}") from exc
    except requests.RequestException as exc:
        raise SsoFailure("unavailable", str(exc)) from exc
    except (ValueError, KeyError, TypeError) as exc:  # a malformed token or answer
        raise SsoFailure("invalid", f"{type(exc).__name__}: {exc}") from exc
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):  # no ID token: nothing was verified
        raise SsoFailure("invalid", "the token response holds no ID token")
    claims = dict(claims)
    return VerifiedIdentity(
        provider=config,
        issuer=config.issuer,
        subject=str(claims["sub"]),
        level=identity_level(claims, config),
        claims=claims,
        id_token=str(token.get("id_token") or ""),
    )


def end_session_url(config: ProviderConfig, *, id_token: str, post_logout_redirect_uri: str, locale: str) -> str:
    """The provider's logout address for the session `id_token` came from (OpenID Connect RP-Initiated Logout
    1.0 §2), or "" when the provider has none or cannot be reached: logging out here never waits on it."""
    try:
        endpoint = str(_metadata(config).get("end_session_endpoint") or "")
    except SsoFailure:
        return ""
    if not endpoint.startswith(("https://", "http://")):
        return ""
    parameters = {"client_id": config.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        parameters["id_token_hint"] = id_token
    if locale:
        parameters["ui_locales"] = locale
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(parameters)}"


def _clear_state(request: HttpRequest, config: ProviderConfig) -> None:
    _client(config).framework.clear_state_data(request.session, request.GET.get("state") or "")

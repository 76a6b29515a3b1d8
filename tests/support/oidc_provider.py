"""A real OpenID Connect provider on loopback for the single sign-on tests: oidc-provider-mock (Flask and
Authlib's server components) served by werkzeug in a thread, with hooks a test uses to make the provider
misbehave the way a broken or hostile one would (an ID token with the wrong nonce, issuer, audience or
expiry, or signed with a key not in its JWKS) and a record of the token requests it received (PKCE)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flask
import httpx
import oidc_provider_mock
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey

Tamper = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class LoopbackProvider:
    issuer: str
    # Changes the claims of the next ID tokens (then re-signed with the provider's own key, or `signing_key`).
    tamper: Tamper | None = None
    signing_key: RSAKey | None = None  # a key the provider's JWKS does not hold: a forged signature
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        """What the provider says about `sub` (its mock's own API)."""
        response = httpx.put(f"{self.issuer}/users/{sub}", json=claims)
        assert response.status_code == 204, response.text

    def consent(self, authorize_url: str, sub: str, *, deny: bool = False) -> str:
        """Does what a person does on the provider's page (log in as `sub` and allow, or deny); returns the
        address the provider sends the browser back to (our callback with code and state, or an error)."""
        data = {"action": "deny"} if deny else {"sub": sub}
        response = httpx.post(authorize_url, data=data, follow_redirects=False)
        assert response.status_code in {302, 303}, response.text
        return response.headers["location"]


def pkce_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


def _hooked_app(provider_ref: list[LoopbackProvider]) -> flask.Flask:
    app = oidc_provider_mock.app(require_nonce=True)

    @app.before_request
    def record() -> None:
        provider = provider_ref[0]
        if flask.request.path == "/oauth2/token":
            provider.token_requests.append(dict(flask.request.form))

    @app.after_request
    def misbehave(response: flask.Response) -> flask.Response:
        provider = provider_ref[0]
        if flask.request.path != "/oauth2/token" or response.status_code != 200:
            return response
        if provider.tamper is None and provider.signing_key is None:
            return response
        body = json.loads(response.get_data())
        own_key = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        token = jwt.decode(body["id_token"], own_key)
        claims = provider.tamper(dict(token.claims)) if provider.tamper else dict(token.claims)
        key = provider.signing_key or own_key
        header = {"alg": "RS256", **({"kid": token.header["kid"]} if token.header.get("kid") else {})}
        body["id_token"] = jwt.encode(header, claims, key)
        response.set_data(json.dumps(body))
        return response

    return app


@contextmanager
def loopback_provider() -> Iterator[LoopbackProvider]:
    """A provider listening on 127.0.0.1 on a free port, stopped afterwards."""
    ref: list[LoopbackProvider] = []
    server = werkzeug.serving.make_server("127.0.0.1", 0, _hooked_app(ref), threaded=True)
    ref.append(LoopbackProvider(issuer=f"http://127.0.0.1:{server.server_port}"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield ref[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}

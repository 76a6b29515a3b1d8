"""Which OpenID Connect provider a request's site offers: the one its portal names in the admin, else the one
in settings (OIDC_ISSUER), else none."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ..models import IdentityProvider

SETTINGS_KEY = "settings"


@dataclass(frozen=True)
class ProviderConfig:
    key: str  # "settings", or the IdentityProvider's id: part of the callback address registered at the provider
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    level_claim: str
    # Not hashed (a dict): the client cache keys on the rest.
    level_values: Mapping[str, int] = field(default_factory=dict, hash=False)


def provider_from_settings() -> ProviderConfig | None:
    if not settings.OIDC_ISSUER:
        return None
    return ProviderConfig(
        key=SETTINGS_KEY,
        name=settings.OIDC_PROVIDER_NAME,
        issuer=settings.OIDC_ISSUER,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        scopes=settings.OIDC_SCOPES,
        level_claim=settings.OIDC_LEVEL_CLAIM,
    )


def _from_row(row: IdentityProvider) -> ProviderConfig:
    return ProviderConfig(
        key=str(row.pk),
        name=row.name,
        issuer=row.issuer,
        client_id=row.client_id,
        client_secret=row.client_secret,
        scopes=row.scopes if "openid" in row.scopes.split() else f"openid {row.scopes}",
        level_claim=row.level_claim,
        level_values={str(k): int(v) for k, v in (row.level_values or {}).items() if str(v).isdigit()},
    )


def provider_by_key(key: str) -> ProviderConfig | None:
    """The active provider a callback address names, or None."""
    if key == SETTINGS_KEY:
        return provider_from_settings()
    if not key.isdigit():
        return None
    row = IdentityProvider.objects.filter(pk=int(key), is_active=True).first()
    return _from_row(row) if row is not None else None


def provider_for_request(request: HttpRequest) -> ProviderConfig | None:
    """The provider the request's site offers. `request.portal` is set by the portals app (a floor above
    this one): read here by its attribute only. A site that names an inactive provider offers none."""
    site = getattr(request, "portal", None)
    provider_id = getattr(site, "identity_provider_id", None) if site is not None else None
    if provider_id:
        return provider_by_key(str(provider_id))
    return provider_from_settings()


def identity_level(claims: Mapping[str, Any], config: ProviderConfig) -> int | None:
    """The identity level the provider asserts in `config.level_claim`: a value named in `level_values`, a
    number, or a value ending in one ("urn:vneid:loa:2", "loa-2"); None when it says nothing we can read."""
    value = claims.get(config.level_claim)
    if value is None or isinstance(value, bool):
        return None
    if str(value) in config.level_values:
        return config.level_values[str(value)]
    if isinstance(value, int):
        return value if 0 <= value < 100 else None
    found = re.search(r"(\d{1,2})\s*$", str(value))
    return int(found.group(1)) if found else None

"""Partner API keys: issuing, revoking, recognising a request's key, and the log of what each key did.

A partner portal's server sends its key as `X-Api-Key: cnk_<prefix>_<secret>` (or, in Open311, the
standard's `api_key` parameter). `PartnerKeyMiddleware` recognises it before the abuse policy runs, so the
policy limits that request per key (caunoi.core.policy reads `request.partner_key`); a key that is sent
but unknown or revoked is refused with 401 at once, rather than quietly treated as an anonymous client.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from caunoi.core import clock
from caunoi.core.error_views import error_json, is_api_request
from caunoi.core.ratelimit import client_address, parse_limit
from caunoi.core.transactions import service_transaction

from .models import PartnerKey, PartnerKeyUse, User

logger = logging.getLogger(__name__)

HEADER = "X-Api-Key"
PREFIX = "cnk"
# Fields of an answer that name what a request created (intake's and Open311's).
CREATED_FIELDS = ("tracking_code", "service_request_id")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def partner_key_generate(row: PartnerKey) -> str:
    """Gives an unsaved key row its prefix and digest; returns the key in clear (shown once, never stored).
    The admin's form saves the row in its own transaction; code calls partner_key_issue."""
    row.prefix = secrets.token_hex(4)
    key = f"{PREFIX}_{row.prefix}_{secrets.token_urlsafe(32)}"
    row.key_hash = _digest(key)
    return key


@service_transaction
def partner_key_issue(*, name: str, by: User | None, rate_limit: str = "") -> tuple[PartnerKey, str]:
    """Creates a key for `name`; returns the row and the key in clear. Raises ValueError for a rate limit
    that is not count/seconds."""
    if rate_limit:
        parse_limit(rate_limit)
    row = PartnerKey(name=name, rate_limit=rate_limit, created_by=by)
    key = partner_key_generate(row)
    row.save()
    return row, key


@service_transaction
def partner_key_revoke(*, key: PartnerKey) -> PartnerKey:
    """Switches the key off for good: its next request is refused with 401."""
    PartnerKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(is_active=False, revoked_at=clock.now())
    key.refresh_from_db()
    return key


def partner_key_for(raw: str) -> PartnerKey | None:
    """The active key `raw` is, or None (unknown, malformed, revoked). Compared in constant time."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    key = PartnerKey.objects.filter(prefix=parts[1][:16], is_active=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _digest(raw.strip())):
        return None
    return key


def _raw_key(request: HttpRequest) -> str:
    raw = request.headers.get(HEADER, "")
    if not raw and request.path.startswith("/open311/") and request.method == "POST":
        raw = request.POST.get("api_key", "") if request.content_type != "application/json" else ""
        if not raw.startswith(f"{PREFIX}_"):
            return ""  # Open311 clients send any api_key: only ours names a partner
    return raw


def _created(response: HttpResponse) -> str:
    data: Any = getattr(response, "data", None)
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if isinstance(data, dict):
        for name in CREATED_FIELDS:
            if isinstance(data.get(name), str):
                return str(data[name])[:60]
    return ""


def use_record(*, key: PartnerKey, request: HttpRequest, response: HttpResponse) -> None:
    """Writes one line of the key's use log (in autocommit, after the answer was made)."""
    match = request.resolver_match
    now = clock.now()
    PartnerKeyUse.objects.create(
        key=key,
        at=now,
        method=(request.method or "")[:8],
        path=request.path[:300],
        route=(match.view_name if match else "")[:100],
        status_code=response.status_code,
        object_ref=_created(response) if response.status_code < 300 else "",
        client_address=client_address(request) or None,
    )
    PartnerKey.objects.filter(pk=key.pk).update(last_used_at=now)


class PartnerKeyMiddleware:
    """Recognises a partner key before the abuse policy (see the module docstring) and logs its use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = _raw_key(request) if is_api_request(request) else ""
        key = partner_key_for(raw) if raw else None
        if raw and key is None:
            return error_json(request, _("This API key is not valid (unknown or revoked)."), 401)
        request.partner_key = key  # type: ignore[attr-defined]
        response = self.get_response(request)
        if key is not None:
            try:
                use_record(key=key, request=request, response=response)
            except Exception:  # the log must never turn a done request into an error
                logger.exception("partner key %s: its use could not be logged", key.prefix)
        return response

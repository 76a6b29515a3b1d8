"""The receiver of signed pushes from partner portals: the same events and signature we send
(README.md, "Webhooks"), checked, applied once, with provenance.

POST /api/v1/network/push/<code>/ for a partner source configured in the admin. The signature is checked
against the raw body with the source's push secret and a fresh timestamp (signing.verify); a delivery id
already received is acknowledged and not applied again; `item.published` and `item.corrected` create or
update our copy of the item (kept under the partner's portal as origin, its slug as origin id, its page and
agency name: the same copy its feed updates), `item.unpublished` takes our copy down. Items the partner
itself imported from elsewhere are not taken (no echoes between portals).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caunoi.core import safejson
from caunoi.core.errors import ApplicationError, NotFound
from caunoi.core.transactions import service_transaction
from caunoi.publication.models import PublishedItem, Status
from caunoi.publication.services import item_unpublish

from .. import signing
from ..models import EventType, PartnerSource, ReceivedPush
from .imports import ImportReport, _json_item, _upsert

UNPUBLISHED_AT_ORIGIN = gettext_lazy("Unpublished by the portal it comes from.")


class PushRefused(ApplicationError):
    """The signature does not match, or the timestamp is stale: not from the partner, or replayed."""

    status_code = 401


def source_origin(source: PartnerSource) -> str:
    """The origin (host) a partner's items are kept under, for its pushes and its feed alike."""
    return urlsplit(source.portal_url).netloc.lower()


def push_source(code: str) -> PartnerSource:
    """The active source that may push to `code`'s receiver. Raises NotFound otherwise."""
    source = PartnerSource.objects.filter(code=code, is_active=True).exclude(push_secret="").first()
    if source is None:
        raise NotFound(_("No partner receives pushes at this address."))
    return source


def push_verify(*, source: PartnerSource, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The event, once its signature and timestamp are checked. Raises PushRefused (401) for a bad or stale
    signature, ApplicationError (400) for a body that is not an event."""
    if not signing.verify(
        secret=source.push_secret,
        timestamp=headers.get(signing.TIMESTAMP_HEADER, ""),
        body=body,
        received=headers.get(signing.SIGNATURE_HEADER, ""),
        now=int(time.time()),
    ):
        raise PushRefused(_("The signature does not match, or its timestamp is more than 5 minutes off."))
    try:
        event = safejson.loads(body)
    except (ValueError, UnicodeDecodeError):
        event = None
    item = event.get("item") if isinstance(event, dict) else None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or event.get("type") not in EventType.values
        or not isinstance(item, dict)
        or not isinstance(item.get("slug"), str)
    ):
        raise ApplicationError(_("The body is not an event: it needs id, type and item with its slug."))
    return event


@service_transaction
def push_apply(*, source: PartnerSource, event: dict[str, Any]) -> str:
    """Applies a verified event once; returns created, updated, unchanged, unpublished, skipped or duplicate."""
    event_id = event["id"][:100]
    if ReceivedPush.objects.filter(source=source, event_id=event_id).exists():
        return "duplicate"
    origin, item = source_origin(source), event["item"]
    outcome = "skipped"
    if event["type"] == EventType.UNPUBLISHED:
        copy = PublishedItem.objects.filter(
            origin_portal=origin, origin_id=item["slug"], status=Status.PUBLISHED
        ).first()
        if copy is not None:
            item_unpublish(item=copy, reason=str(UNPUBLISHED_AT_ORIGIN), by=None)
            outcome = "unpublished"
    else:
        report = ImportReport(origin_portal=origin)
        # An event carries the whole item: nothing is fetched from addresses a body names.
        remote = _json_item(item, list_url=source.portal_url, report=report) if _complete(item) else None
        if remote is not None and remote.question and remote.answer:
            _upsert(remote, origin=origin, report=report)
            outcome = next(name for name in ("created", "updated", "unchanged") if getattr(report, name))
    ReceivedPush.objects.create(
        source=source, event_id=event_id, event_type=event["type"], origin_id=str(item["slug"])[:255], outcome=outcome
    )
    return outcome


def _complete(item: dict[str, Any]) -> bool:
    return isinstance(item.get("question"), str) and isinstance(item.get("answer"), str)


def push_receive(*, code: str, headers: Mapping[str, str], body: bytes) -> str:
    """Verifies and applies one push (see the module docstring); a delivery received twice at the same
    moment is applied once (the second finds the first's row, or loses the race on its unique key)."""
    source = push_source(code)
    event = push_verify(source=source, headers=headers, body=body)
    try:
        return push_apply(source=source, event=event)
    except IntegrityError:
        return "duplicate"

"""A generic webhook: the post as JSON, signed exactly as syndication signs partner webhooks
(`caunoi.syndication.signing`: HMAC-SHA256 over "<timestamp>." + the raw body), so one receiver-side
verification serves both.

    POST <channel url>
    Content-Type: application/json; charset=utf-8
    X-CauNoi-Timestamp: 1764441600
    X-CauNoi-Signature: sha256=<hex>
    X-CauNoi-Event: answer.published | dialogue.announced
    X-CauNoi-Delivery: <uuid, the same on every retry>
    {"id": "<uuid>", "type": "…", "title": "…", "message": "…", "link": "…",
     "agency": {"code": "…", "name": "…"}}

Any 2xx is success; the answer's JSON `id`, if any, is stored as the post's id (else the delivery id).
"""

from __future__ import annotations

import json

from caunoi.core import clock
from caunoi.syndication import signing

from ..models import SocialChannel
from . import http
from .base import Outgoing


def body(outgoing: Outgoing) -> bytes:
    payload = {
        "id": outgoing.delivery_id,
        "type": outgoing.event,
        "title": outgoing.title,
        "message": outgoing.message,
        "link": outgoing.link,
        "agency": {"code": outgoing.agency_code, "name": outgoing.agency_name},
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


class Webhook:
    def post(self, channel: SocialChannel, outgoing: Outgoing) -> str:
        raw = body(outgoing)
        timestamp = int(clock.now().timestamp())
        answer = http.post(
            channel.url,
            body=raw,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                signing.TIMESTAMP_HEADER: str(timestamp),
                signing.SIGNATURE_HEADER: signing.signature(secret=channel.secret, timestamp=timestamp, body=raw),
                signing.EVENT_HEADER: outgoing.event,
                signing.DELIVERY_HEADER: outgoing.delivery_id,
            },
        )
        http.refuse_status(answer)
        data = answer.json()
        external = data.get("id") if isinstance(data, dict) else None
        return str(external)[:200] if external else outgoing.delivery_id

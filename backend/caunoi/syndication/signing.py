"""How a partner knows a webhook came from us: HMAC-SHA256 over the timestamp and the exact body.

Partners: see README.md in this app for the event format and a verification snippet.

    X-CauNoi-Timestamp: 1764441600                      (Unix seconds when the request was signed)
    X-CauNoi-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body bytes)>

The timestamp is inside what is signed, so a captured request cannot be replayed later with a new
timestamp; receivers reject requests whose timestamp is more than `TOLERANCE` away from their clock.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-CauNoi-Timestamp"
SIGNATURE_HEADER = "X-CauNoi-Signature"
EVENT_HEADER = "X-CauNoi-Event"
DELIVERY_HEADER = "X-CauNoi-Delivery"
SCHEME = "sha256"
TOLERANCE = 300  # seconds: what we recommend receivers accept between our clock and theirs


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The value of X-CauNoi-Signature for `body` signed at `timestamp` (Unix seconds)."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(*, secret: str, timestamp: str, body: bytes, received: str, now: int, tolerance: int = TOLERANCE) -> bool:
    """What a receiver does: the signature matches (compared in constant time) and the timestamp is fresh.

    `timestamp` and `received` are the raw header values. Returns False for anything malformed."""
    try:
        signed_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - signed_at) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=signed_at, body=body)
    return hmac.compare_digest(expected.encode("ascii"), (received or "").encode("ascii", "replace"))

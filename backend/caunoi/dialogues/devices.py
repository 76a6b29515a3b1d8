"""Device ids: how the room tells anonymous participants apart without trusting anything a client makes up.

The dialogue's page hands each browser a random id signed by the server (django.core.signing, keyed by
SECRET_KEY) in the `caunoi_voter` cookie; the room accepts only ids carrying a valid signature, so a script
cannot vote again by inventing a new cookie. It could fetch the page again for a new id: the page mints at
most RATE_LIMITS["dialogue_device"] ids per client address, and anonymous votes and questions are also
capped per address (caunoi.dialogues.ratelimit). Signed-in participants vote as their account.
"""

from __future__ import annotations

import secrets

from django.core import signing

SALT = "caunoi.dialogues.device"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def device_mint() -> str:
    """A new device id, signed: the cookie's value."""
    return _signer().sign(secrets.token_urlsafe(16))


def device_of(cookie: str) -> str | None:
    """The device id in a cookie value the server signed, or None for anything else."""
    if not cookie or len(cookie) > 200:
        return None
    try:
        return _signer().unsign(cookie)
    except signing.BadSignature:
        return None

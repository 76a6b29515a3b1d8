"""Idempotent intake. A client whose connection drops after sending a submission cannot know whether it was
stored; retrying with the same `Idempotency-Key` returns the case the first attempt created.

The access token of such a case is derived from the key (HMAC with SECRET_KEY), so a retry can show it again
while only its hash is stored, as for every case. Keys must be long and random (a UUID): whoever knows the
key and the exact content of a submission can follow that case.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from caunoi.core import clock
from caunoi.core.errors import ApplicationError, ValidationFailed

from ..attachments import CheckedFile
from ..models import IntakeKey

KEY_PATTERN = re.compile(r"[\x21-\x7e]{16,255}")  # visible ASCII; 16 characters or more: unguessable


class IdempotencyKeyReused(ApplicationError):
    """The key came with different content earlier: a client bug, never a retry."""

    status_code = 422

    def __init__(self) -> None:
        super().__init__(
            _("This Idempotency-Key was used for a different submission. Use a new key for a new submission."),
            extra={"idempotency_key": [str(_("This key was already used for a different submission."))]},
        )


def check_key(key: str) -> str:
    """The key as sent, or ValidationFailed naming the header."""
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationFailed(
            {"idempotency_key": [str(_("Idempotency-Key must be 16 to 255 visible ASCII characters, e.g. a UUID."))]}
        )
    return key


def submission_fingerprint(fields: dict[str, Any], attachments: Sequence[CheckedFile]) -> str:
    """sha256 over everything submitted, attachments by content hash, in a canonical form."""
    files = [[f.original_name, f.size, f.sha256] for f in attachments]
    canonical = json.dumps({**fields, "attachments": files}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def derived_access_token(key: str, fingerprint: str) -> str:
    """The access token of the case created under `key`: the same on every retry, 24 URL-safe characters
    like a random one (secrets.token_urlsafe(18))."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"intake|{key}|{fingerprint}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode("ascii")


def intake_key_claim(*, key: str, fingerprint: str) -> IntakeKey | None:
    """Takes `key` for the submission being stored (call inside its transaction), or returns the earlier
    submission's IntakeKey (with its case) when the key was taken. A concurrent request with the same key
    waits on the unique index until this transaction ends, then finds the key taken (or free, on rollback).
    Raises IdempotencyKeyReused if the key was taken with other content."""
    try:
        with transaction.atomic():  # a savepoint: the unique violation must not poison the outer transaction
            IntakeKey.objects.create(key=key, fingerprint=fingerprint)
            return None
    except IntegrityError:
        earlier = IntakeKey.objects.select_related("case").get(key=key)
    if not hmac.compare_digest(earlier.fingerprint, fingerprint):
        raise IdempotencyKeyReused
    return earlier


def intake_keys_expire() -> int:
    """Deletes keys older than IDEMPOTENCY_KEY_HOURS. Returns how many."""
    cutoff = clock.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _by_model = IntakeKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

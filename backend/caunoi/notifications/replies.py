"""Reply addresses: every message about something (a case, a subscription) carries its own address, so that
an answer by e-mail finds its way back without the sender typing a code.

The address is `reply+<subject>.<mac>@INBOUND_MAIL_DOMAIN`: `subject` names what the message is about and for
whom (e.g. `case.123.c` for the citizen of case 123, `case.123.s45` for staff member 45), `mac` is the first 128
bits of Django's salted HMAC of it under SECRET_KEY, so an address cannot be guessed or altered. Everything is
lower case: mail systems are allowed to fold the case of an address's local part.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "caunoi.notifications.replies"
_SUBJECT = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+){0,3}")
_LOCAL = re.compile(r"reply\+(?P<subject>[a-z0-9.]+)\.(?P<mac>[0-9a-f]{32})")


def _mac(subject: str) -> str:
    return salted_hmac(_SALT, subject, algorithm="sha256").hexdigest()[:32]


def reply_address(subject: str) -> str:
    """The reply address for `subject` (lower-case words joined by dots, at most four). ValueError otherwise."""
    if not _SUBJECT.fullmatch(subject):
        raise ValueError(f"not a reply subject: {subject!r}")
    return f"reply+{subject}.{_mac(subject)}@{settings.INBOUND_MAIL_DOMAIN}"


def reply_subject(address: str) -> str | None:
    """The subject an address was made for by `reply_address`, or None when it is not one of ours or its
    signature does not match (a forged or mistyped address)."""
    local, _at, domain = address.strip().lower().rpartition("@")
    if domain != str(settings.INBOUND_MAIL_DOMAIN).lower():
        return None
    found = _LOCAL.fullmatch(local)
    if found is None:
        return None
    subject = found["subject"]
    if not constant_time_compare(found["mac"], _mac(subject)):
        return None
    return subject

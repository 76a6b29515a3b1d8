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

from caunoi.accounts.models import User

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


_CASE_REF = re.compile(r"case:(?P<id>\d+)")
STAFF_TEMPLATE_PREFIX = "staff_"  # messages to staff are named staff_*; the others go to the citizen


def case_reply_subject(*, subject_ref: str, template: str, recipient: str) -> str | None:
    """What the reply address of an e-mail about a case stands for, derived from the outbox row alone (for
    rows written in bulk by SQL, which cannot sign): `case.<id>.c` for the citizen, `case.<id>.s<user id>` for
    a staff member (the active account with that address). None for a row about no case, or to staff whose
    address is no active account's (a reply would have no one to come from)."""
    found = _CASE_REF.fullmatch(subject_ref)
    if found is None:
        return None
    if not template.startswith(STAFF_TEMPLATE_PREFIX):
        return f"case.{found['id']}.c"
    user = User.objects.filter(email__iexact=recipient.strip(), is_active=True).order_by("pk").first()
    return f"case.{found['id']}.s{user.pk}" if user is not None else None

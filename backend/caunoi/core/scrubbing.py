"""Personal data never leaves in logs or error reports.

Error reports (Sentry) carry request bodies, headers and stack frames' local variables; logs carry whatever a
message formats in. Both pass through here: fields whose name says they hold personal data or secrets are
replaced whole, and phone numbers, e-mail addresses and ID numbers are hidden in every other string.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from .redaction import redact_contact_details

FILTERED = "[Filtered]"
# Field names (lower case) whose values are personal data or secrets, wherever they appear.
SENSITIVE_KEYS = frozenset(
    {
        "name", "contact_name", "email", "contact_email", "phone", "contact_phone", "address", "contact_address",
        "password", "token", "access_token", "x-access-token", "otp_token", "code", "secret", "authorization",
        "cookie", "sessionid", "csrftoken", "submitter", "asker", "recipient",
    }
)  # fmt: skip
MAX_DEPTH = 12
# A secret in an address's query or fragment (`?token=…`, `&access_token=…`): access logs print whole paths.
SECRET_IN_ADDRESS = re.compile(r"((?:^|[?&#;])(?:token|access_token|code_token|otp_token|password)=)[^&#\s\"']*", re.I)


def scrub(value: Any, depth: int = 0) -> Any:
    """A copy of `value` (dicts, lists, strings, anything else as is) with personal data hidden."""
    if depth > MAX_DEPTH:
        return FILTERED
    if isinstance(value, str):
        if "=" in value:
            value = SECRET_IN_ADDRESS.sub(rf"\g<1>{FILTERED}", value)
        return redact_contact_details(value) if any(ch.isdigit() or ch == "@" for ch in value) else value
    if isinstance(value, dict):
        return {
            key: FILTERED if str(key).lower() in SENSITIVE_KEYS else scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(scrub(item, depth + 1) for item in value)
    return value


def sentry_before_send(event: Any, hint: Any) -> Any:
    """Sentry's before_send (and before_send_transaction): the whole event scrubbed."""
    return scrub(event)


class PersonalDataFilter(logging.Filter):
    """Hides personal data in a log record's message (after its arguments are formatted in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True

"""The Redis keys counts wait in between a request and the next flush.

Live keys are one hash per kind and local day; a flush renames a live key to a batch key with a fresh token
before reading it, so increments arriving meanwhile start a new live key and nothing is read twice.

  analytics:v:<yyyymmdd>                 field "<portal>:<item id>"                 → views
  analytics:s:<yyyymmdd>                 field "<portal>:<found 0|1>:<normalised>"  → searches
  analytics:batch:<v|s>:<yyyymmdd>:<token>  a renamed live key being flushed (or left by a crashed flush)

<portal> is the portal id, or "-" for the built-in site (request.portal.id is None).
"""

from __future__ import annotations

import datetime as dt

PREFIX = "analytics"
VIEWS, SEARCHES = "v", "s"
KINDS = (VIEWS, SEARCHES)
NO_PORTAL = "-"


def live_key(kind: str, day: dt.date) -> str:
    return f"{PREFIX}:{kind}:{day:%Y%m%d}"


def batch_key(kind: str, day: str, token: str) -> str:
    return f"{PREFIX}:batch:{kind}:{day}:{token}"


def parse_live_key(key: str) -> tuple[str, str] | None:
    """(kind, yyyymmdd) of a live key, else None."""
    parts = key.split(":")
    if len(parts) == 3 and parts[1] in KINDS and len(parts[2]) == 8 and parts[2].isdigit():
        return parts[1], parts[2]
    return None


def parse_batch_key(key: str) -> tuple[str, str, str] | None:
    """(kind, yyyymmdd, token) of a batch key, else None."""
    parts = key.split(":")
    if len(parts) == 5 and parts[1] == "batch" and parts[2] in KINDS and parts[3].isdigit() and parts[4]:
        return parts[2], parts[3], parts[4]
    return None


def portal_field(portal_id: int | None) -> str:
    return NO_PORTAL if portal_id is None else str(portal_id)


def parse_portal(text: str) -> int | None:
    """The portal id of a field's first part. Raises ValueError for anything else."""
    return None if text == NO_PORTAL else int(text)

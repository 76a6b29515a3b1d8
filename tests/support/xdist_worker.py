"""Gives each pytest-xdist worker a Redis database of its own (`make test` runs the suite on every core).

PostgreSQL needs nothing: pytest-django suffixes the test database's name with the worker's id. Redis has no
such thing, and tests clear keys and counters as they go (rate limits, the page cache's generation, the rooms'
sequence numbers), so two workers sharing a database would see each other's. Loaded with `-p` (pyproject's
addopts) because it must change REDIS_URL before pytest-django reads the settings, which happens before any
conftest is imported. Outside xdist (one process) it does nothing.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default `databases`


def worker_redis_url(url: str, worker: str) -> str:
    """`url` with its database number moved past the base one by the worker's number (gw0 → base + 1)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = int(worker.removeprefix("gw"))
    database = (base + 1 + number) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], _worker)

"""Top-level service transactions, and telling a database conflict from an unreachable database.

A service that a view, consumer, task or command calls directly runs in `transaction.atomic(durable=True)`
through `@service_transaction`: durable, so it can never be folded into a caller's transaction by mistake
(its commit is the commit), and so it is safe to run again from the start. PostgreSQL ends one side of a
deadlock (40P01) or a serialisation failure (40001) with an error, and the right answer is to retry the
whole transaction: that is done here a bounded number of times (SERVICE_CONFLICT_ATTEMPTS) with a short
jittered pause. A conflict that persists is logged as an error (it reaches Sentry: it is a bug in a lock
order, not an outage) and raised, which the client sees as a 500.

Only an unreachable database (no connection, a connection lost, the server shutting down, the pool
exhausted) becomes the 503 "briefly unavailable" (core/middleware.py): `is_connection_error`.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# SQLSTATEs after which the whole transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
# SQLSTATEs meaning the server cannot be used right now (PostgreSQL Appendix A): class 08 (connection
# exception), 53300 too_many_connections, 57P01–57P03 (admin/crash shutdown, cannot connect now).
UNAVAILABLE_SQLSTATES = frozenset({"53300", "57P01", "57P02", "57P03"})


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (Django wraps psycopg's in its own; the original is the cause)."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "sqlstate", None)
        if code:
            return str(code)
        seen = seen.__cause__
    return None


def _is_pool_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__module__.startswith("psycopg_pool"):
            return True
        seen = seen.__cause__
    return False


def is_connection_error(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or used now (retry later), not that a statement
    failed: an InterfaceError, a pool error, an OperationalError with a connection SQLSTATE or none at all
    (psycopg reports "connection refused", "server closed the connection" without one)."""
    if isinstance(exc, InterfaceError) or _is_pool_error(exc):
        return True
    if not isinstance(exc, OperationalError):
        return False
    code = sqlstate(exc)
    return code is None or code.startswith("08") or code in UNAVAILABLE_SQLSTATES


def is_retryable_conflict(exc: BaseException) -> bool:
    """True for a deadlock or serialisation failure: running the transaction again may succeed."""
    return isinstance(exc, OperationalError) and sqlstate(exc) in RETRYABLE_SQLSTATES


def service_transaction(function: Callable[P, R]) -> Callable[P, R]:
    """Runs the service in one durable transaction, retried on a deadlock or serialisation failure up to
    SERVICE_CONFLICT_ATTEMPTS times in all; then logs an error and raises the last failure. Raises
    RuntimeError (Django's durability check) if called inside another transaction."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        attempts = max(1, int(getattr(settings, "SERVICE_CONFLICT_ATTEMPTS", 3)))
        for attempt in range(1, attempts + 1):
            try:
                with transaction.atomic(durable=True):
                    return function(*args, **kwargs)
            except OperationalError as exc:
                if not is_retryable_conflict(exc):
                    raise
                if attempt >= attempts:
                    logger.error(
                        "%s: %s persisted after %d attempts",
                        function.__qualname__,
                        sqlstate(exc),
                        attempt,
                        exc_info=True,
                    )
                    raise
                logger.warning("%s: %s, running it again (attempt %d)", function.__qualname__, sqlstate(exc), attempt)
                time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311 - jitter, not secrecy
        raise AssertionError("unreachable")  # pragma: no cover

    return run

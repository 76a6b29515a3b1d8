"""Portal reads from a read replica (DATABASE_REPLICA_URL), everything else from the primary.

Public portal pages and feeds are most of the traffic and tolerate data a second old; staff pages and every
write must see their own changes at once. So a read goes to the replica only inside a view marked
`@portal_read`, and only when a replica is configured; the router sends everything else to the primary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings

REPLICA = "replica"
_portal_read: ContextVar[bool] = ContextVar("portal_read", default=False)

View = TypeVar("View", bound=Callable[..., Any])


@contextmanager
def reading_for_portal() -> Iterator[None]:
    token = _portal_read.set(True)
    try:
        yield
    finally:
        _portal_read.reset(token)


def portal_read(view: View) -> View:
    """Marks a public, read-only view whose queries may be served by the replica."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reading_for_portal():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def read_alias() -> str:
    """The database alias for a read here: the replica inside a portal view (when one is configured),
    else the primary. Raw SQL reads use it (`connections[read_alias()]`): the router sees only the ORM."""
    if _portal_read.get() and REPLICA in settings.DATABASES:
        return REPLICA
    return "default"


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # migrations reach the replica through replication

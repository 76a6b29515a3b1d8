"""Recording the timeline. Every state change calls `record` inside the transaction that makes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caunoi.accounts.models import User
from caunoi.core import clock

from .models import Case, CaseEvent, EventType


def build_event(
    case: Case,
    type: EventType,
    *,
    actor: User | None = None,
    payload: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """An unsaved event stamped with the case's current status, agency and workflow versions."""
    return CaseEvent(
        case=case,
        type=type,
        at=at or clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        status=case.status,
        agency_id=case.agency_id,
        payload=payload or {},
        lifecycle_version=case.lifecycle_version,
        routing_version=case.routing_version,
        deadline_version=case.deadline_version,
    )


def record(case: Case, type: EventType, **kwargs: Any) -> CaseEvent:
    event = build_event(case, type, **kwargs)
    event.save(force_insert=True)
    return event

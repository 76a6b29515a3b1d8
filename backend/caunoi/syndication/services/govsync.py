"""The Government-portal sync connector (QĐ 31/2021/QĐ-TTg Art. 30(3)): every agency reports the progress of
handling, the answers and the citizens' satisfaction to the Government portal. The document format is
versioned and described in syndication/GOV_SYNC.md (`caunoi.gov-sync/1`).

Case events become messages in the outbox (caunoi.core.outbox) by a periodic collection, not by hooks in
the case services: whatever code path wrote an event (bulk writes included), the collection finds it, one
message per event (its id is unique), in one transaction. Messages are POSTed signed like our webhooks, in
order per case, after commit, with retries. Nothing personal is sent: no name, contact or text of the
citizen; an answer's text only as published (redacted) on the portal.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from caunoi.cases.models import Case, CaseEvent, EventType, Rating
from caunoi.cases.selectors import is_overdue
from caunoi.core import clock
from caunoi.core.outbox import Backoff, Claim, Outbox, queue_each
from caunoi.publication.models import PublishedItem, Status
from caunoi.workflows.registry import workflows

from .. import signing
from ..events import item_url, portal_base_url
from ..models import GovSyncMessage

logger = logging.getLogger(__name__)

SCHEMA = "caunoi.gov-sync/1"
EVENT_HEADER_PREFIX = "gov-sync."
COLLECT_BATCH = 500
# Events are looked for from a little below the newest one already turned into a message: a transaction
# that took an event id earlier but committed later is still found (ids are handed out before commit).
LOOKBACK_IDS = 10_000
MAX_ATTEMPTS = 10
retry_delay = Backoff(first=dt.timedelta(minutes=1), most=dt.timedelta(hours=6))
USER_AGENT = "CauNoi-GovSync/1"

# Which case events the Government portal hears about, and as what.
PROGRESS_EVENTS = frozenset(
    {
        EventType.SUBMITTED, EventType.ROUTED, EventType.STATUS_CHANGED, EventType.CLAIMED,
        EventType.INFO_REQUESTED, EventType.CITIZEN_REPLIED, EventType.TRANSFERRED, EventType.EXTENDED,
        EventType.REJECTED, EventType.LINKED, EventType.SPLIT, EventType.OVERDUE, EventType.APPEALED,
    }
)  # fmt: skip
KIND_OF_EVENT = {
    **{event: GovSyncMessage.Kind.PROGRESS for event in PROGRESS_EVENTS},
    EventType.ANSWERED: GovSyncMessage.Kind.ANSWER,
    EventType.RATED: GovSyncMessage.Kind.SATISFACTION,
}


def enabled() -> bool:
    return bool(settings.GOV_PORTAL_SYNC_URL)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def document(event: CaseEvent, case: Case) -> dict[str, Any]:
    """The message for one event (GOV_SYNC.md), without `message_id`, which the row adds."""
    body: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": str(KIND_OF_EVENT[EventType(event.type)]),
        "portal": portal_base_url(),
        "occurred_at": _iso(event.at),
        "case": {
            "tracking_code": case.tracking_code,
            "kind": case.kind,
            "channel": case.channel,
            "category": case.category.slug,
            "agency": {"code": case.agency.code, "name": case.agency.name},
            "received_at": _iso(case.received_at),
            "due_at": _iso(case.due_at),
        },
        "progress": {
            "event": event.type,
            "status": event.status,
            # In Vietnamese, the portal's language of record; the status the event left the case in.
            "status_label": workflows().lifecycles[case.lifecycle_version].label(event.status, "vi"),
            "agency": event.agency.code,
            "overdue": is_overdue(case),
        },
    }
    if event.type == EventType.ANSWERED:
        item = PublishedItem.objects.filter(case=case, status=Status.PUBLISHED).first()
        body["answer"] = {
            "answered_at": _iso(event.at),
            "on_time": case.due_at is None or event.at <= case.due_at,
            "stage": int(event.payload.get("stage", 1)),
            "published_url": item_url(item) if item is not None else None,
            "published_text": item.answer if item is not None else None,
        }
    if event.type == EventType.RATED:
        score = event.payload.get("score")
        if score is None:
            score = Rating.objects.filter(case=case).values_list("score", flat=True).first()
        body["satisfaction"] = {"score": score, "scale": 5}
    return body


def gov_sync_collect(*, limit: int = COLLECT_BATCH) -> int:
    """Turns up to `limit` case events not yet sent into messages (one transaction) and queues them after
    commit; returns how many. Does nothing while GOV_PORTAL_SYNC_URL is unset."""
    if not enabled():
        return 0
    newest = GovSyncMessage.objects.aggregate(newest=Max("case_event_id"))["newest"] or 0
    sent_ids = GovSyncMessage.objects.filter(case_event_id__gt=newest - LOOKBACK_IDS).values("case_event_id")
    events = list(
        CaseEvent.objects.filter(pk__gt=max(newest - LOOKBACK_IDS, 0), type__in=list(KIND_OF_EVENT))
        .exclude(pk__in=sent_ids)
        .select_related("agency", "case__agency", "case__category")
        .order_by("pk")[:limit]
    )
    if not events:
        return 0
    queued_until = OUTBOX.queue_lease_until()
    rows = []
    for event in events:
        body = document(event, event.case)
        row = GovSyncMessage(
            case_event_id=event.pk, case_id=event.case_id, kind=body["kind"], payload=body, queued_until=queued_until
        )
        row.payload = {"message_id": str(row.message_id), **body}
        rows.append(row)
    with transaction.atomic():
        created = GovSyncMessage.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(
            GovSyncMessage.objects.filter(message_id__in=[r.message_id for r in created]).values_list("pk", flat=True)
        )
        transaction.on_commit(partial(OUTBOX.queue, ids))
    return len(ids)


def gov_sync_dispatch_pending(limit: int = 200) -> int:
    return OUTBOX.dispatch_due(limit=limit)


def gov_sync_attempt(message_id: int) -> str:
    """Sends one due message; safe to run twice or at once (the outbox's lease). A 2xx answer delivers it;
    anything else is retried after a backoff, up to MAX_ATTEMPTS. Returns what happened."""
    now = clock.now()
    row = OUTBOX.claim(message_id)
    if isinstance(row, Claim):
        return str(row.value)
    try:
        with OUTBOX.holding(row):
            code = _post(row)
    except urllib.error.HTTPError as exc:
        exc.close()
        failed = OUTBOX.fail_attempt(
            row, error=f"HTTP {exc.code}", retryable=True, max_attempts=MAX_ATTEMPTS, backoff=retry_delay, now=now,
            last_status_code=exc.code,
        )  # fmt: skip
        return "failed" if failed else "retry"
    except Exception as exc:
        failed = OUTBOX.fail_attempt(
            row, error=f"{type(exc).__name__}: {exc}", retryable=True, max_attempts=MAX_ATTEMPTS,
            backoff=retry_delay, now=now,
        )  # fmt: skip
        return "failed" if failed else "retry"
    OUTBOX.settle(
        row, status=GovSyncMessage.Status.DELIVERED, delivered_at=clock.now(), last_status_code=code, last_error=""
    )
    return "delivered"


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _post(row: GovSyncMessage) -> int:
    body = encode(row.payload)
    timestamp = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310  (an http(s) URL checked at start-up)
        settings.GOV_PORTAL_SYNC_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(
                secret=settings.GOV_PORTAL_SYNC_SECRET, timestamp=timestamp, body=body
            ),
            signing.EVENT_HEADER: EVENT_HEADER_PREFIX + row.kind,
            signing.DELIVERY_HEADER: str(row.message_id),
        },
    )
    with _opener.open(request, timeout=float(settings.SYNDICATION_TIMEOUT)) as response:
        return int(response.status)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _dispatch(ids: list[int]) -> int:
    from ..tasks import deliver_gov_sync

    return queue_each(deliver_gov_sync, ids, what="Government portal message")


# A case's messages reach the Government portal in the order they happened.
OUTBOX = Outbox(model=GovSyncMessage, dispatch=_dispatch, in_order_by=("case_id",))

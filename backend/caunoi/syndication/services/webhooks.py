"""Signed webhooks to partner portals: written to the outbox with the change, delivered after commit.

Delivery is at least once and in order per item and partner: a receiver may see an event twice (same
`id`), never "corrected" before "published" for the same item, since a delivery waits while an earlier
one for the same item and partner is still pending or being sent. Nothing here ever blocks or fails
publishing: the publishing transaction only inserts rows; the HTTP requests happen in workers, with a short
timeout, outside any transaction (claimed with a lease: `caunoi.core.outbox`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from enum import StrEnum
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from caunoi.core import clock
from caunoi.core.outbox import Backoff, Claim, Outbox, queue_each
from caunoi.publication.models import PublishedItem

from .. import signing
from ..events import event_body, item_fields
from ..models import Delivery, EventType, Subscription

logger = logging.getLogger(__name__)

# The wait after the n-th failed attempt: 30 s, doubling, at most two hours.
retry_delay = Backoff(first=dt.timedelta(seconds=30), most=dt.timedelta(hours=2))
DISPATCH_BATCH = 200
USER_AGENT = "CauNoi-Webhooks/1"


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # failed; due again after a backoff
    FAILED = "failed"  # failed for good (out of attempts, or the subscription was switched off)
    WAITING = "waiting"  # an earlier event for the same item and partner has not been delivered yet
    SKIPPED = "skipped"  # not pending, not due yet, or being delivered by another worker


def max_attempts() -> int:
    return int(settings.SYNDICATION_MAX_ATTEMPTS)


def request_timeout() -> float:
    return float(settings.SYNDICATION_TIMEOUT)


def subscription_matches(subscription: Subscription, item: PublishedItem) -> bool:
    """An empty filter lets everything through; filters that are set must all hold. An agency stands for
    itself and every agency below it (a province's portal hears about its departments), as in the feeds."""
    agency_paths = [agency.path for agency in subscription.agencies.all()]
    category_ids = {category.pk for category in subscription.categories.all()}
    if agency_paths and (item.agency is None or not item.agency.path.startswith(tuple(agency_paths))):
        return False
    if category_ids and item.category_id not in category_ids:
        return False
    return not subscription.kinds or item.kind in subscription.kinds


def deliveries_enqueue(*, item: PublishedItem, event_type: EventType, revision: int | None = None) -> list[Delivery]:
    """Writes one pending delivery per active subscription whose filters match the item, in the caller's
    transaction; their sending is queued once it commits (a rollback leaves no row and sends nothing).

    Items imported from another portal are not sent on: their origin tells its own partners, and sending
    them on would echo items between portals that import from each other. Returns the rows written."""
    if item.origin_portal:
        return []
    subscriptions = Subscription.objects.filter(is_active=True).prefetch_related("agencies", "categories")
    matching = [s for s in subscriptions if subscription_matches(s, item)]
    if not matching:
        return []
    body = event_body(event_type=event_type, item=item, occurred_at=clock.now(), revision=revision)
    rows = [
        Delivery(subscription=s, event_type=event_type, item_id=item.pk, item_slug=item.slug, payload=body)
        for s in matching
    ]
    for row in rows:
        # The id each receiver sees is the row's own: a partner de-duplicates on it.
        row.payload = {"id": str(row.event_id), **body}
    queued_until = OUTBOX.queue_lease_until()
    for row in rows:
        row.queued_until = queued_until
    Delivery.objects.bulk_create(rows)
    transaction.on_commit(partial(OUTBOX.queue, [row.pk for row in rows]))
    return rows


def deliveries_rewrite_item(*, item: PublishedItem) -> int:
    """Replaces the item in every delivery that carries its text (pending, failed or sent) with its current
    public fields, in the caller's transaction: after a privacy correction no delivery still waiting (or
    retried from the admin) sends the old text, and the log keeps none of it. Returns how many rows changed.
    A row being sent at this moment is waited for (its lock is held for at most the request timeout)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE syndication_delivery SET payload = jsonb_set(payload, '{item}', %s::jsonb) "
            "WHERE item_id = %s AND event_type <> %s AND payload ? 'item'",
            [json.dumps(item_fields(item), ensure_ascii=False), item.pk, EventType.UNPUBLISHED.value],
        )
        return cursor.rowcount


def deliveries_dispatch_pending(limit: int = DISPATCH_BATCH) -> int:
    """Queues a delivery task for up to `limit` due rows, oldest first, each at most once per queue lease;
    returns how many. For the periodic task: retries after a backoff, rows whose dispatch after commit was
    lost, rows whose worker died mid-send."""
    return OUTBOX.dispatch_due(limit=limit)


def delivery_attempt(delivery_id: int) -> Outcome:
    """POSTs one pending, due delivery to its partner, signed; safe to run twice or at once.

    The row is claimed with a lease, so a concurrent call skips it, and the request is made with no
    transaction open and no lock held. A delivery behind an earlier undelivered event for the same item and
    partner waits; it is queued when that one is delivered or fails for good. A 2xx answer marks it
    delivered. A timeout, a refused connection, a redirect or any other status counts a failed attempt,
    stores the status code and error (never the secret, never the receiver's body) and makes the row due
    again after `retry_delay`; the attempt that reaches SYNDICATION_MAX_ATTEMPTS marks it failed. A
    delivery whose subscription has been switched off is marked failed without a request.

    Raises only database errors (the task retries those)."""
    now = clock.now()
    row = OUTBOX.claim(delivery_id, select_related=["subscription"], last_attempt_at=now)
    if isinstance(row, Claim):
        return Outcome(row.value)
    subscription = row.subscription
    if not subscription.is_active:
        OUTBOX.settle(row, status=Delivery.Status.FAILED, last_error="The subscription is switched off.")
        return Outcome.FAILED
    try:
        with OUTBOX.holding(row):
            status_code = _post(row, subscription)
    except urllib.error.HTTPError as exc:
        exc.close()
        return _record_failure(row, f"HTTP {exc.code}", status_code=exc.code, now=now)
    except Exception as exc:
        # Timeouts, refused connections, DNS, TLS: the partner's to fix, ours to retry and show.
        return _record_failure(row, f"{type(exc).__name__}: {exc}", status_code=None, now=now)
    OUTBOX.settle(
        row, status=Delivery.Status.DELIVERED, delivered_at=clock.now(), last_status_code=status_code, last_error=""
    )
    return Outcome.DELIVERED


@transaction.atomic
def deliveries_retry(*, delivery_ids: Iterable[int]) -> int:
    """Makes failed and pending deliveries among `delivery_ids` due now and queues them after commit;
    delivered ones, and ones being sent right now, are left alone. Attempts are not reset: a failed row gets
    one more attempt, and is failed again if that one fails. Returns how many rows were requeued."""
    ids = list(
        Delivery.objects.select_for_update()
        .filter(pk__in=list(delivery_ids), status__in=[Delivery.Status.FAILED, Delivery.Status.PENDING])
        .values_list("pk", flat=True)
    )
    OUTBOX.requeue(ids)
    return len(ids)


def encode_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent (compact UTF-8 JSON, keys in a stable order)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body (or post it somewhere unreviewed):
    # a partner must configure the receiver's real address.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(row: Delivery, subscription: Subscription) -> int:
    """Sends the signed request; returns the 2xx status, raises HTTPError for any other status."""
    body = encode_body(row.payload)
    timestamp = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310  (the URL is an http(s) URLField set by an administrator)
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(secret=subscription.secret, timestamp=timestamp, body=body),
            signing.EVENT_HEADER: row.event_type,
            signing.DELIVERY_HEADER: str(row.event_id),
        },
    )
    with _opener.open(request, timeout=request_timeout()) as response:
        return int(response.status)


def _record_failure(row: Delivery, error: str, *, status_code: int | None, now: dt.datetime) -> Outcome:
    failed = OUTBOX.fail_attempt(
        row,
        error=error,
        retryable=True,
        max_attempts=max_attempts(),
        backoff=retry_delay,
        now=now,
        last_status_code=status_code,
    )
    if failed:
        logger.error("delivery %s to subscription %s failed for good: %s", row.pk, row.subscription_id, row.last_error)
        return Outcome.FAILED
    logger.warning("delivery %s attempt %s failed: %s; retrying", row.pk, row.attempts, row.last_error)
    return Outcome.RETRY


def _dispatch(delivery_ids: list[int]) -> int:
    from ..tasks import deliver_webhook  # tasks import this module

    return queue_each(deliver_webhook, delivery_ids, what="webhook delivery")


# Events for one item reach one partner in the order they happened ("corrected" never before "published").
OUTBOX = Outbox(model=Delivery, dispatch=_dispatch, in_order_by=("subscription_id", "item_id"))

"""Moving counts from Redis to PostgreSQL, exactly once, however often and wherever it runs.

1. Each live key is RENAMEd to a batch key with a fresh token (atomic: increments arriving afterwards start
   a new live key; of two flushes racing for one key, only one rename succeeds).
2. Every batch key found — this run's and those left by a flush that crashed — is applied in one
   transaction: the batch's token is inserted into FlushedBatch (ON CONFLICT DO NOTHING), and only if it was
   new are its counts added to the daily tables with set-based upserts. The batch key is deleted after
   commit.

A crash before commit leaves the batch key and no token: the next run applies it. A crash after commit
leaves the key and the token: the next run sees the token and only deletes the key. Two workers applying
one batch at once: the second blocks on the token's unique index until the first commits, then skips.
Tokens are forgotten after ANALYTICS_BATCH_MEMORY_DAYS, long after any batch key they could match is gone
(each run deletes the keys of applied batches again).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import cast

import redis
from django.conf import settings
from django.db import connection, transaction

from caunoi.core import clock
from caunoi.core.redis_client import redis_client

from .keys import PREFIX, SEARCHES, VIEWS, batch_key, parse_batch_key, parse_live_key, parse_portal
from .models import FlushedBatch
from .normalise import MAX_TERM_LENGTH, fold_term

logger = logging.getLogger(__name__)


@dataclass
class FlushResult:
    batches: int = 0  # batch keys applied by this run
    skipped: int = 0  # batch keys already applied (found again after a crash or by a second worker)
    views: int = 0  # views added
    searches: int = 0  # searches added


def counts_flush() -> FlushResult:
    """Moves every count waiting in Redis into the daily tables. Safe to run twice, concurrently, or after
    a run that crashed at any point (see the module's docstring). Raises redis errors when Redis is down:
    the counts wait there for the next run."""
    client = redis_client()
    for key in list(client.scan_iter(match=f"{PREFIX}:[{VIEWS}{SEARCHES}]:*", count=1000)):
        parsed = parse_live_key(key.decode())
        if parsed is None:
            continue
        kind, day = parsed
        try:
            client.rename(key, batch_key(kind, day, uuid.uuid4().hex))
        except redis.ResponseError:
            continue  # gone: another flush renamed it first
    result = FlushResult()
    for key in sorted(client.scan_iter(match=f"{PREFIX}:batch:*", count=1000)):
        _apply_batch(client, key.decode(), result)
    FlushedBatch.objects.filter(at__lt=clock.now() - dt.timedelta(days=settings.ANALYTICS_BATCH_MEMORY_DAYS)).delete()
    return result


def _apply_batch(client: redis.Redis, key: str, result: FlushResult) -> None:
    parsed = parse_batch_key(key)
    if parsed is None:
        return
    kind, day_text, token = parsed
    day = dt.datetime.strptime(day_text, "%Y%m%d").date()
    fields = cast(dict[bytes, bytes], client.hgetall(key))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO analytics_flushedbatch (token, at) VALUES (%s, now()) ON CONFLICT (token) DO NOTHING "
                "RETURNING id",
                [token],
            )
            is_new = cursor.fetchone() is not None
        if is_new:
            added = _upsert(kind, day, fields)
            if kind == VIEWS:
                result.views += added
            else:
                result.searches += added
            result.batches += 1
        else:
            result.skipped += 1
        transaction.on_commit(lambda: forget_batch(client, key))


def forget_batch(client: redis.Redis, key: str) -> None:
    """Deletes an applied batch key. A failure is harmless: the next run finds the token and deletes it."""
    try:
        client.delete(key)
    except redis.RedisError:
        logger.warning("analytics: applied batch %s not deleted yet; the next flush will", key)


def _upsert(kind: str, day: dt.date, fields: dict[bytes, bytes]) -> int:
    if kind == VIEWS:
        return _upsert_views(day, fields)
    return _upsert_searches(day, fields)


def _upsert_views(day: dt.date, fields: dict[bytes, bytes]) -> int:
    portals: list[int | None] = []
    items: list[int] = []
    counts: list[int] = []
    for field, value in fields.items():
        try:
            portal_text, item_text = field.decode().split(":")
            portals.append(parse_portal(portal_text))
            items.append(int(item_text))
            counts.append(int(value))
        except ValueError:
            logger.warning("analytics: unreadable view count %r dropped", field)
    if not items:
        return 0
    # Items deleted since they were viewed drop out in the join; rows are locked in one order (ORDER BY) so
    # concurrent flushes cannot deadlock on them.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO analytics_itemviewday (portal_id, item_id, day, count)
            SELECT v.portal, v.item, %s, sum(v.n)::integer
              FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(portal, item, n)
              JOIN publication_publisheditem AS p ON p.id = v.item
             GROUP BY v.portal, v.item
             ORDER BY v.portal NULLS FIRST, v.item
            ON CONFLICT (portal_id, item_id, day)
            DO UPDATE SET count = analytics_itemviewday.count + EXCLUDED.count
            """,
            [day, portals, items, counts],
        )
    return sum(counts)


def _upsert_searches(day: dt.date, fields: dict[bytes, bytes]) -> int:
    portals: list[int | None] = []
    founds: list[bool] = []
    terms: list[str] = []
    folded: list[str] = []
    counts: list[int] = []
    for field, value in fields.items():
        try:
            portal_text, found_text, term = field.decode().split(":", 2)
            portal = parse_portal(portal_text)
            if found_text not in {"0", "1"} or not term:
                raise ValueError(found_text)
        except ValueError:
            logger.warning("analytics: unreadable search count dropped")
            continue
        term = term[:MAX_TERM_LENGTH]
        portals.append(portal)
        founds.append(found_text == "1")
        terms.append(term)
        folded.append(fold_term(term)[:MAX_TERM_LENGTH])
        counts.append(int(value))
    if not terms:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO analytics_searchtermday (portal_id, term, folded, found, day, count)
            SELECT v.portal, v.term, min(v.folded), v.found, %s, sum(v.n)::integer
              FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::boolean[], %s::bigint[])
                   AS v(portal, term, folded, found, n)
             GROUP BY v.portal, v.term, v.found
             ORDER BY v.portal NULLS FIRST, v.term, v.found
            ON CONFLICT (portal_id, term, found, day)
            DO UPDATE SET count = analytics_searchtermday.count + EXCLUDED.count
            """,
            [day, portals, terms, folded, founds, counts],
        )
    return sum(counts)
